with columns_long as (
    select
        document_id,
        source_file,
        location,
        project_name,
        fund_source,
        half_unit_yuan,
        '年初预算数' as measure,
        budget_initial_yuan as amount
    from {{ batch }}
    union all
    select
        document_id,
        source_file,
        location,
        project_name,
        fund_source,
        half_unit_yuan,
        '全年预算数',
        budget_adjusted_yuan
    from {{ batch }}
    union all
    select
        document_id,
        source_file,
        location,
        project_name,
        fund_source,
        half_unit_yuan,
        '全年执行数',
        executed_yuan
    from {{ batch }}
),

totals as (
    select
        document_id,
        measure,
        max(source_file) as source_file,
        max(location) as location,
        max(project_name) as project_name,
        max(amount) as total,
        max(half_unit_yuan) as half_unit
    from columns_long
    where fund_source = 'total' and amount is not null
    group by document_id, measure
),

parts as (
    select
        document_id,
        measure,
        sum(amount) as parts_sum,
        count(*) as parts_n
    from columns_long
    where fund_source <> 'total' and amount is not null
    group by document_id, measure
),

compared as (
    select
        totals.*,
        parts.parts_sum,
        parts.parts_n,
        totals.total - parts.parts_sum as diff
    from totals inner join parts on totals.document_id = parts.document_id and totals.measure = parts.measure
)

select
    document_id,
    source_file,
    location,
    project_name || ' / ' || measure as entity,
    cast(parts_sum as string) as expected,
    cast(total as string) as actual,
    cast(diff as string) as difference,
    parts_n * half_unit as band,
    measure || ' 合计 ' || cast(total as string) || ' 元与各资金来源之和 ' || cast(parts_sum as string) || ' 元不符' as message
from compared
where diff <> 0
