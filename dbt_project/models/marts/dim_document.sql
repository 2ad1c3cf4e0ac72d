with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

versions as (

    select * from {{ ref('int_document_versions') }}

),

approvals as (

    select * from {{ ref('stg_raw__approvals') }}

),

-- the figures of each document OCR was unsure of: table amounts, project funds and indicator rows
unsure as (

    select
        document_id,
        count(*) as ocr_unsure_figures
    from (
        select
            document_id,
            ocr_confidence
        from {{ ref('stg_raw__final_account_lines') }}
        union all
        select
            document_id,
            ocr_confidence
        from {{ ref('stg_raw__budget_table_lines') }}
        union all
        select
            document_id,
            ocr_confidence
        from {{ ref('stg_raw__budget_lines') }}
        union all
        select
            document_id,
            ocr_confidence
        from {{ ref('stg_raw__indicator_lines') }}
    ) as amounts
    where {{ ocr_unsure('ocr_confidence') }}
    group by document_id

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
        coalesce(own_approval.approved_on, region_approval.approved_on) as approved_on,
        documents.parser,
        documents.pages,
        documents.ocr_pages,
        coalesce(unsure.ocr_unsure_figures, 0) as ocr_unsure_figures,
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
    -- the day the document's kind was approved for its department, else for its whole region
    left join approvals as own_approval
        on
            documents.adcode = own_approval.adcode
            and documents.fiscal_year = own_approval.fiscal_year
            and documents.doc_type = own_approval.doc_type
            and {{ department_key('documents.department') }} = own_approval.department_key
    left join unsure
        on documents.document_id = unsure.document_id
    left join approvals as region_approval
        on
            documents.adcode = region_approval.adcode
            and documents.fiscal_year = region_approval.fiscal_year
            and documents.doc_type = region_approval.doc_type
            and region_approval.department is null

)

select * from final
