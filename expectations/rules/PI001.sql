select
    document_id,
    source_file,
    location,
    coalesce(project_name, '') || ' / ' || coalesce(indicator_name, '（未列名指标）') as entity,
    '≤ ' || cast(weight as string) as expected,
    cast(score_reported as string) as actual,
    cast(score_reported - weight as string) as difference,
    cast(null as decimal(38, 10)) as band,
    '指标得分 ' || cast(score_reported as string) || ' 超过分值 ' || cast(weight as string) as message
from {{ batch }}
where score_reported > weight
