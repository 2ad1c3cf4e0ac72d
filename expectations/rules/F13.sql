with cells as (
    select
        *,
        case when column_label like '预算%' then '预算数' when column_label like '决算%' then '决算数' end as phase
    from {{ batch }}
    where table_code = '09' and amount_yuan is not null
),

checks as (
    select
        document_id,
        phase,
        '合计' as entity,
        max(source_file) as source_file,
        max(location) as location,
        max(half_unit_yuan) as half_unit,
        max(case when column_label like '%/合计' then amount_yuan end) as total,
        sum(case when column_label like '%出国%' or column_label like '%公务用车购置及运行维护费/小计'
                or column_label like '%接待%' then amount_yuan
        end) as parts_sum,
        count(case when column_label like '%出国%' or column_label like '%公务用车购置及运行维护费/小计'
                or column_label like '%接待%' then amount_yuan
        end) as parts_n
    from cells
    group by document_id, phase
    union all
    select
        document_id,
        phase,
        '公务用车购置及运行维护费',
        max(source_file),
        max(location),
        max(half_unit_yuan),
        max(case when column_label like '%/小计' then amount_yuan end),
        sum(case when column_label like '%购置费' or column_label like '%运行维护费' and column_label not like '%及运行维护费'
                then amount_yuan
        end),
        count(case when column_label like '%购置费' or column_label like '%运行维护费' and column_label not like '%及运行维护费'
                then amount_yuan
        end)
    from cells
    group by document_id, phase
)

select
    document_id,
    source_file,
    location,
    '公开09表 ' || phase || ' ' || entity as entity,
    cast(parts_sum as string) as expected,
    cast(total as string) as actual,
    cast(total - parts_sum as string) as difference,
    greatest(parts_n, 1) * half_unit as band,
    phase || entity || ' ' || cast(total as string) || ' 元与分项之和 ' || cast(parts_sum as string) || ' 元不符' as message
from checks
where total is not null and parts_sum is not null and total <> parts_sum
