with sides as (
    select
        document_id,
        max(source_file) as source_file,
        max(location) as location,
        max(half_unit_yuan) as half_unit,
        sum(case when column_label like '收入%' and (row_label like '%本年收入合计%' or row_label like '%年初%结转和结余%')
                then amount_yuan
        end) as sources,
        sum(case when column_label = '支出/合计' and (row_label like '%本年支出合计%' or row_label like '%年末%结转和结余%')
                then amount_yuan
        end) as uses
    from {{ batch }}
    where table_code = '04'
    group by document_id
)

select
    document_id,
    source_file,
    location,
    '公开04表 收支平衡' as entity,
    cast(sources as string) as expected,
    cast(uses as string) as actual,
    cast(uses - sources as string) as difference,
    4 * half_unit as band,
    '本年支出与年末结转之和 ' || cast(uses as string) || ' 元不等于年初结转与本年收入之和 ' || cast(sources as string) || ' 元' as message
from sides
where sources is not null and uses is not null and sources <> uses
