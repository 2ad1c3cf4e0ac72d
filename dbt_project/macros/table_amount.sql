{#- The sum, in yuan, of a document's final-accounts amounts in the cells `condition` selects. -#}
{% macro table_amount(condition) -%}
    cast(sum(case when {{ condition }} then amount_yuan end) as decimal(18, 2))
{%- endmacro %}
