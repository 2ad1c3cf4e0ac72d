with totals as (
    select
        document_id,
        max(source_file) as source_file,
        max(half_unit_yuan) as half_unit,
        max(case when table_code = '06' and column_label = '合计' then location end) as location,
        max(case when table_code = '06' and column_label = '合计' then amount_yuan end) as basic_total,
        max(case when table_code = '06' and column_label = '人员经费' then amount_yuan end) as personnel,
        max(case when table_code = '06' and column_label = '公用经费' then amount_yuan end) as public_expenses,
        max(case when table_code = '05' and column_label = '基本支出' then amount_yuan end) as general_basic
    from {{ batch }}
    where table_code in ('05', '06') and subject_code is null and row_key = 'total'
    group by document_id
),

checks as (
    select
        document_id,
        source_file,
        location,
        '基本支出预算表 合计' as entity,
        personnel + coalesce(public_expenses, 0) as expected,
        basic_total as actual,
        2 * half_unit as band
    from totals
    where personnel is not null
    union all
    select
        document_id,
        source_file,
        location,
        '基本支出预算表 合计 / 一般公共预算支出表 基本支出' as entity,
        general_basic as expected,
        basic_total as actual,
        2 * half_unit as band
    from totals
    where general_basic is not null
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
