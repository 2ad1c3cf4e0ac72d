with amounts as (
    select
        document_id,
        line_no,
        fact_label,
        fact_value_yuan
    from {{ batch }}
    where fact_kind in ('amount', 'part') and fact_value_yuan is not null
),

changes as (
    -- a budget states its changes with this year's amount: N005 and N006 recompute those
    select
        document_id,
        source_file,
        location,
        line_no,
        fact_label,
        fact_value as growth
    from {{ batch }}
    where fact_kind = 'change' and doc_type is distinct from 'department_budget'
),

deltas as (
    select
        document_id,
        line_no,
        fact_label,
        case when fact_label like '%减少' then -fact_value_yuan else fact_value_yuan end as delta,
        case when fact_label like '%减少' then substr(fact_label, 1, length(fact_label) - 2)
            else substr(fact_label, 1, length(fact_label) - 2)
        end as base_label
    from amounts
    where fact_label like '%增加' or fact_label like '%减少'
),

bases as (
    select a.* from amounts as a
    where not (a.fact_label like '%增加' or a.fact_label like '%减少')
),

paired as (
    select
        c.*,
        d.delta,
        coalesce(
            (
                select max(b.fact_value_yuan) from bases as b
                where b.document_id = c.document_id and b.line_no = c.line_no and b.fact_label = c.fact_label
            ),
            (
                select max(b.fact_value_yuan) from bases as b
                where b.document_id = c.document_id and b.line_no = c.line_no
                having count(*) = 1
            )
        ) as this_year
    from changes as c
    inner join deltas as d
        on c.document_id = d.document_id and c.line_no = d.line_no and c.fact_label = d.base_label
),

compared as (
    select
        *,
        cast(round(cast(delta as decimal(38, 10)) / cast(this_year - delta as decimal(38, 10)), 6) as decimal(18, 6))
            as expected_growth
    from paired
    where this_year is not null and this_year <> delta
)

select
    document_id,
    source_file,
    location,
    '情况说明 ' || fact_label || ' 增减率' as entity,
    cast(expected_growth as string) as expected,
    cast(growth as string) as actual,
    cast(growth - expected_growth as string) as difference,
    0.0001 as band,
    fact_label || ' 增减率 ' || cast(growth as string) || '，按增减额 ÷ 上年数应为 ' || cast(expected_growth as string) as message
from compared
where round(expected_growth, 4) <> growth
