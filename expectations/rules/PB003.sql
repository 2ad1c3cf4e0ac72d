with checked as (
    select
        document_id,
        source_file,
        location,
        project_name,
        score_reported,
        weight,
        cast(round(least(weight, weight * execution_rate), 2) as decimal(9, 2)) as expected_score
    from {{ batch }}
    where fund_source = 'total' and weight is not null and execution_rate is not null and score_reported is not null
)

select
    document_id,
    source_file,
    location,
    coalesce(project_name, '') || ' / 预算执行率得分' as entity,
    cast(expected_score as string) as expected,
    cast(score_reported as string) as actual,
    cast(score_reported - expected_score as string) as difference,
    0.005 as band,
    '执行率得分 ' || cast(score_reported as string) || '，应为 分值 ' || cast(weight as string) || ' × 执行率 = '
    || cast(expected_score as string) as message
from checked
where score_reported <> expected_score
