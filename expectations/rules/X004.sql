select
    f.document_id,
    f.source_file,
    f.location,
    f.department || ' “三公”经费年初预算' as entity,
    cast(b.three_public_budget_yuan as string) as expected,
    cast(f.budget_yuan as string) as actual,
    cast(f.budget_yuan - b.three_public_budget_yuan as string) as difference,
    100 as band,
    '决算称“三公”经费年初预算 ' || cast(f.budget_yuan as string) || ' 元，当年预算为 '
    || cast(b.three_public_budget_yuan as string) || ' 元' as message
from {{ batch }} as f
inner join marts.fct_department_budget as b
    on f.adcode = b.adcode and f.fiscal_year = b.fiscal_year and b.in_rollup and b.budget_scope = 'department'
        and f.department_key = b.department_key
where f.expense_item = 'total' and f.budget_yuan is not null and b.three_public_budget_yuan is not null
    and f.budget_yuan <> b.three_public_budget_yuan
