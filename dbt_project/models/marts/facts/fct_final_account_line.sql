-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

lines as (

    select * from {{ ref('stg_raw__final_account_lines') }}

),

tables as (

    select * from {{ ref('stg_raw__final_account_tables') }}

),

documents as {{ inlined_cte() }} (

    select * from {{ ref('int_current_documents') }}
    where {{ in_changed_fiscal_years() }}

),

final as (

    select
        lines.final_account_line_id,
        lines.document_id,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        lines.table_code,
        tables.table_title,
        lines.table_section,
        lines.row_label,
        lines.row_no,
        lines.subject_code,
        lines.subject_name,
        lines.subject_level,
        lines.column_label,
        lines.column_no,
        lines.printed_amount,
        lines.printed_unit,
        lines.amount_yuan,
        -- one printed cell is rounded to 0.01 of its unit: half of that, in yuan, scaled per source
        cast(0.005 * {{ to_yuan('1', 'lines.printed_unit') }} * documents.tolerance_factor as decimal(18, 4))
            as half_unit_yuan,
        {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file,
        lines.line_no,
        lines.page,
        lines.table_row,
        {{ location('lines.page', 'lines.line_no', 'tables.table_title', 'lines.table_row') }} as location
    from lines
    inner join documents
        on lines.document_id = documents.document_id
    left join tables
        on lines.document_id = tables.document_id
            and lines.table_code = tables.table_code

)

select * from final
