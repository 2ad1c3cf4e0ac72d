with cells as (
    select * from {{ batch }}
    where table_code in ('01', '04') and amount_yuan is not null
),

income as (
    select
        document_id,
        table_code,
        max(half_unit_yuan) as half_unit,
        max(case when row_key = 'income_grand_total' then amount_yuan end) as total,
        max(case when row_key = 'income_total' then amount_yuan end) as this_year,
        max(case when row_key = 'carryover_start' then amount_yuan end) as carried
    from cells
    where column_label like '%收入%'
    group by document_id, table_code
),

checks as (
    -- every expenditure side (功能分类, 支出用途) against the income total
    select
        c.document_id,
        c.source_file,
        c.location,
        c.table_title || ' 支出总计 / ' || c.column_label as entity,
        i.total as expected,
        c.amount_yuan as actual,
        2 * i.half_unit as band
    from cells as c
    inner join income as i
        on c.document_id = i.document_id and c.table_code = i.table_code
    where c.row_key = 'expenditure_grand_total' and c.column_label like '%支出%'
        and c.column_label not like '%一般公共预算%' and c.column_label not like '%政府性基金%'
        and c.column_label not like '%国有资本%'
    union all
    select
        c.document_id,
        c.source_file,
        c.location,
        c.table_title || ' 收入总计' as entity,
        i.this_year + coalesce(i.carried, 0) as expected,
        i.total as actual,
        2 * i.half_unit as band
    from income as i
    inner join cells as c
        on i.document_id = c.document_id and i.table_code = c.table_code
            and c.row_key = 'income_grand_total' and c.column_label like '%收入%'
    where i.this_year is not null
)

select
    document_id,
    source_file,
    location,
    entity,
    cast(expected as string) as expected,
    cast(actual as string) as actual,
    cast(actual - expected as string) as difference,
    band,
    entity || ' ' || cast(actual as string) || ' 元，应为 ' || cast(expected as string) || ' 元' as message
from checks
where expected is not null and actual is not null and actual <> expected
