with

source as (

    select * from {{ source('raw', 'narrative_facts') }}

),

renamed as (

    select
        document_id,
        line_no,
        kind as fact_kind,
        label as fact_label,
        value as fact_value,
        unit as fact_unit,
        cast(value_yuan as decimal(18, 2)) as fact_value_yuan,
        text as sentence,
        base_label as fact_base_label,
        cast(current_yuan as decimal(18, 2)) as current_yuan,
        cast(change_yuan as decimal(18, 2)) as change_yuan,
        page
    from source

)

select * from renamed
