-- A budget publication is a department's (or unit's) budget for a year: one file, or two (the
-- narrative 预算说明 and the tables 公开表). Each budget document with the publication it belongs
-- to, and which of the publication's documents holds its tables and its narrative.
with

documents as (

    select * from {{ ref('int_current_documents') }}
    where doc_type = 'department_budget' and status <> 'quarantined'

),

keyed as (

    select
        document_id,
        fiscal_year,
        adcode,
        department,
        department_key,
        budget_scope,
        publication_part,
        coalesce(cast(fiscal_year as {{ dbt.type_string() }}), '?') || '|' || coalesce(adcode, '?')
        || '|' || coalesce(department_key, document_id) || '|' || coalesce(budget_scope, 'department')
            as publication_key
    from documents

),

halves as (

    select
        publication_key,
        -- the tables' document names the publication (it holds the figures the rules read)
        coalesce(
            min(case when publication_part is null or publication_part = 'tables' then document_id end),
            min(document_id)
        ) as publication_id,
        coalesce(
            min(case when publication_part is null or publication_part = 'narrative' then document_id end),
            min(document_id)
        ) as narrative_document_id,
        count(*) as documents
    from keyed
    group by publication_key

),

final as (

    select
        keyed.document_id,
        halves.publication_id,
        halves.narrative_document_id,
        halves.documents as publication_documents,
        keyed.fiscal_year,
        keyed.adcode,
        keyed.department,
        keyed.department_key,
        coalesce(keyed.budget_scope, 'department') as budget_scope,
        keyed.publication_part
    from keyed
    inner join halves
        on keyed.publication_key = halves.publication_key

)

select * from final
