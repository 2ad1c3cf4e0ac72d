with

source as (

    select * from {{ source('raw', 'evaluations') }}

),

renamed as (

    select
        document_id,
        line_no,
        total_score_reported,
        grade_reported,
        execution_score_reported,
        indicator_score_reported
    from source

)

select * from renamed
