{{ config(meta={'tests_scope': 'loaded_documents'}) }}

-- Each indicator's score recomputed from its target and actual value (DOMAIN §3 scoring rules).
with

indicators as (

    select * from {{ ref('stg_raw__indicator_lines') }}

),

policies as (

    select * from {{ ref('int_document_policies') }}

),

words as (

    select * from {{ ref('qualitative_outcomes') }}

),

found as (

    -- the seed's words a qualitative actual value holds, the first of them ranked 1
    select
        indicators.indicator_line_id,
        words.outcome,
        row_number() over (partition by indicators.indicator_line_id order by words.priority) as word_rank
    from indicators
    inner join words
        on indicators.actual_text like '%' || words.word || '%'

),

outcomes as (

    select
        indicator_line_id,
        outcome
    from found
    where word_rank = 1

),

classified as (

    select
        indicators.*,
        policies.qual_achieved_low,
        policies.qual_achieved_high,
        policies.qual_partial_low,
        policies.qual_partial_high,
        policies.qual_missed_low,
        policies.qual_missed_high,
        case
            -- a target and an actual in different units (份 against %) cannot be compared
            when indicators.target_value is not null and indicators.actual_value is not null
                and (
                    indicators.actual_unit is null or indicators.target_unit is null
                    or indicators.actual_unit = indicators.target_unit
                ) then 'quantitative'
            else outcomes.outcome
        end as scoring_basis
    from indicators
    left join policies
        on indicators.document_id = policies.document_id
    left join outcomes
        on indicators.indicator_line_id = outcomes.indicator_line_id

),

ratios as (

    select
        *,
        case
            when scoring_basis <> 'quantitative' then null
            when target_operator in ('>=', '>')
                then
                    case when target_value <= 0 then 1
                        else least(1, {{ safe_divide('actual_value', 'target_value') }})
                    end
            when target_operator in ('<=', '<')
                then
                    case when actual_value <= target_value then 1
                        else {{ safe_divide('target_value', 'actual_value') }}
                    end
            when target_operator = 'between'
                then
                    case when actual_value between target_value and target_value_high then 1
                        when actual_value < target_value then {{ safe_divide('actual_value', 'target_value') }}
                        else {{ safe_divide('target_value_high', 'actual_value') }}
                    end
            when actual_value = target_value then 1
            when actual_value = 0 or target_value = 0 then 0
            else least(
                    {{ safe_divide('actual_value', 'target_value') }},
                    {{ safe_divide('target_value', 'actual_value') }}
                )
        end as achievement_ratio
    from classified

),

scored as (

    select
        *,
        case
            when weight is null then null
            when scoring_basis = 'quantitative' then weight * achievement_ratio
            when scoring_basis = 'achieved' then {{ clamp('coalesce(score_reported, weight)', 'weight * qual_achieved_low', 'weight * qual_achieved_high') }}
            when scoring_basis = 'partial' then {{ clamp('coalesce(score_reported, weight * qual_partial_high)', 'weight * qual_partial_low', 'weight * qual_partial_high') }}
            when scoring_basis = 'missed' then {{ clamp('coalesce(score_reported, 0)', 'weight * qual_missed_low', 'weight * qual_missed_high') }}
        end as raw_score
    from ratios

),

final as (

    select
        indicator_line_id,
        document_id,
        seq,
        scoring_basis,
        achievement_ratio,
        weight,
        score_reported,
        cast(round(raw_score, 2) as decimal(9, 2)) as score_recomputed
    from scored

)

select * from final
