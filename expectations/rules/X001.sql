with stated as (
    select
        document_id,
        source_file,
        location,
        fiscal_year,
        adcode,
        department,
        case when fact_kind = 'project_count' then '项目个数' else '自评等级“' || fact_label || '”' end as measure,
        fact_kind,
        fact_label,
        max(fact_value) as stated_count
    from {{ batch }}
    where doc_type = 'final_accounts' and fact_kind in ('project_count', 'grade_count')
    group by document_id, source_file, location, fiscal_year, adcode, department, fact_kind, fact_label
),

loaded as (
    select
        fiscal_year,
        adcode,
        department,
        count(*) as projects,
        count(case when grade_reported = '优' then 1 end) as excellent,
        count(case when grade_reported = '良' then 1 end) as good,
        count(case when grade_reported = '中' then 1 end) as fair,
        count(case when grade_reported = '差' then 1 end) as poor
    from marts.fct_project_evaluation
    group by fiscal_year, adcode, department
),

compared as (
    select
        s.*,
        case
            when s.fact_kind = 'project_count' then l.projects
            when s.fact_label = '优' then l.excellent
            when s.fact_label = '良' then l.good
            when s.fact_label = '中' then l.fair
            else l.poor
        end as loaded_count
    from stated as s
    inner join loaded as l
        on s.fiscal_year = l.fiscal_year and s.adcode = l.adcode and s.department = l.department
)

select
    document_id,
    source_file,
    min(location) as location,
    measure as entity,
    cast(cast(stated_count as integer) as string) as expected,
    cast(loaded_count as string) as actual,
    cast(loaded_count - cast(stated_count as integer) as string) as difference,
    cast(null as decimal(38, 10)) as band,
    '决算说明称' || measure || ' ' || cast(cast(stated_count as integer) as string) || ' 个，已载入的项目自评报告为 '
    || cast(loaded_count as string) || ' 个' as message
from compared
where loaded_count <> stated_count
group by document_id, source_file, measure, stated_count, loaded_count
