with

documents as (

    select * from {{ ref('int_current_documents') }}
    where department is not null and status <> 'quarantined'

),

final as (

    select
        coalesce(adcode, '?') || '|' || department as department_key,
        adcode,
        max(province) as province,
        max(city) as city,
        max(county) as county,
        department,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        count(*) as documents
    from documents
    group by adcode, department

)

select * from final
