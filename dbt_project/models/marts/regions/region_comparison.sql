-- One row per fiscal year and region (县级, 市本级, 省本级, and the 市汇总 and 省汇总 rollups): the
-- figures the yearly comparison report sets side by side, summed over the documents
-- `region_document` lists for it, with shares, rates and ranks among the regions of its level.
-- Figures from final accounts and from project reports are summed separately, so a region with
-- only one kind of document still shows what it has. What each row covers is counted with it
-- (departments, final accounts, budgets, project reports, the regions a rollup holds), and a
-- region is ranked only among those of its level whose coverage is comparable: at least half the
-- level's median number of the documents a figure comes from (final accounts for expenditure and
-- its growth, project reports for execution and scores); the others say why they are not. The
-- findings of the integrity rules, which run after the build, are counted by the report itself.
with

accounts as (

    select
        document_id,
        expenditure_total_yuan,
        basic_yuan,
        project_yuan,
        three_public_budget_yuan,
        three_public_actual_yuan,
        previous_expenditure_total_yuan,
        case when previous_expenditure_total_yuan is not null then expenditure_total_yuan end as matched_total_yuan
    from {{ ref('fct_department_summary') }}

),

classes as (

    select
        document_id,
        sum(case when subject_code = '201' then total_yuan end) as class_201,
        sum(case when subject_code = '205' then total_yuan end) as class_205,
        sum(case when subject_code = '208' then total_yuan end) as class_208,
        sum(case when subject_code = '210' then total_yuan end) as class_210,
        sum(case when subject_code = '221' then total_yuan end) as class_221,
        sum(total_yuan) as class_all
    from {{ ref('fct_department_expenditure') }}
    where length(subject_code) = 3
    group by document_id

),

projects as (

    select
        evaluations.document_id,
        budgets.budget_adjusted_yuan,
        budgets.executed_yuan,
        evaluations.total_score_reported,
        evaluations.total_score_recomputed,
        evaluations.grade_recomputed
    from {{ ref('fct_project_evaluation') }} as evaluations
    left join {{ ref('fct_project_budget') }} as budgets
        on evaluations.document_id = budgets.document_id and budgets.fund_source = 'total'

),

per_document as (

    select
        members.fiscal_year,
        members.region_code,
        members.level,
        members.document_id,
        documents.is_synthetic,
        documents.doc_type,
        documents.department,
        documents.adcode,
        accounts.expenditure_total_yuan,
        accounts.basic_yuan,
        accounts.project_yuan,
        accounts.three_public_budget_yuan,
        accounts.three_public_actual_yuan,
        accounts.matched_total_yuan,
        accounts.previous_expenditure_total_yuan,
        classes.class_201,
        classes.class_205,
        classes.class_208,
        classes.class_210,
        classes.class_221,
        classes.class_all,
        projects.budget_adjusted_yuan,
        projects.executed_yuan,
        projects.total_score_reported,
        projects.total_score_recomputed,
        projects.grade_recomputed,
        projects.document_id is not null as is_project
    from {{ ref('region_document') }} as members
    inner join {{ ref('dim_document') }} as documents
        on members.document_id = documents.document_id
    left join accounts
        on members.document_id = accounts.document_id
    left join classes
        on members.document_id = classes.document_id
    left join projects
        on members.document_id = projects.document_id

),

regions as (

    select
        fiscal_year,
        region_code,
        level,
        count(distinct case when expenditure_total_yuan is not null or class_all is not null then document_id end)
            as accounts,
        count(distinct department) as departments,
        count(distinct case when doc_type = 'department_budget' then document_id end) as budgets,
        count(distinct adcode) as member_regions,
        sum(expenditure_total_yuan) as expenditure_total_yuan,
        sum(basic_yuan) as basic_yuan,
        sum(project_yuan) as project_yuan,
        sum(class_201) as class_201,
        sum(class_205) as class_205,
        sum(class_208) as class_208,
        sum(class_210) as class_210,
        sum(class_221) as class_221,
        sum(class_all) as class_all,
        sum(three_public_budget_yuan) as three_public_budget_yuan,
        sum(three_public_actual_yuan) as three_public_actual_yuan,
        sum(matched_total_yuan) as matched_total_yuan,
        sum(previous_expenditure_total_yuan) as previous_expenditure_total_yuan,
        sum(case when is_project then 1 else 0 end) as projects,
        sum(budget_adjusted_yuan) as budget_adjusted_yuan,
        sum(executed_yuan) as executed_yuan,
        -- in double precision on every engine (Spark would average decimals to six places)
        avg(cast(total_score_reported as double)) as score_reported_avg,
        avg(cast(total_score_recomputed as double)) as score_recomputed_avg,
        sum(case when grade_recomputed = '优' then 1 else 0 end) as grade_excellent,
        sum(case when grade_recomputed = '良' then 1 else 0 end) as grade_good,
        sum(case when grade_recomputed = '中' then 1 else 0 end) as grade_fair,
        sum(case when grade_recomputed = '差' then 1 else 0 end) as grade_poor,
        bool_or(is_synthetic) as is_synthetic
    from per_document
    group by fiscal_year, region_code, level

),

