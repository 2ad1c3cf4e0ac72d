select
    document_id,
    source_file,
    location,
    coalesce(project_name, '') as entity,
    cast(total_score_recomputed as string) as expected,
    cast(total_score_reported as string) as actual,
    cast(total_score_reported - total_score_recomputed as string) as difference,
    0.005 * (indicator_count + 1) as band,
    '自评总分 ' || cast(total_score_reported as string) || '，按评分规则重算为 ' || cast(total_score_recomputed as string)
    || '（' || coalesce(grade_recomputed, '') || '）' as message
from {{ batch }}
where total_score_recomputed is not null
    and total_score_reported is not null
    and total_score_reported <> total_score_recomputed
