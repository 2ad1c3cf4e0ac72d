{#- Where a person finds a figure in the published file: `p.12 收入决算表 row 8` for a PDF (its page,
    and the table and row when there is one), `line 40` for a text. -#}
{% macro location(page, line_no, table_title=none, table_row=none) -%}
    case
        when {{ page }} is not null
            then 'p.' || cast({{ page }} as {{ dbt.type_string() }})
            {%- if table_title is not none %}
                || coalesce(' ' || {{ table_title }}, '')
            {%- endif %}
            {%- if table_row is not none %}
                || coalesce(' row ' || cast({{ table_row }} as {{ dbt.type_string() }}), '')
            {%- endif %}
        else 'line ' || cast({{ line_no }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
