with amounts as (
    select
        document_id,
        line_no,
        fact_label,
        fact_value_yuan
    from {{ batch }}
    where fact_kind in ('amount', 'part') and fact_value_yuan is not null
),

shares as (
    select
        f.document_id,
        f.source_file,
        f.location,
        f.line_no,
        f.fact_label,
        f.fact_base_label,
        f.fact_value as share,
        a.fact_value_yuan as part
    from {{ batch }} as f
    inner join amounts as a on f.document_id = a.document_id and f.line_no = a.line_no and f.fact_label = a.fact_label
    where f.fact_kind = 'share'
),

with_total as (
    select
        s.*,
        -- the total the sentence names (占本年支出合计的…, or the total a list of parts opens with)
        coalesce((
            select t.fact_value_yuan from amounts as t
            where s.fact_base_label is not null and t.document_id = s.document_id and t.fact_label = s.fact_base_label
                and t.line_no <= s.line_no and t.line_no >= s.line_no - 12
            order by t.line_no desc limit 1
        ),
        (select t.fact_value_yuan from amounts as t
        -- the total stands before its parts: on an earlier line, or (a paragraph that states
        -- the total and its parts in one) on the same line, under another label
        where t.document_id = s.document_id and t.line_no <= s.line_no and t.line_no >= s.line_no - 12
            and (t.fact_label like '%合计' or t.fact_label like '%总计') and t.fact_label <> s.fact_label
        order by t.line_no desc limit 1)) as total
    from shares as s
),

compared as (
    select
        *,
        cast(round(cast(part as decimal(38, 10)) / cast(total as decimal(38, 10)), 6) as decimal(18, 6)) as expected_share
    from with_total
    where total is not null and total <> 0
)

select
    document_id,
    source_file,
    location,
    '情况说明 ' || fact_label || ' 占比' as entity,
    cast(expected_share as string) as expected,
    cast(share as string) as actual,
    cast(share - expected_share as string) as difference,
    0.00005 + 0.0001 as band,
    fact_label || ' 占比 ' || cast(share as string) || '，按金额计算为 ' || cast(expected_share as string) as message
from compared
where round(expected_share, 4) <> share
