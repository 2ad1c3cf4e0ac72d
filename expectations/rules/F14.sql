with figures as (
    select
        document_id,
        max(source_file) as source_file,
        max(location) as location,
        max(half_unit_yuan) as half_unit,
        coalesce(max(case when table_code = '07' and row_label = '合计' and column_label like '%支出%' and column_label like '%合计%'
                then amount_yuan
        end), 0) as funds_07,
        coalesce(max(case when table_code = '08' and row_label = '合计' and column_label like '%合计%' then amount_yuan end), 0) as capital_08,
        coalesce(max(case when table_code = '04' and row_label like '%本年支出合计%' and column_label like '支出/政府性基金%'
                then amount_yuan
        end), 0) as funds_04,
        coalesce(max(case when table_code = '04' and row_label like '%本年支出合计%' and column_label like '支出/国有资本经营%'
                then amount_yuan
        end), 0) as capital_04,
        count(case when table_code = '04' then 1 end) as cells_04
    from {{ batch }}
    group by document_id
),

pairs as (
    select
        document_id,
        source_file,
        location,
        half_unit,
        '公开07表' as entity,
        funds_04 as expected,
        funds_07 as actual
    from figures
    where cells_04 > 0
    union all
    select
        document_id,
        source_file,
        location,
        half_unit,
        '公开08表',
        capital_04,
        capital_08
    from figures
    where cells_04 > 0
)

select
    document_id,
    source_file,
    location,
    entity || ' 合计 / 公开04表' as entity,
    cast(expected as string) as expected,
    cast(actual as string) as actual,
    cast(actual - expected as string) as difference,
    2 * half_unit as band,
    entity || '合计 ' || cast(actual as string) || ' 元与公开04表对应列 ' || cast(expected as string) || ' 元不符' as message
from pairs
where actual <> expected
