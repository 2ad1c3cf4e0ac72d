with detail as (
    select
        document_id,
        max(source_file) as source_file,
        min(location) as location,
        max(half_unit_yuan) as half_unit,
        sum(amount_yuan) as classes_sum,
        count(*) as classes_n
    from {{ batch }}
    where table_code = '06' and length(subject_code) = 3 and amount_yuan is not null
    group by document_id
),

stated as (
    select
        document_id,
        max(amount_yuan) as basic
    from {{ batch }}
    where table_code = '05' and row_label = '合计' and column_label like '%基本支出%'
    group by document_id
)

select
    d.document_id,
    d.source_file,
    d.location,
    '公开06表 基本支出' as entity,
    cast(s.basic as string) as expected,
    cast(d.classes_sum as string) as actual,
    cast(d.classes_sum - s.basic as string) as difference,
    (d.classes_n + 1) * d.half_unit as band,
    '基本支出明细各类之和 ' || cast(d.classes_sum as string) || ' 元与公开05表基本支出 ' || cast(s.basic as string) || ' 元不符' as message
from detail as d
inner join stated as s on d.document_id = s.document_id
where d.classes_sum <> s.basic
