with

subjects as (

    select * from {{ ref('int_subjects') }}

),

final as (

    select
        subjects.subject_key,
        subjects.classification,
        subjects.subject_code,
        subjects.subject_name,
        subjects.subject_level,
        subjects.parent_key,
        parents.subject_name as parent_name,
        subjects.class_key,
        classes.subject_name as class_name
    from subjects
    left join subjects as parents
        on subjects.parent_key = parents.subject_key
    left join subjects as classes
        on subjects.class_key = classes.subject_key

)

select * from final
