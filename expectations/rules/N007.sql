with stated as (
    select
        document_id,
        source_file,
        location,
        publication_id,
        fact_label,
        fact_base_label,
        fact_value_yuan,
        fact_unit,
        case right(fact_label, 3) when '(类)' then 3 when '(款)' then 5 when '(项)' then 7 end as code_length,
        replace(left(fact_label, length(fact_label) - 3), '支出', '') as bare_name,
        replace(left(fact_base_label, length(fact_base_label) - 3), '支出', '') as bare_parent
    from {{ batch }}
    where fact_kind = 'subject_amount' and publication_id is not null and fact_value_yuan is not null
),

subjects as (
    select
        publication_id,
        subject_code,
        subject_name,
        total_yuan,
        replace(subject_name, '支出', '') as bare_name
    from marts.fct_budget_expenditure
),

matched as (
    select
        s.document_id,
        s.source_file,
        s.location,
        s.fact_label,
        s.fact_value_yuan,
        s.fact_unit,
        min(t.subject_code) as subject_code,
        max(t.total_yuan) as table_amount,
        count(*) as matches
    from stated as s
    inner join subjects as t
        on s.publication_id = t.publication_id and length(t.subject_code) = s.code_length and s.bare_name = t.bare_name
    left join subjects as parent
        on t.publication_id = parent.publication_id and parent.subject_code = left(t.subject_code, s.code_length - 2)
    where s.bare_parent is null or parent.bare_name = s.bare_parent
    group by s.document_id, s.source_file, s.location, s.fact_label, s.fact_value_yuan, s.fact_unit
)

select
    document_id,
    source_file,
    location,
    '预算说明 ' || fact_label || '（' || subject_code || '）' as entity,
    cast(table_amount as string) as expected,
    cast(fact_value_yuan as string) as actual,
    cast(fact_value_yuan - table_amount as string) as difference,
    (case fact_unit when '亿元' then 1000000 when '万元' then 100 else 0.01 end) - 0.01 as band,
    '预算说明称' || fact_label || ' ' || cast(fact_value_yuan as string) || ' 元，预算表为 ' || cast(table_amount as string) || ' 元'
        as message
from matched
where matches = 1 and fact_value_yuan <> table_amount
    and abs(fact_value_yuan - table_amount) >= case fact_unit when '亿元' then 500000 when '万元' then 50 else 0.005 end
