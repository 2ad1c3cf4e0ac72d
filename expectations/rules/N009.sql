with totals as (
    select
        document_id,
        source_file,
        location,
        line_no,
        fact_label,
        fact_unit,
        cast(fact_value as decimal(18, 2)) as total
    from {{ batch }}
    where fact_kind = 'listed_total'
),

parts as (
    select
        document_id,
        line_no,
        fact_base_label,
        fact_unit,
        cast(sum(fact_value) as decimal(18, 2)) as parts_sum,
        count(*) as parts_n,
        -- the parts as the sentence lists them
        {{ string_agg_ordered("coalesce(fact_label, '') || cast(cast(fact_value as decimal(18, 2)) as string)", "'、'",
            "instr(sentence, coalesce(fact_label, '')), fact_value") }} as listed
    from {{ batch }}
    where fact_kind = 'listed_part'
    group by document_id, line_no, fact_base_label, fact_unit
)

select
    t.document_id,
    t.source_file,
    t.location,
    t.fact_label || '（' || t.fact_unit || '）' as entity,
    cast(p.parts_sum as string) as expected,
    cast(t.total as string) as actual,
    cast(t.total - p.parts_sum as string) as difference,
    p.parts_n * 0.005 as band,
    t.fact_label || ' ' || cast(t.total as string) || t.fact_unit || '，所列各部分（' || p.listed || '）之和为 '
    || cast(p.parts_sum as string) || t.fact_unit as message
from totals as t
inner join parts as p
    on t.document_id = p.document_id and t.line_no = p.line_no
        and t.fact_label = p.fact_base_label and t.fact_unit = p.fact_unit
where t.total <> p.parts_sum