measured as (

    select
        regions.*,
        names.province,
        names.city,
        names.county,
        coalesce(names.county, names.city, names.province) as region,
        {{ safe_divide('regions.basic_yuan', 'regions.expenditure_total_yuan') }} as basic_share,
        {{ safe_divide('regions.project_yuan', 'regions.expenditure_total_yuan') }} as project_share,
        {{ safe_divide('regions.class_201', 'regions.class_all') }} as share_201,
        {{ safe_divide('regions.class_205', 'regions.class_all') }} as share_205,
        {{ safe_divide('regions.class_208', 'regions.class_all') }} as share_208,
        {{ safe_divide('regions.class_210', 'regions.class_all') }} as share_210,
        {{ safe_divide('regions.class_221', 'regions.class_all') }} as share_221,
        {{ safe_divide(
            'regions.class_all - coalesce(regions.class_201, 0) - coalesce(regions.class_205, 0)'
            ~ ' - coalesce(regions.class_208, 0) - coalesce(regions.class_210, 0) - coalesce(regions.class_221, 0)',
            'regions.class_all'
        ) }} as share_other,
        {{ safe_divide('regions.three_public_actual_yuan', 'regions.three_public_budget_yuan') }} as three_public_rate,
        {{ safe_divide('regions.matched_total_yuan', 'regions.previous_expenditure_total_yuan') }} - 1 as expenditure_growth,
        {{ safe_divide('regions.executed_yuan', 'regions.budget_adjusted_yuan') }} as execution_rate,
        regions.score_reported_avg - regions.score_recomputed_avg as score_gap
    from regions
    left join {{ ref('dim_region') }} as names
        on regions.region_code = names.adcode

),

covered as (

    select
        *,
        accounts * 2 >= median_accounts as comparable_accounts,
        projects * 2 >= median_projects as comparable_projects,
        case
            when accounts * 2 < median_accounts and projects * 2 < median_projects
                then '决算 ' || cast(accounts as {{ dbt.type_string() }}) || ' 份、项目自评 '
                    || cast(projects as {{ dbt.type_string() }}) || ' 份，均不足同级中位数（'
                    || cast(cast(median_accounts as decimal(10, 1)) as {{ dbt.type_string() }}) || '、'
                    || cast(cast(median_projects as decimal(10, 1)) as {{ dbt.type_string() }}) || '）的一半：不参与排名'
            when accounts * 2 < median_accounts
                then '决算 ' || cast(accounts as {{ dbt.type_string() }}) || ' 份，不足同级中位数（'
                    || cast(cast(median_accounts as decimal(10, 1)) as {{ dbt.type_string() }}) || '）的一半：支出不参与排名'
            when projects * 2 < median_projects
                then '项目自评 ' || cast(projects as {{ dbt.type_string() }}) || ' 份，不足同级中位数（'
                    || cast(cast(median_projects as decimal(10, 1)) as {{ dbt.type_string() }}) || '）的一半：执行率与分数不参与排名'
        end as coverage_note
    from (
        select
            *,
            {{ median_over('accounts', 'fiscal_year, level') }} as median_accounts,
            {{ median_over('projects', 'fiscal_year, level') }} as median_projects
        from measured
    ) as with_medians

)

{#- each rank: among the regions of one level and year that have the figure and comparable coverage
    of the documents it comes from, the largest first -#}
{%- set ranks = {
    'rank_expenditure': ('expenditure_total_yuan', 'comparable_accounts'),
    'rank_growth': ('expenditure_growth', 'comparable_accounts'),
    'rank_execution': ('execution_rate', 'comparable_projects'),
    'rank_score': ('score_recomputed_avg', 'comparable_projects'),
    'rank_inflation': ('score_gap', 'comparable_projects'),
} %}

select
    {%- for rank, (figure, comparable) in ranks.items() %}
        case when {{ figure }} is not null and {{ comparable }}
                then rank() over (partition by fiscal_year, level, {{ comparable }} order by {{ figure }} desc nulls last)
        end as {{ rank }},
    {%- endfor %}
    cast(fiscal_year as {{ dbt.type_string() }}) || '-' || region_code || '-' || level as region_comparison_id,
    *
from covered
