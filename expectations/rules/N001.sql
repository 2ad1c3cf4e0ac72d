with stated as (
    select
        document_id,
        source_file,
        location,
        fact_label,
        fact_value_yuan,
        sentence,
        case
            when fact_label like '%财政拨款收入总计' then 'skip'
            when fact_label like '%财政拨款收入支出总计' then '04|总计|收入%'
            when fact_label like '%收入总计' then '01|总计|收入%'
            when fact_label like '%支出总计' then '01|总计|支出%'
            when fact_label = '收入合计' then '02|合计|%本年收入合计%'
            when fact_label = '支出合计' then '03|合计|%本年支出合计%'
            when fact_label = '财政拨款收入' then '02|合计|%财政拨款收入%'
            when fact_label = '基本支出' then '03|合计|%基本支出%'
            when fact_label = '项目支出' then '03|合计|%项目支出%'
        end as target
    from {{ batch }}
    where doc_type = 'final_accounts' and fact_kind = 'amount' and fact_value_yuan is not null
),

matched as (
    select
        s.*,
        t.amount_yuan as table_amount,
        t.half_unit_yuan
    from stated as s
    inner join marts.fct_final_account_line as t
        on s.document_id = t.document_id
            and t.table_code = substr(s.target, 1, 2)
            and t.row_label like '%' || substr(s.target, 4, 2) || '%'
            and t.column_label like substr(s.target, 7)
    where s.target is not null and s.target <> 'skip'
)

select
    document_id,
    source_file,
    location,
    '情况说明 ' || fact_label as entity,
    cast(table_amount as string) as expected,
    cast(fact_value_yuan as string) as actual,
    cast(fact_value_yuan - table_amount as string) as difference,
    2 * half_unit_yuan as band,
    '情况说明称' || fact_label || ' ' || cast(fact_value_yuan as string) || ' 元，决算表为 ' || cast(table_amount as string) || ' 元' as message
from matched
where fact_value_yuan <> table_amount
