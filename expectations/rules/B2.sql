with rows_ as (
    select
        document_id,
        table_code,
        line_no,
        coalesce(subject_code, row_label) as row_id,
        max(source_file) as source_file,
        max(location) as location,
        max(table_title) as table_title,
        max(row_label) as row_label,
        max(half_unit_yuan) as half_unit,
        max(case when column_label = '合计' then amount_yuan end) as total,
        sum(case when column_label <> '合计' then amount_yuan end) as parts,
        count(case when column_label <> '合计' then 1 end) as parts_n
    from {{ batch }}
    where table_code in ('02', '03') and amount_yuan is not null
    group by document_id, table_code, line_no, coalesce(subject_code, row_label)
)

select
    document_id,
    source_file,
    location,
    table_title || ' ' || row_label || ' 合计' as entity,
    cast(parts as string) as expected,
    cast(total as string) as actual,
    cast(total - parts as string) as difference,
    parts_n * half_unit as band,
    row_label || ' 合计 ' || cast(total as string) || ' 元与各列之和 ' || cast(parts as string) || ' 元不符' as message
from rows_
where total is not null and parts_n > 0 and total <> parts
