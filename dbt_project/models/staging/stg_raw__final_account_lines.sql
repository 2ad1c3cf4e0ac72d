with

source as (

    select * from {{ source('raw', 'final_account_lines') }}

),

renamed as (

    select
        document_id
        || ':' || table_code
        || ':' || cast(line_no as {{ dbt.type_string() }})
        || ':' || coalesce(column_no, column_label)
        || ':' || coalesce(row_no, subject_code, row_label) as final_account_line_id,
        document_id,
        line_no,
        table_code,
        section as table_section,
        row_label,
        row_no,
        subject_code,
        subject_name,
        case length(subject_code)
            when 3 then '类'
            when 5 then '款'
            when 7 then '项'
        end as subject_level,
        column_label,
        column_no,
        amount as printed_amount,
        unit as printed_unit,
        {{ to_yuan('amount', 'unit') }} as amount_yuan,
        page,
        table_row
    from source

)

select * from renamed
