with rows_ as (
    select
        document_id,
        table_code,
        line_no,
        max(source_file) as source_file,
        max(location) as location,
        max(coalesce(subject_code || ' ', '') || row_label) as entity,
        max(case when column_label like '%合计%' then amount_yuan end) as total,
        sum(case when column_label not like '%合计%' then amount_yuan end) as parts_sum,
        count(case when column_label not like '%合计%' then amount_yuan end) as parts_n,
        max(half_unit_yuan) as half_unit
    from {{ batch }}
    where table_code = '03'
    group by document_id, table_code, line_no
)

select
    document_id,
    source_file,
    location,
    '公开03表 ' || entity as entity,
    cast(parts_sum as string) as expected,
    cast(total as string) as actual,
    cast(total - parts_sum as string) as difference,
    greatest(parts_n, 1) * half_unit as band,
    entity || '：本年支出合计 ' || cast(total as string) || ' 元与基本支出、项目支出等之和 ' || cast(parts_sum as string) || ' 元不符' as message
from rows_
where total is not null and parts_sum is not null and total <> parts_sum
