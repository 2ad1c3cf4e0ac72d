{#- The standard tables of a final accounts and of a budget have one shape (raw.final_account_* and
    raw.budget_*, ingest/load.py): their staging models and their line facts are built by these
    macros, so the two kinds cannot drift apart. -#}

{#- Staging of a raw table of statement amounts: ids, the subject's level, amounts in yuan. -#}
{% macro stage_statement_lines(source_table, id_column) -%}
with

source as (

    select * from {{ source('raw', source_table) }}

),

renamed as (

    select
        document_id
        || ':' || table_code
        || ':' || cast(line_no as {{ dbt.type_string() }})
        || ':' || coalesce(column_no, column_label)
        || ':' || coalesce(row_no, subject_code, row_label) as {{ id_column }},
        document_id,
        line_no,
        table_code,
        section as table_section,
        row_label,
        row_key,
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
        table_row,
        ocr_confidence
    from source

)

select * from renamed
{%- endmacro %}

{#- Staging of a raw table of published statement tables (empty ones included). -#}
{% macro stage_statement_tables(source_table, id_column) -%}
with

source as (

    select * from {{ source('raw', source_table) }}

),

renamed as (

    select
        document_id || ':' || table_code as {{ id_column }},
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
{%- endmacro %}

{#- A fact of statement amounts (table × row × column) of the current documents, rebuilt one fiscal
    year at a time, each amount with its place in the file and the rounding of its printed cell. -#}
{% macro statement_line_fact(lines_model, tables_model, id_column, extra_columns=[]) -%}
with

changed_years as (

    {{ changed_fiscal_years() }}

),

lines as (

    select * from {{ ref(lines_model) }}

),

tables as (

    select * from {{ ref(tables_model) }}

),

documents as {{ inlined_cte() }} (

    select * from {{ ref('int_current_documents') }}
    where {{ in_changed_fiscal_years() }}

),

final as (

    select
        lines.{{ id_column }},
        lines.document_id,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        {%- for column in extra_columns %}
        documents.{{ column }},
        {%- endfor %}
        lines.table_code,
        tables.table_title,
        lines.table_section,
        lines.row_label,
        lines.row_key,
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
        {{ location('lines.page', 'lines.line_no', 'tables.table_title', 'lines.table_row') }} as location,
        lines.ocr_confidence,
        {{ ocr_unsure('lines.ocr_confidence') }} as ocr_unsure
    from lines
    inner join documents
        on lines.document_id = documents.document_id
    left join tables
        on lines.document_id = tables.document_id
            and lines.table_code = tables.table_code

)

select * from final
{%- endmacro %}


{#- Whether an amount read by OCR is one it was unsure of: below var ocr_min_confidence. -#}
{% macro ocr_unsure(confidence) -%}
    coalesce({{ confidence }} < {{ var('ocr_min_confidence') }}, false)
{%- endmacro %}
