with summary as (
    select
        document_id,
        max(source_file) as source_file,
        max(location) as location,
        max(half_unit_yuan) as half_unit,
        max(case when row_label like '%本年收入合计%' and column_label like '收入%' then amount_yuan end) as income,
        max(case when row_label like '%本年支出合计%' and column_label like '支出%' then amount_yuan end) as spending
    from {{ batch }}
    where table_code = '01'
    group by document_id
),

detail as (
    select
        document_id,
        max(case when table_code = '02' and column_label like '%本年收入合计%' then amount_yuan end) as income,
        max(case when table_code = '03' and column_label like '%本年支出合计%' then amount_yuan end) as spending
    from {{ batch }}
    where table_code in ('02', '03') and row_label = '合计'
    group by document_id
),

pairs as (
    select
        s.document_id,
        s.source_file,
        s.location,
        s.half_unit,
        '本年收入合计 / 公开02表合计' as entity,
        d.income as expected,
        s.income as actual
    from summary as s inner join detail as d on s.document_id = d.document_id
    union all
    select
        s.document_id,
        s.source_file,
        s.location,
        s.half_unit,
        '本年支出合计 / 公开03表合计',
        d.spending,
        s.spending
    from summary as s inner join detail as d on s.document_id = d.document_id
)

select
    document_id,
    source_file,
    location,
    '公开01表 ' || entity as entity,
    cast(expected as string) as expected,
    cast(actual as string) as actual,
    cast(actual - expected as string) as difference,
    2 * half_unit as band,
    entity || '：' || cast(actual as string) || ' 元与 ' || cast(expected as string) || ' 元不符' as message
from pairs
where expected is not null and actual is not null and expected <> actual
