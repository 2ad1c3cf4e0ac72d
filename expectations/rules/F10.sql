with figures as (
    select
        document_id,
        max(source_file) as source_file,
        max(location) as location,
        max(half_unit_yuan) as half_unit,
        max(case when table_code = '02' and row_label = '合计' and column_label like '%财政拨款收入%' then amount_yuan end) as income_02,
        max(case when table_code = '04' and row_label like '%本年收入合计%' and column_label like '收入%' then amount_yuan end)
            as income_04
    from {{ batch }}
    where table_code in ('02', '04')
    group by document_id
)

select
    document_id,
    source_file,
    location,
    '公开02表 财政拨款收入 / 公开04表 本年收入合计' as entity,
    cast(income_04 as string) as expected,
    cast(income_02 as string) as actual,
    cast(income_02 - income_04 as string) as difference,
    2 * half_unit as band,
    '收入决算表财政拨款收入 ' || cast(income_02 as string) || ' 元与财政拨款收支总表本年收入 ' || cast(income_04 as string) || ' 元不符' as message
from figures
where income_02 is not null and income_04 is not null and income_02 <> income_04
