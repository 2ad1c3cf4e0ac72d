with

source as (

    select * from {{ source('raw', 'documents') }}

),

renamed as (

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
        -- the name the halves of one publication, and its budget and final accounts, are matched on
        {{ department_key('department') }} as department_key,
        implementing_unit,
        project_name,
        status,
        reason as status_reason,
        parser,
        encoding,
        is_synthetic,
        source_name,
        cast(coalesce(tolerance_factor, 1) as decimal(9, 4)) as tolerance_factor,
        published_on,
        pages,
        scope as budget_scope,
        part as publication_part,
        ocr_pages,
        file_modified_at,
        loaded_at,
        substr(adcode, 1, 2) as province_code
    from source

)

select * from renamed
