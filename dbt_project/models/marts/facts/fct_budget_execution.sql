-- 预决算: per department, year and functional subject, the budget (年初预算, from the budget
-- publication) beside the final accounts (决算) of the same department and year, the difference
-- (final − budget) and the completion rate (final ÷ budget). Only department-years with both
-- documents loaded; a subject printed in one of them only has the other side null. A unit budget
-- that repeats its department's is not counted again.
-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

budget as (

    select
        expenditure.publication_id as budget_document_id,
        expenditure.fiscal_year,
        expenditure.adcode,
        budget.department_key,
        budget.department,
        expenditure.subject_code,
        expenditure.subject_name,
        expenditure.subject_level,
        expenditure.total_yuan,
        expenditure.loaded_at
    from {{ ref('fct_budget_expenditure') }} as expenditure
    inner join {{ ref('fct_department_budget') }} as budget
        on expenditure.publication_id = budget.document_id
    where budget.in_rollup and {{ in_changed_fiscal_years('expenditure.fiscal_year') }}

),

final_accounts as (

    select
        document_id as final_document_id,
        fiscal_year,
        adcode,
        department_key,
        department,
        subject_code,
        subject_name,
        subject_level,
        total_yuan,
        loaded_at
    from {{ ref('fct_department_expenditure') }}
    where {{ in_changed_fiscal_years('fiscal_year') }}

),

pairs as (

    select distinct
        budget.budget_document_id,
        final_accounts.final_document_id,
        budget.fiscal_year,
        budget.adcode,
        budget.department_key,
        budget.department
    from budget
    inner join final_accounts
        on budget.adcode = final_accounts.adcode
            and budget.department_key = final_accounts.department_key
            and budget.fiscal_year = final_accounts.fiscal_year

),

subjects as (

    select
        budget_document_id as document_id,
        subject_code
    from budget
    union
    select
        final_document_id as document_id,
        subject_code
    from final_accounts

),

final as (

    select distinct
        pairs.budget_document_id || ':' || pairs.final_document_id || ':' || codes.subject_code as execution_id,
        pairs.fiscal_year,
        pairs.adcode,
        pairs.department,
        codes.subject_code,
        coalesce(budget.subject_name, final_accounts.subject_name) as subject_name,
        coalesce(budget.subject_level, final_accounts.subject_level) as subject_level,
        pairs.budget_document_id,
        pairs.final_document_id,
        -- the row's lineage for a rebuild (a fact's rows go with their document): the budget's
        pairs.budget_document_id as document_id,
        budget.total_yuan as budget_yuan,
        final_accounts.total_yuan as final_yuan,
        cast(final_accounts.total_yuan - budget.total_yuan as decimal(18, 2)) as difference_yuan,
        cast({{ safe_divide('final_accounts.total_yuan', 'budget.total_yuan') }} as decimal(12, 6)) as completion_rate,
        {{ fiscal_year_partition('pairs.fiscal_year') }} as fiscal_year_partition,
        greatest(coalesce(budget.loaded_at, final_accounts.loaded_at), coalesce(final_accounts.loaded_at, budget.loaded_at))
            as loaded_at
    from pairs
    inner join subjects as codes
        on codes.document_id in (pairs.budget_document_id, pairs.final_document_id)
    left join budget
        on pairs.budget_document_id = budget.budget_document_id
            and codes.subject_code = budget.subject_code
    left join final_accounts
        on pairs.final_document_id = final_accounts.final_document_id
            and codes.subject_code = final_accounts.subject_code

)

select * from final
