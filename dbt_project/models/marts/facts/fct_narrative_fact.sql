-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

facts as (

    select * from {{ ref('stg_raw__narrative_facts') }}

),

publications as (

    select * from {{ ref('int_budget_publications') }}

),

documents as {{ inlined_cte() }} (

    select * from {{ ref('int_current_documents') }}
    where {{ in_changed_fiscal_years() }}

),

final as (

    select
        facts.document_id || ':' || cast(facts.line_no as {{ dbt.type_string() }})
        || ':' || facts.fact_kind || ':' || coalesce(facts.fact_label, '')
        || ':' || coalesce(cast(facts.fact_value as {{ dbt.type_string() }}), '') as narrative_fact_id,
        facts.document_id,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        documents.project_name,
        documents.doc_type,
        facts.fact_kind,
        facts.fact_label,
        facts.fact_value,
        facts.fact_unit,
        facts.fact_value_yuan,
        facts.sentence,
        facts.fact_base_label,
        facts.current_yuan,
        facts.change_yuan,
        -- a budget's figures: the publication whose tables they are held against
        publications.publication_id,
        facts.page,
        {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file,
        facts.line_no,
        {{ location('facts.page', 'facts.line_no') }} as location
    from facts
    inner join documents
        on facts.document_id = documents.document_id
    left join publications
        on facts.document_id = publications.document_id

)

select * from final
