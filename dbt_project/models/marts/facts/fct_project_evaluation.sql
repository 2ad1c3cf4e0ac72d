-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

documents as {{ inlined_cte() }} (

    select * from {{ ref('int_current_documents') }}
    where {{ in_changed_fiscal_years() }}

),

evaluations as (

    select * from {{ ref('stg_raw__evaluations') }}

),

scores as (

    select * from {{ ref('int_project_scores') }}
    where document_id in (select documents.document_id from documents)

),

final as (

    select
        scores.document_id,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        documents.project_name,
        evaluations.total_score_reported,
        evaluations.grade_reported,
        evaluations.execution_score_reported,
        evaluations.indicator_score_reported,
        scores.execution_weight,
        scores.execution_rate_recomputed,
        scores.execution_score_recomputed,
        scores.indicator_score_recomputed,
        scores.total_score_recomputed,
        scores.grade_recomputed,
        scores.indicator_count,
        scores.indicators_not_recomputed,
        {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file,
        evaluations.line_no,
        'line ' || cast(coalesce(evaluations.line_no, documents.line_start) as {{ dbt.type_string() }}) as location
    from scores
    inner join documents
        on scores.document_id = documents.document_id
    left join evaluations
        on scores.document_id = evaluations.document_id

)

select * from final
