select
    document_id,
    source_file,
    location,
    coalesce(project_name, '') || ' / ' || coalesce(indicator_name, '（未列名指标）') as entity,
    '偏差原因' as expected,
    '（空）' as actual,
    cast(null as string) as difference,
    cast(null as decimal(38, 10)) as band,
    '目标 ' || coalesce(target_text, '') || '，实际 ' || coalesce(actual_text, '') || '，未达目标且未说明偏差原因' as message
from {{ batch }}
where scoring_basis = 'quantitative'
    and score_recomputed < weight
    and deviation_reason is null
