-- Budgeted expenditure by functional subject, per budget publication: total, basic and project
-- spending per code, from the 支出预算总表 where it lists subjects (some print only its total row),
-- else from the 一般公共预算支出功能分类预算表, else from the 财政拨款支出预算表（功能科目）.
-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

publications as {{ inlined_cte() }} (

    select * from {{ ref('int_budget_publications') }}
    where {{ in_changed_fiscal_years() }}

),

documents as (

    select * from {{ ref('int_current_documents') }}

),

tables as (

    select * from {{ ref('stg_raw__budget_tables') }}

),

lines as (

    select * from {{ ref('stg_raw__budget_table_lines') }}
    where table_code in ('03', '05', '11') and subject_code is not null
        and document_id in (select publications.document_id from publications)

),

chosen as (

    -- the first of 03, 05, 11 that lists subjects, per document
    select
        document_id,
        min(case table_code when '03' then 1 when '05' then 2 else 3 end) as preference
    from lines
    group by document_id

),

pivoted as (

    select
        lines.document_id,
        lines.subject_code,
        max(lines.table_code) as table_code,
        max(lines.subject_name) as subject_name,
        max(lines.subject_level) as subject_level,
        min(lines.line_no) as line_no,
        min(lines.page) as page,
        min(lines.table_row) as table_row,
        {{ subject_amounts('lines') }}
    from lines
    inner join chosen
        on lines.document_id = chosen.document_id
            and case lines.table_code when '03' then 1 when '05' then 2 else 3 end = chosen.preference
    group by lines.document_id, lines.subject_code

),

final as (

    select
        pivoted.document_id || ':' || pivoted.subject_code as budget_expenditure_id,
        pivoted.document_id,
        publications.publication_id,
        publications.fiscal_year,
        publications.adcode,
        publications.department,
        publications.budget_scope,
        pivoted.subject_code,
        pivoted.subject_name,
        pivoted.subject_level,
        'functional:' || pivoted.subject_code as subject_key,
        pivoted.table_code,
        pivoted.total_yuan,
        pivoted.basic_yuan,
        pivoted.project_yuan,
        {{ fiscal_year_partition('publications.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file,
        pivoted.line_no,
        {{ location('pivoted.page', 'pivoted.line_no', 'tables.table_title', 'pivoted.table_row') }} as location
    from pivoted
    inner join publications
        on pivoted.document_id = publications.document_id
    inner join documents
        on pivoted.document_id = documents.document_id
    left join tables
        on pivoted.document_id = tables.document_id
            and pivoted.table_code = tables.table_code

)

select * from final
