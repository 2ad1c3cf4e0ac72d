with stated as (
    select
        document_id,
        source_file,
        location,
        publication_id,
        fact_label,
        case right(fact_label, 3) when '(类)' then 3 when '(款)' then 5 when '(项)' then 7 end as code_length,
        left(fact_label, length(fact_label) - 3) as name
    from {{ batch }}
    where fact_kind = 'subject_amount' and publication_id is not null
),

subjects as (
    select
        publication_id,
        subject_code,
        subject_name
    from marts.fct_budget_expenditure
)

select distinct
    s.document_id,
    s.source_file,
    s.location,
    '预算说明 ' || s.fact_label || '（' || t.subject_code || '）' as entity,
    t.subject_name as expected,
    s.name as actual,
    cast(null as string) as difference,
    cast(null as decimal(38, 10)) as band,
    '预算说明写作“' || s.name || '”，预算表为“' || t.subject_name || '”' as message
from stated as s
inner join subjects as t
    on s.publication_id = t.publication_id and length(t.subject_code) = s.code_length
        and replace(s.name, '其它', '其他') = replace(t.subject_name, '其它', '其他')
where s.name <> t.subject_name
    and not exists (
        select 1 from subjects as same
        where same.publication_id = s.publication_id and same.subject_name = s.name
    )
