select
    this_year.document_id,
    this_year.source_file,
    'p.1' as location,
    this_year.department || ' 上年预算总额' as entity,
    cast(last_year.expenditure_total_yuan as string) as expected,
    cast(this_year.previous_year_expenditure_total_yuan as string) as actual,
    cast(this_year.previous_year_expenditure_total_yuan - last_year.expenditure_total_yuan as string) as difference,
    100 as band,
    this_year.department || ' 预算称上年支出 ' || cast(this_year.previous_year_expenditure_total_yuan as string)
    || ' 元，上年预算为 ' || cast(last_year.expenditure_total_yuan as string) || ' 元' as message
from {{ batch }} as this_year
-- last year's budget, whichever years this check reads
inner join {{ every_year('fct_department_budget') }} as last_year
    on this_year.adcode = last_year.adcode and this_year.budget_scope = last_year.budget_scope
        and this_year.department_key = last_year.department_key
        and last_year.fiscal_year = this_year.fiscal_year - 1
where this_year.previous_year_expenditure_total_yuan is not null
    and this_year.previous_year_expenditure_total_yuan <> last_year.expenditure_total_yuan
