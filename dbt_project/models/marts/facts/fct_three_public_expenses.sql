-- The "three public" expenses (财政拨款"三公"经费, 公开09): budget and actual per item.
-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
with

changed_years as (

    {{ changed_fiscal_years() }}

),

documents as {{ inlined_cte() }} (

    select * from {{ ref('int_current_documents') }}
    where {{ in_changed_fiscal_years() }}

),

lines as (

    select * from {{ ref('stg_raw__final_account_lines') }}
    where table_code = '09'
        and document_id in (select documents.document_id from documents)

),

classified as (

    select
        document_id,
        line_no,
        amount_yuan,
        case
            when column_label like '预算%' then 'budget'
            when column_label like '决算%' then 'actual'
        end as phase,
        case
            when column_label like '%购置费%' then 'vehicle_purchase'
            when column_label like '%运行维护费' and column_label like '%/公务用车运行维护费' then 'vehicle_operation'
            when column_label like '%公务用车%' then 'vehicles'
            when column_label like '%出国%' then 'overseas_trips'
            when column_label like '%接待%' then 'receptions'
            when column_label like '%合计%' then 'total'
        end as expense_item
    from lines

),

pivoted as (

    select
        document_id,
        expense_item,
        min(line_no) as line_no,
        cast(sum(case when phase = 'budget' then amount_yuan end) as decimal(18, 2)) as budget_yuan,
        cast(sum(case when phase = 'actual' then amount_yuan end) as decimal(18, 2)) as actual_yuan
    from classified
    where expense_item is not null
    group by document_id, expense_item

),

final as (

    select
        pivoted.document_id || ':' || pivoted.expense_item as three_public_id,
        pivoted.document_id,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        documents.department_key,
        pivoted.expense_item,
        case pivoted.expense_item
            when 'total' then '合计'
            when 'overseas_trips' then '因公出国（境）费'
            when 'vehicles' then '公务用车购置及运行维护费'
            when 'vehicle_purchase' then '公务用车购置费'
            when 'vehicle_operation' then '公务用车运行维护费'
            when 'receptions' then '公务接待费'
        end as expense_item_zh,
        pivoted.budget_yuan,
        pivoted.actual_yuan,
        {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition,
        documents.loaded_at,
        documents.source_file,
        'line ' || cast(pivoted.line_no as {{ dbt.type_string() }}) as location
    from pivoted
    inner join documents
        on pivoted.document_id = documents.document_id

)

select * from final
