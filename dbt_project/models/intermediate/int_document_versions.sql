{{ config(materialized='table', meta={'tests_scope': 'loaded_documents'}) }}

-- A corrected re-publication replaces the earlier version of the same document: the same kind of
-- document for the same year, region, department and project. What a file's path holds now comes
-- first (a document whose path was read since with other content is not current: a file edited in
-- place, or restored to an earlier version, is what it holds now); then the newer wins (publication
-- date the text states, then the file's modification time, then the load time). The older is kept
-- and marked superseded.
with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

keyed as (

    select
        document_id,
        published_on,
        file_modified_at,
        loaded_at,
        loaded_at = max(loaded_at) over (partition by source_file) as holds_its_path,
        case when status <> 'quarantined' then
                doc_type || '|' || coalesce(cast(fiscal_year as {{ dbt.type_string() }}), '?') || '|' || coalesce(adcode, '?')
                || '|' || coalesce(department, '?') || '|' || coalesce(project_name, '')
                -- a budget's two halves (预算说明, 公开表) are two documents, and a unit's budget is not its department's
                || '|' || coalesce(budget_scope, '') || '|' || coalesce(publication_part, '')
        end as version_key
    from documents

),

ranked as (

    select
        document_id,
        version_key,
        row_number() over (
            partition by coalesce(version_key, document_id)
            order by
                holds_its_path desc, published_on desc nulls last, file_modified_at desc nulls last, loaded_at desc,
                document_id asc
        ) as version_rank
    from keyed

),

latest as (

    select
        version_key,
        document_id as latest_document_id
    from ranked
    where version_rank = 1 and version_key is not null

),

final as (

    select
        ranked.document_id,
        ranked.version_key,
        ranked.version_rank,
        ranked.version_rank = 1 as is_current,
        case when ranked.version_rank > 1 then latest.latest_document_id end as superseded_by
    from ranked
    left join latest
        on ranked.version_key = latest.version_key

)

select * from final
