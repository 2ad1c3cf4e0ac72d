with checked as (
    select
        document_id,
        source_file,
        location,
        project_name || ' / ' || fund_source_label as entity,
        cast(round(cast(executed_yuan as decimal(38, 10)) / cast(budget_adjusted_yuan as decimal(38, 10)), 6) as decimal(18, 6))
            as expected_rate,
        execution_rate as actual_rate,
        coalesce(execution_rate_decimals, 0) + 2 as printed_digits
    from {{ batch }}
    where execution_rate is not null
        and budget_adjusted_yuan is not null
        and budget_adjusted_yuan <> 0
        and executed_yuan is not null
)

select
    document_id,
    source_file,
    location,
    entity,
    cast(expected_rate as string) as expected,
    cast(actual_rate as string) as actual,
    cast(actual_rate - expected_rate as string) as difference,
    cast(null as decimal(38, 10)) as band,
    '执行率 ' || cast(actual_rate as string) || ' 与 全年执行数÷全年预算数 = '
    || cast(expected_rate as string) || ' 不一致' as message
from checked
where actual_rate <> case printed_digits
        when 2 then round(expected_rate, 2)
        when 3 then round(expected_rate, 3)
        when 4 then round(expected_rate, 4)
        else round(expected_rate, 5)
    end
