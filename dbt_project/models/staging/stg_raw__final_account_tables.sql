with

source as (

    select * from {{ source('raw', 'final_account_tables') }}

),

renamed as (

    select
        document_id || ':' || table_code as final_account_table_id,
        document_id,
        table_code,
        title as table_title,
        line_no,
        unit as printed_unit,
        is_empty,
        row_count,
        page
    from source

)

select * from renamed
