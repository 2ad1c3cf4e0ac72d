with rows_ as (
    select
        document_id,
        line_no,
        max(source_file) as source_file,
        max(location) as location,
        max(table_title) as table_title,
        max(half_unit_yuan) as half_unit,
        -- the 三公 total: its own column, or the table's 合计 where nothing else (会议费, 培训费) is printed beside it
        coalesce(
            max(case when column_label = '三公经费合计' then amount_yuan end),
            case when count(case when column_label in ('会议费', '培训费', '机关运行经费') then 1 end) = 0
                    then max(case when column_label = '合计' then amount_yuan end)
            end
        ) as total,
        max(case when column_label = '因公出国（境）费' then amount_yuan end) as overseas,
        max(case when column_label = '公务用车购置及运行费' then amount_yuan end) as vehicles,
        max(case when column_label = '公务接待费' then amount_yuan end) as reception,
        max(case when column_label = '购置费' then amount_yuan end) as purchase,
        max(case when column_label = '运行费' then amount_yuan end) as running
    from {{ batch }}
    where table_code = '07' and amount_yuan is not null
    group by document_id, line_no
),

checks as (
    select
        document_id,
        source_file,
        location,
        table_title || ' 合计' as entity,
        total as actual,
        3 * half_unit as band,
        coalesce(overseas, 0) + coalesce(vehicles, coalesce(purchase, 0) + coalesce(running, 0)) + coalesce(reception, 0)
            as expected
    from rows_
    where total is not null
    union all
    select
        document_id,
        source_file,
        location,
        table_title || ' 公务用车购置及运行费' as entity,
        vehicles as actual,
        2 * half_unit as band,
        coalesce(purchase, 0) + coalesce(running, 0) as expected
    from rows_
    where vehicles is not null and (purchase is not null or running is not null)
)

select
    document_id,
    source_file,
    location,
    entity,
    cast(expected as string) as expected,
    cast(actual as string) as actual,
    cast(actual - expected as string) as difference,
    band,
    entity || ' ' || cast(actual as string) || ' 元与各项之和 ' || cast(expected as string) || ' 元不符' as message
from checks
where actual <> expected
