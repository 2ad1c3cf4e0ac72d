with compared as (
    select
        document_id,
        source_file,
        location,
        fact_label,
        fact_value as stated,
        cast(
            round(cast(change_yuan as decimal(38, 10)) / cast(current_yuan - change_yuan as decimal(38, 10)), 6)
            as decimal(18, 6)
        ) as expected
    from {{ batch }}
    where fact_kind = 'growth' and fact_value is not null and current_yuan is not null and change_yuan is not null
        and current_yuan <> change_yuan
)

select
    document_id,
    source_file,
    location,
    '预算说明 ' || fact_label || ' 增减率' as entity,
    cast(expected as string) as expected,
    cast(stated as string) as actual,
    cast(stated - expected as string) as difference,
    0.0002 as band,
    fact_label || ' 增减率 ' || cast(stated as string) || '，按增减额 ÷ 上年数应为 ' || cast(expected as string) as message
from compared
where abs(stated - expected) > 0.0001 and abs(stated - expected) <= 0.01
