with cells as (
    select * from {{ batch }}
    where table_code in ('02', '03', '05', '06', '11', '12') and amount_yuan is not null
),

parents as (
    select
        document_id,
        table_code,
        table_title,
        column_label,
        source_file,
        location,
        subject_code as parent_code,
        subject_code || ' ' || coalesce(subject_name, '') as entity,
        amount_yuan as total,
        half_unit_yuan
    from cells
    where length(subject_code) in (3, 5)
    union all
    select
        document_id,
        table_code,
        table_title,
        column_label,
        source_file,
        location,
        '' as parent_code,
        '合计' as entity,
        amount_yuan as total,
        half_unit_yuan
    from cells
    where subject_code is null and row_key = 'total'
),

children as (
    select
        document_id,
        table_code,
        column_label,
        case when length(subject_code) = 3 then '' else substr(subject_code, 1, length(subject_code) - 2) end as parent_code,
        sum(amount_yuan) as children_sum,
        count(*) as children_n
    from cells
    where length(subject_code) in (3, 5, 7)
    group by 1, 2, 3, 4
)

select
    p.document_id,
    p.source_file,
    p.location,
    p.table_title || ' ' || p.entity || ' / ' || p.column_label as entity,
    cast(c.children_sum as string) as expected,
    cast(p.total as string) as actual,
    cast(p.total - c.children_sum as string) as difference,
    c.children_n * p.half_unit_yuan as band,
    p.entity || '（' || p.column_label || '）' || cast(p.total as string) || ' 元与下级科目之和 '
    || cast(c.children_sum as string) || ' 元不符' as message
from parents as p
inner join children as c
    on p.document_id = c.document_id and p.table_code = c.table_code
        and p.column_label = c.column_label and p.parent_code = c.parent_code
where p.total <> c.children_sum
