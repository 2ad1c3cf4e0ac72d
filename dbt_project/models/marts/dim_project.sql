with

documents as (

    select * from {{ ref('int_current_documents') }}
    where project_name is not null and status <> 'quarantined'

),

final as (

    select
        coalesce(adcode, '?') || '|' || coalesce(department, '?') || '|' || project_name as project_key,
        coalesce(adcode, '?') || '|' || coalesce(department, '?') as department_key,
        adcode,
        department,
        project_name,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        count(*) as reports
    from documents
    group by adcode, department, project_name

)

select * from final
