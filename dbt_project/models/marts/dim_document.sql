with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

versions as (

    select * from {{ ref('int_document_versions') }}

),

final as (

    select
        documents.document_id,
        documents.source_file,
        documents.sha256,
        documents.section,
        documents.line_start,
        documents.line_end,
        documents.doc_type,
        documents.fiscal_year,
        documents.province,
        documents.city,
        documents.county,
        documents.adcode,
        documents.department,
        documents.implementing_unit,
        documents.project_name,
        case when versions.is_current then documents.status else 'superseded' end as status,
        case when versions.is_current then documents.status_reason
            else 'superseded by ' || versions.superseded_by
        end as status_reason,
        documents.status as parse_status,
        versions.superseded_by,
        documents.published_on,
        documents.parser,
        documents.pages,
        documents.budget_scope,
        documents.publication_part,
        documents.encoding,
        documents.is_synthetic,
        documents.source_name,
        documents.tolerance_factor,
        documents.loaded_at
    from documents
    inner join versions
        on documents.document_id = versions.document_id

)

select * from final
