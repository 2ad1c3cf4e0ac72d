with

source as (

    select * from {{ source('raw', 'budget_lines') }}

),

renamed as (

    select
        document_id || ':' || cast(line_no as {{ dbt.type_string() }}) as budget_line_id,
        document_id,
        line_no,
        fund_source,
        fund_source_label,
        unit as printed_unit,
        cast(budget_declared_yuan as decimal(18, 2)) as budget_declared_yuan,
        cast(budget_initial_yuan as decimal(18, 2)) as budget_initial_yuan,
        cast(budget_adjusted_yuan as decimal(18, 2)) as budget_adjusted_yuan,
        cast(executed_yuan as decimal(18, 2)) as executed_yuan,
        cast(balance_yuan as decimal(18, 2)) as balance_yuan,
        execution_rate,
        execution_rate_decimals,
        weight,
        score_reported,
        note,
        ocr_confidence
    from source

)

select * from renamed
