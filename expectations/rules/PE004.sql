select
    document_id,
    source_file,
    location,
    coalesce(project_name, '') as entity,
    cast(total_score_recomputed as varchar) as expected,
    cast(total_score_reported as varchar) as actual,
    cast(total_score_reported - total_score_recomputed as varchar) as difference,
    0.005 * (indicator_count + 1) as band,
    '自评总分 ' || cast(total_score_reported as varchar) || '，按评分规则重算为 ' || cast(total_score_recomputed as varchar)
    || '（' || coalesce(grade_recomputed, '') || '）' as message
from {{ batch }}
where total_score_recomputed is not null
    and total_score_reported is not null
    and total_score_reported <> total_score_recomputed
