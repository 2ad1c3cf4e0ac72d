select
    e.document_id,
    e.source_file,
    e.location,
    coalesce(e.project_name, '') as entity,
    g.grade as expected,
    e.grade_reported as actual,
    cast(null as string) as difference,
    cast(null as decimal(38, 10)) as band,
    '总得分 ' || cast(e.total_score_reported as string) || ' 应为“' || g.grade || '”，自评为“' || e.grade_reported || '”' as message
from {{ batch }} as e
inner join reference.grade_bands as g
    on e.total_score_reported >= g.min_score and e.total_score_reported < g.max_score
where e.grade_reported is not null and e.grade_reported <> g.grade
