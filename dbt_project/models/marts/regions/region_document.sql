-- Which documents a region's figures of a year hold: every document of the year with figures in
-- the marts (final accounts, project self-evaluations, budgets) counts toward its own region (a
-- county, a city's 市本级 departments or a province's 省本级) and, a county's or a city's, toward
-- the rollups of its city (市汇总, counties only) and province (省汇总).
with

year_documents as (

    select
        document_id,
        fiscal_year
    from {{ ref('fct_department_summary') }}
    where fiscal_year is not null
    union
    select
        document_id,
        fiscal_year
    from {{ ref('fct_project_evaluation') }}
    where fiscal_year is not null
    union
    -- a budget counts toward its region's findings (its figures are in the 预决算 view)
    select
        document_id,
        fiscal_year
    from {{ ref('dim_document') }}
    where doc_type = 'department_budget' and fiscal_year is not null

),

located as (

    select
        year_documents.document_id,
        year_documents.fiscal_year,
        documents.adcode
    from year_documents
    inner join {{ ref('dim_document') }} as documents
        on year_documents.document_id = documents.document_id
    where documents.adcode is not null

),

keyed as (

    select
        document_id,
        fiscal_year,
        adcode as region_code,
        case length(adcode) when 6 then '县级' when 4 then '市本级' else '省本级' end as level
    from located
    union all
    select
        document_id,
        fiscal_year,
        left(adcode, 4) as region_code,
        '市汇总' as level
    from located
    where length(adcode) = 6
    union all
    select
        document_id,
        fiscal_year,
        left(adcode, 2) as region_code,
        '省汇总' as level
    from located
    where length(adcode) >= 4

)

select
    cast(fiscal_year as {{ dbt.type_string() }}) || '-' || region_code || '-' || level || '-' || document_id
        as region_document_id,
    fiscal_year,
    region_code,
    level,
    document_id
from keyed
