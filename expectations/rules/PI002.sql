with grouped as (
    select
        document_id,
        max(source_file) as source_file,
        min(location) as location,
        max(project_name) as project_name,
        level1,
        max(level1_points) as points,
        sum(weight) as weights
    from {{ batch }}
    where level1_points is not null
    group by document_id, level1
)

select
    document_id,
    source_file,
    location,
    coalesce(project_name, '') || ' / ' || level1 as entity,
    cast(points as string) as expected,
    cast(weights as string) as actual,
    cast(weights - points as string) as difference,
    cast(null as decimal(38, 10)) as band,
    level1 || ' 标注 ' || cast(points as string) || ' 分，所列分值之和为 ' || cast(weights as string) || ' 分' as message
from grouped
where weights is not null and weights <> points
