with

source as (

    select * from {{ source('raw', 'approvals') }}

),

renamed as (

    select
        adcode,
        fiscal_year,
        doc_type,
        department,
        {{ department_key('department') }} as department_key,
        approved_on,
        note
    from source

)

select * from renamed
