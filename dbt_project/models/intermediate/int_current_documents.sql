{{ config(meta={'tests_scope': 'loaded_documents'}) }}

-- The documents the facts are built from: every document but the versions a newer one replaced.
with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

versions as (

    select * from {{ ref('int_document_versions') }}

),

final as (

    select documents.*
    from documents
    inner join versions
        on documents.document_id = versions.document_id
    where versions.is_current

)

select * from final
