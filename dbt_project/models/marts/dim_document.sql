with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

final as (

    select
        document_id,
        source_file,
        sha256,
        section,
        line_start,
        line_end,
        doc_type,
        fiscal_year,
        province,
        city,
        county,
        adcode,
        department,
        implementing_unit,
        project_name,
        status,
        status_reason,
        parser,
        encoding,
        is_synthetic,
        source_name,
        tolerance_factor,
        loaded_at
    from documents

)

select * from final
