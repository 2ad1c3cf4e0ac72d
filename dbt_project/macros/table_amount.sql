{#- The sum, in yuan, of a document's statement amounts in the cells `condition` selects. -#}
{% macro table_amount(condition, amount='amount_yuan') -%}
    cast(sum(case when {{ condition }} then {{ amount }} end) as decimal(18, 2))
{%- endmacro %}

{#- One figure, in yuan, of the cells `condition` selects: the largest where a table prints it on more
    than one side (a 支出 total under 功能分类 and again under 支出用途), never their sum. -#}
{% macro table_cell(condition) -%}
    cast(max(case when {{ condition }} then amount_yuan end) as decimal(18, 2))
{%- endmacro %}

{#- A subject's total, basic and project amounts, from the columns of an expenditure table
    (支出决算表, 支出预算总表 …) whose labels say which; `relation` qualifies the columns. -#}
{% macro subject_amounts(relation=none) -%}
    {%- set of = relation ~ '.' if relation else '' -%}
    {{ table_amount(of ~ "column_label like '%合计%'", of ~ 'amount_yuan') }} as total_yuan,
    {{ table_amount(of ~ "column_label like '%基本支出%'", of ~ 'amount_yuan') }} as basic_yuan,
    {{ table_amount(of ~ "column_label like '%项目支出%'", of ~ 'amount_yuan') }} as project_yuan
{%- endmacro %}
