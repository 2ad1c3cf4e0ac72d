select
    document_id,
    source_file,
    location,
    coalesce(project_name, '') || ' / ' || coalesce(indicator_name, '（未列名指标）') as entity,
    cast(score_recomputed as string) as expected,
    cast(score_reported as string) as actual,
    cast(score_reported - score_recomputed as string) as difference,
    cast(null as decimal(38, 10)) as band,
    '目标 ' || coalesce(target_text, '') || '，实际 ' || coalesce(actual_text, '') || '，未达目标却得满分 '
    || cast(score_reported as string) || '（按规则应得 ' || cast(score_recomputed as string) || '）' as message
from {{ batch }}
where scoring_basis = 'quantitative'
    and score_recomputed < weight
    and score_reported >= weight
