-- One department's (or unit's) budget for a year, per publication (one file, or its two halves):
-- the totals of its tables, read by what each row means (row_key), and last year's expenditure
-- total as its narrative states it (this year's total less the change it gives).
-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

publications as {{ inlined_cte() }} (

    select * from {{ ref('int_budget_publications') }}
    where {{ in_changed_fiscal_years() }}

),

documents as (

    select * from {{ ref('int_current_documents') }}

),

lines as (

    select * from {{ ref('stg_raw__budget_table_lines') }}
    where document_id in (select publications.publication_id from publications)

),

facts as (

    select * from {{ ref('stg_raw__narrative_facts') }}
    where fact_kind = 'growth'
        and document_id in (select publications.document_id from publications)

),

figures as (

    select
        document_id,
        {{ table_cell("table_code = '01' and row_key = 'income_total' and column_label like '收入%'") }} as income_total_yuan,
        {{ table_cell("table_code = '01' and row_key = 'expenditure_total' and column_label like '支出%'") }}
            as expenditure_total_yuan,
        {{ table_cell("table_code = '01' and row_key = 'income_grand_total' and column_label like '收入%'") }} as grand_total_yuan,
        {{ table_cell("table_code = '01' and row_key = 'expenditure_grand_total' and column_label like '支出%'") }}
            as expenditure_grand_total_yuan,
        {{ table_cell("table_code = '01' and row_key = 'carryover_start'") }} as carryover_start_yuan,
        {{ table_cell("table_code in ('01', '04') and row_key = 'general_budget' and column_label like '%收入%'") }}
            as general_budget_appropriation_yuan,
        -- the 支出预算总表's row without a subject is its total (合计, or the one row some print)
        {{ table_cell("table_code = '03' and subject_code is null and column_label = '基本支出'") }} as basic_yuan,
        {{ table_cell("table_code = '03' and subject_code is null and column_label = '项目支出'") }} as project_yuan,
        {{ table_cell("table_code = '06' and subject_code is null and column_label = '人员经费'") }} as personnel_column_yuan,
        {{ table_cell("table_code = '06' and subject_code is null and column_label = '公用经费'") }} as public_column_yuan,
        -- 人员经费 = 301 + 303; 公用经费 = 302 + 307 + 310 + 399 (DOMAIN §4), where the table has one amount column
        {{ table_amount("table_code = '06' and subject_code in ('301', '303') and column_label = '合计'") }}
            as personnel_subjects_yuan,
        {{ table_amount("table_code = '06' and subject_code in ('302', '307', '310', '399') and column_label = '合计'") }}
            as public_subjects_yuan,
        -- the 三公 total: its own column, or the table's 合计 where nothing else (会议费, 培训费) is printed beside it
        coalesce(
            {{ table_cell("table_code = '07' and column_label = '三公经费合计'") }},
            case when count(case when table_code = '07' and column_label in ('会议费', '培训费', '机关运行经费') then 1 end) = 0
                    then {{ table_cell("table_code = '07' and column_label = '合计'") }}
            end
        ) as three_public_budget_yuan
    from lines
    group by document_id

),

stated as (

    -- the changes the narrative gives on the year's whole budget, first by line
    select
        publications.publication_id,
        facts.current_yuan - facts.change_yuan as previous_year_expenditure_total_yuan,
        row_number() over (partition by publications.publication_id order by facts.line_no) as stated_rank
    from facts
    inner join publications
        on facts.document_id = publications.document_id
    inner join figures
        on publications.publication_id = figures.document_id
    where facts.current_yuan in (figures.grand_total_yuan, figures.expenditure_grand_total_yuan, figures.expenditure_total_yuan)

),

previous as (

    select
        publication_id,
        previous_year_expenditure_total_yuan
    from stated
    where stated_rank = 1

),

budgets as (

    select distinct
        publication_id,
        narrative_document_id,
        publication_documents,
        fiscal_year,
        adcode,
        budget_scope
    from publications

),

summary as (

    select
        budgets.publication_id as document_id,
        budgets.narrative_document_id,
        budgets.publication_documents,
        budgets.fiscal_year,
        budgets.adcode,
        documents.department,
        documents.department_key,
        budgets.budget_scope,
        coalesce(figures.income_total_yuan, figures.grand_total_yuan) as income_total_yuan,
        coalesce(figures.expenditure_total_yuan, figures.expenditure_grand_total_yuan) as expenditure_total_yuan,
        figures.grand_total_yuan,
        figures.carryover_start_yuan,
        figures.general_budget_appropriation_yuan,
        figures.basic_yuan,
        figures.project_yuan,
        coalesce(figures.personnel_column_yuan, figures.personnel_subjects_yuan) as personnel_yuan,
        coalesce(figures.public_column_yuan, figures.public_subjects_yuan) as public_expenses_yuan,
        figures.three_public_budget_yuan,
        previous.previous_year_expenditure_total_yuan,
        {{ fiscal_year_partition('budgets.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file
    from budgets
    inner join documents
        on budgets.publication_id = documents.document_id
    left join figures
        on budgets.publication_id = figures.document_id
    left join previous
        on budgets.publication_id = previous.publication_id

),

final as (

    select
        summary.*,
        -- a unit's budget that repeats its department's (the same region, year and total) is not
        -- counted again in a rollup
        not exists (
            select 1
            from summary as department_budget
            where summary.budget_scope = 'unit'
                and department_budget.budget_scope = 'department'
                and department_budget.adcode = summary.adcode
                and department_budget.fiscal_year = summary.fiscal_year
                and department_budget.grand_total_yuan = summary.grand_total_yuan
        ) as in_rollup
    from summary

)

select * from final
