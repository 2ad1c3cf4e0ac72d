-- One department-year from its final accounts: totals, basic vs project, personnel vs public
-- expenses, the three public expenses, and the change on the previous year when it is loaded.
-- Rebuilt one fiscal year at a time: a changed year, and the year after it (whose change on the
-- previous year it is), are replaced; the year before, when it is not rebuilt too, is read from
-- this table for the comparison.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

documents as {{ inlined_cte() }} (

    select * from {{ ref('int_current_documents') }}
    where doc_type = 'final_accounts' and status <> 'quarantined'
        and {{ in_changed_fiscal_years() }}

),

lines as (

    select * from {{ ref('stg_raw__final_account_lines') }}
    where document_id in (select documents.document_id from documents)

),

three_public as (

    select * from {{ ref('fct_three_public_expenses') }}
    where expense_item = 'total'

),

figures as (

    select
        document_id,
        {{ table_amount("table_code = '01' and row_label like '%本年收入合计%' and column_label like '收入%'") }}
            as income_total_yuan,
        {{ table_amount("table_code = '01' and row_label like '%本年支出合计%' and column_label like '支出%'") }}
            as expenditure_total_yuan,
        -- 收入总计 (= 支出总计), the carry-over at the start and end of the year, and the general
        -- budget appropriation, from the income and expenditure sides of table 01
        {{ table_amount("table_code = '01' and row_label like '%总计%' and column_label like '收入%'") }}
            as grand_total_yuan,
        {{ table_amount("table_code = '01' and row_label like '%年初结转和结余%' and column_label like '收入%'") }}
            as carryover_start_yuan,
        {{ table_amount("table_code = '01' and row_label like '%年末结转和结余%' and column_label like '支出%'") }}
            as carryover_end_yuan,
        {{ table_amount("table_code = '01' and row_label like '%一般公共预算财政拨款%' and column_label like '收入%'") }}
            as general_budget_appropriation_yuan,
        {{ table_amount("table_code = '03' and row_label = '合计' and column_label like '%基本支出%'") }} as basic_yuan,
        {{ table_amount("table_code = '03' and row_label = '合计' and column_label like '%项目支出%'") }} as project_yuan,
        -- 人员经费 = 301 + 303; 公用经费 = 302 + 307 + 310 + 399 (DOMAIN §4)
        {{ table_amount("table_code = '06' and subject_code in ('301', '303')") }} as personnel_yuan,
        {{ table_amount("table_code = '06' and subject_code in ('302', '307', '310', '399')") }} as public_expenses_yuan
    from lines
    group by document_id

),

summary as (

    select
        documents.document_id,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        figures.income_total_yuan,
        figures.expenditure_total_yuan,
        figures.grand_total_yuan,
        figures.carryover_start_yuan,
        figures.carryover_end_yuan,
        figures.general_budget_appropriation_yuan,
        figures.basic_yuan,
        figures.project_yuan,
        figures.personnel_yuan,
        figures.public_expenses_yuan,
        three_public.budget_yuan as three_public_budget_yuan,
        three_public.actual_yuan as three_public_actual_yuan,
        {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file
    from documents
    left join figures
        on documents.document_id = figures.document_id
    left join three_public
        on documents.document_id = three_public.document_id

),

earlier as (

    select
        adcode,
        department,
        fiscal_year,
        expenditure_total_yuan
    from summary
    {% if is_incremental() %}
        union all
        select
            built.adcode,
            built.department,
            built.fiscal_year,
            built.expenditure_total_yuan
        from {{ this }} as built
        where not ({{ in_changed_fiscal_years('built.fiscal_year') }})
    {% endif %}

),

final as (

    select
        summary.*,
        previous.expenditure_total_yuan as previous_expenditure_total_yuan,
        summary.expenditure_total_yuan - previous.expenditure_total_yuan as expenditure_change_yuan,
        cast(
            {{ safe_divide('summary.expenditure_total_yuan - previous.expenditure_total_yuan', 'previous.expenditure_total_yuan') }}
            as decimal(12, 6)
        ) as expenditure_growth
    from summary
    left join earlier as previous
        on summary.adcode = previous.adcode
            and summary.department = previous.department
            and summary.fiscal_year = previous.fiscal_year + 1

)

select * from final
