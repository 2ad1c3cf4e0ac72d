-- Expenditure by functional subject (支出决算表, 公开03): total, basic and project spending per code.
-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

documents as {{ inlined_cte() }} (

    select * from {{ ref('int_current_documents') }}
    where {{ in_changed_fiscal_years() }}

),

lines as (

    select * from {{ ref('stg_raw__final_account_lines') }}
    where table_code = '03' and subject_code is not null
        and document_id in (select documents.document_id from documents)

),

pivoted as (

    select
        document_id,
        subject_code,
        max(subject_name) as subject_name,
        max(subject_level) as subject_level,
        min(line_no) as line_no,
        min(page) as page,
        min(table_row) as table_row,
        {{ subject_amounts() }}
    from lines
    group by document_id, subject_code

),

final as (

    select
        pivoted.document_id || ':' || pivoted.subject_code as expenditure_id,
        pivoted.document_id,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        documents.department_key,
        pivoted.subject_code,
        pivoted.subject_name,
        pivoted.subject_level,
        'functional:' || pivoted.subject_code as subject_key,
        pivoted.total_yuan,
        pivoted.basic_yuan,
        pivoted.project_yuan,
        {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file,
        pivoted.line_no,
        {{ location('pivoted.page', 'pivoted.line_no', "'支出决算表'", 'pivoted.table_row') }} as location
    from pivoted
    inner join documents
        on pivoted.document_id = documents.document_id

)

select * from final
