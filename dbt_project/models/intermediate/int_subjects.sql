-- Every classification code, from the seed and from the loaded tables, with its place in the hierarchy.
with

seeded as (

    select
        classification,
        subject_code,
        subject_name
    from {{ ref('subject_codes') }}

),

printed as (

    select
        case when table_code = '06' then 'economic' else 'functional' end as classification,
        subject_code,
        max(subject_name) as subject_name
    from {{ ref('stg_raw__final_account_lines') }}
    where subject_code is not null
    group by 1, 2

),

codes as (

    select
        coalesce(seeded.classification, printed.classification) as classification,
        coalesce(seeded.subject_code, printed.subject_code) as subject_code,
        coalesce(printed.subject_name, seeded.subject_name) as subject_name
    from seeded
    full outer join printed
        on seeded.classification = printed.classification
            and seeded.subject_code = printed.subject_code

),

final as (

    select
        classification || ':' || subject_code as subject_key,
        classification,
        subject_code,
        subject_name,
        case length(subject_code) when 3 then '类' when 5 then '款' when 7 then '项' end as subject_level,
        case when length(subject_code) > 3
                then classification || ':' || substr(subject_code, 1, length(subject_code) - 2)
        end as parent_key,
        classification || ':' || substr(subject_code, 1, 3) as class_key
    from codes

)

select * from final
