-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

indicators as (

    select * from {{ ref('stg_raw__indicator_lines') }}

),

scores as (

    select * from {{ ref('int_indicator_scores') }}

),

documents as {{ inlined_cte() }} (

    select * from {{ ref('int_current_documents') }}
    where {{ in_changed_fiscal_years() }}

),

final as (

    select
        indicators.indicator_line_id,
        indicators.document_id,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        documents.project_name,
        indicators.seq,
        indicators.level1,
        indicators.level1_points,
        indicators.level2,
        indicators.indicator_name,
        indicators.target_text,
        indicators.target_operator,
        indicators.target_value,
        indicators.target_value_high,
        indicators.target_unit,
        indicators.actual_text,
        indicators.actual_value,
        indicators.weight,
        indicators.score_reported,
        scores.score_recomputed,
        scores.scoring_basis,
        indicators.deviation_reason,
        {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file,
        indicators.line_no,
        'line ' || cast(indicators.line_no as {{ dbt.type_string() }}) as location,
        indicators.ocr_confidence,
        {{ ocr_unsure('indicators.ocr_confidence') }} as ocr_unsure
    from indicators
    inner join documents
        on indicators.document_id = documents.document_id
    left join scores
        on indicators.indicator_line_id = scores.indicator_line_id

)

select * from final
