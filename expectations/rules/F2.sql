with side as (
    select
        document_id,
        max(source_file) as source_file,
        max(case when row_label like '%总计%' then location end) as location,
        max(case when row_label like '%总计%' then amount_yuan end) as total,
        sum(case when row_label not like '%总计%' and (
                    row_label like '%本年支出合计%' or row_label like '%结余分配%' or row_label like '%年末结转和结余%'
                ) then amount_yuan
        end) as parts_sum,
        count(case when row_label not like '%总计%' and (
                    row_label like '%本年支出合计%' or row_label like '%结余分配%' or row_label like '%年末结转和结余%'
                ) then amount_yuan
        end) as parts_n,
        max(half_unit_yuan) as half_unit
    from {{ batch }}
    where table_code = '01' and column_label like '支出%'
    group by document_id
)

select
    document_id,
    source_file,
    location,
    '公开01表 支出总计' as entity,
    cast(parts_sum as string) as expected,
    cast(total as string) as actual,
    cast(total - parts_sum as string) as difference,
    greatest(parts_n, 1) * half_unit as band,
    '支出总计 ' || cast(total as string) || ' 元与本年支出合计、结余分配和结转之和 ' || cast(parts_sum as string) || ' 元不符' as message
from side
where total is not null and parts_sum is not null and total <> parts_sum
