{{ config(meta={'tests_scope': 'loaded_documents'}) }}

-- Per project: execution rate and score from the funds block, indicator scores summed, grade banded.
with

budget_totals as (

    select * from {{ ref('stg_raw__budget_lines') }}
    where fund_source = 'total'

),

indicator_scores as (

    select * from {{ ref('int_indicator_scores') }}

),

policies as (

    select * from {{ ref('int_document_policies') }}

),

grades as (

    select * from {{ ref('grade_bands') }}

),

indicator_totals as (

    select
        document_id,
        -- An indicator the rules cannot score (no comparable target) keeps its reported score.
        sum(coalesce(score_recomputed, score_reported, 0)) as indicator_score_recomputed,
        cast(count(*) as integer) as indicator_count,
        sum(weight) as indicator_weight_total,
        cast(sum(case when score_recomputed is null then 1 else 0 end) as integer) as indicators_not_recomputed
    from indicator_scores
    group by document_id

),

projects as (

    select
        policies.document_id,
        coalesce(budget_totals.weight, policies.execution_weight) as execution_weight,
        -- from the amounts; a report that states only the rate (in prose) keeps its stated rate
        coalesce(
            {{ safe_divide('budget_totals.executed_yuan', 'budget_totals.budget_adjusted_yuan') }},
            budget_totals.execution_rate
        ) as execution_rate_recomputed,
        indicator_totals.indicator_score_recomputed,
        indicator_totals.indicator_count,
        indicator_totals.indicator_weight_total,
        indicator_totals.indicators_not_recomputed
    from policies
    left join budget_totals
        on policies.document_id = budget_totals.document_id
    left join indicator_totals
        on policies.document_id = indicator_totals.document_id
    where budget_totals.document_id is not null or indicator_totals.document_id is not null

),

scored as (

    select
        *,
        -- least() skips nulls on some engines and not on others: spell the null case out
        case when execution_rate_recomputed is not null then
                cast(round(least(execution_weight, execution_weight * execution_rate_recomputed), 2) as decimal(9, 2))
        end as execution_score_recomputed
    from projects

),

totals as (

    select
        *,
        -- without weighted indicators there is nothing to recompute a total from
        case when indicator_weight_total is not null then
                cast(coalesce(execution_score_recomputed, 0) + indicator_score_recomputed as decimal(9, 2))
        end as total_score_recomputed
    from scored

),

final as (

    select
        totals.document_id,
        totals.execution_weight,
        totals.execution_rate_recomputed,
        totals.execution_score_recomputed,
        totals.indicator_score_recomputed,
        totals.indicator_count,
        totals.indicators_not_recomputed,
        totals.total_score_recomputed,
        grades.grade as grade_recomputed
    from totals
    left join grades
        on totals.total_score_recomputed >= grades.min_score
            and totals.total_score_recomputed < grades.max_score

)

select * from final
