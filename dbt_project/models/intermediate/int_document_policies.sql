{{ config(meta={'tests_scope': 'loaded_documents'}) }}

-- The scoring policy that applies to each document: its province's variant, else the national default.
with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

policies as (

    select * from {{ ref('scoring_policy') }}

),

national as (

    select * from policies
    where policy = 'national'

),

joined as (

    select
        documents.document_id,
        coalesce(provincial.policy, national.policy) as policy,
        coalesce(provincial.execution_weight, national.execution_weight) as execution_weight,
        coalesce(provincial.qual_achieved_low, national.qual_achieved_low) as qual_achieved_low,
        coalesce(provincial.qual_achieved_high, national.qual_achieved_high) as qual_achieved_high,
        coalesce(provincial.qual_partial_low, national.qual_partial_low) as qual_partial_low,
        coalesce(provincial.qual_partial_high, national.qual_partial_high) as qual_partial_high,
        coalesce(provincial.qual_missed_low, national.qual_missed_low) as qual_missed_low,
        coalesce(provincial.qual_missed_high, national.qual_missed_high) as qual_missed_high
    from documents
    cross join national
    left join policies as provincial
        on documents.province_code = provincial.province_code

)

select * from joined
