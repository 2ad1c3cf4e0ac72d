with lines_ as (
    select
        document_id,
        line_no,
        max(source_file) as source_file,
        max(location) as location,
        max(case when fact_kind = 'completion_rate' then fact_value end) as stated,
        max(case when fact_kind = 'budget_total' then fact_value_yuan end) as budget,
        max(case when fact_kind = 'amount' and (fact_label like '%决算%' or fact_label like '%支出%')
                and fact_label not like '%增加' and fact_label not like '%减少' then fact_value_yuan
        end) as final_amount,
        count(case when fact_kind = 'completion_rate' then 1 end) as rates
    from {{ batch }}
    where doc_type = 'final_accounts'
    group by document_id, line_no
),

compared as (
    select
        *,
        cast(round(cast(final_amount as decimal(38, 10)) / cast(budget as decimal(38, 10)), 6) as decimal(18, 6)) as expected
    from lines_
    where rates = 1 and stated is not null and budget is not null and budget <> 0 and final_amount is not null
)

select
    document_id,
    source_file,
    location,
    '情况说明 完成年初预算比例' as entity,
    cast(expected as string) as expected,
    cast(stated as string) as actual,
    cast(stated - expected as string) as difference,
    0.0001 as band,
    '完成年初预算的 ' || cast(stated as string) || '，按决算数 ÷ 年初预算应为 ' || cast(expected as string) as message
from compared
where round(expected, 4) <> stated
