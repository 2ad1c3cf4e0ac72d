with accounts as (
    select
        l.document_id,
        max(l.source_file) as source_file,
        max(l.location) as location,
        max(l.half_unit_yuan) as half_unit,
        max(d.fiscal_year) as fiscal_year,
        max(d.adcode) as adcode,
        max(d.department) as department,
        max(case when l.table_code = '03' and l.row_label = '合计' and l.column_label like '%项目支出%' then l.amount_yuan end)
            as project_spending
    from {{ batch }} as l
    inner join marts.dim_document as d on l.document_id = d.document_id
    group by l.document_id
),

stated as (
    select
        document_id,
        max(fact_value) as stated_projects
    from marts.fct_narrative_fact
    where fact_kind = 'project_count'
    group by document_id
),

projects as (
    select
        fiscal_year,
        adcode,
        department,
        sum(executed_yuan) as executed,
        count(*) as reports
    from marts.fct_project_budget
    where fund_source = 'total'
    group by fiscal_year, adcode, department
)

select
    a.document_id,
    a.source_file,
    a.location,
    '项目支出 / 项目自评执行数之和' as entity,
    cast(a.project_spending as string) as expected,
    cast(p.executed as string) as actual,
    cast(p.executed - a.project_spending as string) as difference,
    p.reports * a.half_unit as band,
    '各项目全年执行数之和 ' || cast(p.executed as string) || ' 元与支出决算表项目支出 ' || cast(a.project_spending as string) || ' 元不符' as message
from accounts as a
inner join projects as p on a.fiscal_year = p.fiscal_year and a.adcode = p.adcode and a.department = p.department
left join stated as s on a.document_id = s.document_id
where a.project_spending is not null
    and p.reports >= coalesce(s.stated_projects, p.reports)
    and p.executed <> a.project_spending
