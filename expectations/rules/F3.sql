with totals as (
    select
        document_id,
        table_code,
        max(source_file) as source_file,
        max(location) as location,
        max(case when column_label like '收入%' then amount_yuan end) as income,
        max(case when column_label like '支出/%' and (column_label like '%金额' or column_label like '%合计') then amount_yuan end)
            as spending,
        max(half_unit_yuan) as half_unit
    from {{ batch }}
    where table_code in ('01', '04') and row_label like '%总计%'
    group by document_id, table_code
)

select
    document_id,
    source_file,
    location,
    '公开' || table_code || '表 总计' as entity,
    cast(income as string) as expected,
    cast(spending as string) as actual,
    cast(spending - income as string) as difference,
    2 * half_unit as band,
    '公开' || table_code || '表 支出总计 ' || cast(spending as string) || ' 元不等于收入总计 ' || cast(income as string) || ' 元' as message
from totals
where income is not null and spending is not null and income <> spending
