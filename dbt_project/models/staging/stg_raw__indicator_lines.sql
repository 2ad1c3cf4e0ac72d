with

source as (

    select * from {{ source('raw', 'indicator_lines') }}

),

renamed as (

    select
        document_id || ':' || cast(seq as {{ dbt.type_string() }}) as indicator_line_id,
        document_id,
        line_no,
        seq,
        level1,
        level1_points,
        level2,
        indicator_name,
        target_text,
        target_operator,
        target_value,
        target_value_high,
        target_unit,
        actual_text,
        actual_value,
        actual_unit,
        weight,
        score_reported,
        deviation_reason,
        ocr_confidence
    from source

)

select * from renamed
