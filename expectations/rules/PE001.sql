with weights as (
    select
        document_id,
        sum(weight) as indicator_weights
    from marts.fct_performance_indicator
    where level1 is null or level1 <> '预算执行率'
    group by document_id
)

select
    e.document_id,
    e.source_file,
    e.location,
    coalesce(e.project_name, '') as entity,
    '100' as expected,
    cast(w.indicator_weights + e.execution_weight as string) as actual,
    cast(w.indicator_weights + e.execution_weight - 100 as string) as difference,
    cast(null as decimal(38, 10)) as band,
    '指标分值 ' || cast(w.indicator_weights as string) || ' 加预算执行率分值 ' || cast(e.execution_weight as string)
    || ' 不等于100分' as message
from {{ batch }} as e
inner join weights as w on e.document_id = w.document_id
where w.indicator_weights is not null
    and w.indicator_weights + e.execution_weight <> 100
