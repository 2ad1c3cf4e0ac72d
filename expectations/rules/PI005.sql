select
    document_id,
    source_file,
    location,
    coalesce(project_name, '') || ' / ' || coalesce(indicator_name, '（未列名指标）') as entity,
    cast(weight as string) as expected,
    cast(score_reported as string) as actual,
    cast(score_reported - weight as string) as difference,
    cast(null as decimal(38, 10)) as band,
    '目标 ' || coalesce(target_text, '') || '，实际 ' || coalesce(actual_text, '') || '，已达目标'
    || case when score_reported = 0 then '却得0分' else '却未得满分（' || cast(score_reported as string)
            || ' / ' || cast(weight as string) || '）'
    end
    || '，且未说明偏差原因' as message
from {{ batch }}
where score_reported < weight
    and coalesce(trim(deviation_reason), '') = ''
    and (
        -- a quantitative target met: the recomputed score is the whole weight
        (scoring_basis = 'quantitative' and score_recomputed >= weight)
        -- a qualitative one stated as achieved, or its actual value the target itself
        or scoring_basis = 'achieved'
        or (target_value is null and actual_text = target_text)
    )
