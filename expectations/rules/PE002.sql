with scores as (
    select
        document_id,
        sum(score_reported) as indicator_scores,
        count(score_reported) as scored
    from marts.fct_performance_indicator
    group by document_id
),

execution as (
    select
        document_id,
        max(score_reported) as execution_score
    from marts.fct_project_budget
    where fund_source = 'total'
    group by document_id
),

compared as (
    select
        e.document_id,
        e.source_file,
        e.location,
        e.project_name,
        e.total_score_reported,
        s.scored,
        coalesce(x.execution_score, e.execution_score_reported, 0) + s.indicator_scores as summed
    from {{ batch }} as e
    inner join scores as s on e.document_id = s.document_id
    left join execution as x on e.document_id = x.document_id
    where e.total_score_reported is not null and s.indicator_scores is not null
)

select
    document_id,
    source_file,
    location,
    coalesce(project_name, '') as entity,
    cast(summed as string) as expected,
    cast(total_score_reported as string) as actual,
    cast(total_score_reported - summed as string) as difference,
    0.005 * (scored + 1) as band,
    '总得分 ' || cast(total_score_reported as string) || ' 与各项得分之和 ' || cast(summed as string) || ' 不符' as message
from compared
where total_score_reported <> summed
