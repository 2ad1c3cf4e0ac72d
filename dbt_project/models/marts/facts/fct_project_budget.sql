-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

budget_lines as (

    select * from {{ ref('stg_raw__budget_lines') }}

),

documents as {{ inlined_cte() }} (

    select * from {{ ref('int_current_documents') }}
    where {{ in_changed_fiscal_years() }}

),

final as (

    select
        budget_lines.budget_line_id,
        budget_lines.document_id,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        documents.project_name,
        budget_lines.fund_source,
        budget_lines.fund_source_label,
        budget_lines.budget_declared_yuan,
        budget_lines.budget_initial_yuan,
        budget_lines.budget_adjusted_yuan,
        budget_lines.executed_yuan,
        budget_lines.balance_yuan,
        budget_lines.execution_rate,
        budget_lines.execution_rate_decimals,
        budget_lines.weight,
        budget_lines.score_reported,
        budget_lines.note,
        budget_lines.printed_unit,
        cast(0.005 * {{ to_yuan('1', 'budget_lines.printed_unit') }} * documents.tolerance_factor as decimal(18, 4))
            as half_unit_yuan,
        {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file,
        budget_lines.line_no,
        'line ' || cast(budget_lines.line_no as {{ dbt.type_string() }}) as location,
        budget_lines.ocr_confidence,
        {{ ocr_unsure('budget_lines.ocr_confidence') }} as ocr_unsure
    from budget_lines
    inner join documents
        on budget_lines.document_id = documents.document_id

)

select * from final
