{#- The sum, in yuan, of a document's statement amounts in the cells `condition` selects. -#}
{% macro table_amount(condition) -%}
    cast(sum(case when {{ condition }} then amount_yuan end) as decimal(18, 2))
{%- endmacro %}

{#- One figure, in yuan, of the cells `condition` selects: the largest where a table prints it on more
    than one side (a 支出 total under 功能分类 and again under 支出用途), never their sum. -#}
{% macro table_cell(condition) -%}
    cast(max(case when {{ condition }} then amount_yuan end) as decimal(18, 2))
{%- endmacro %}
