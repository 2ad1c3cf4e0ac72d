{#- A table's and its columns' comments, where a query writer reads them (duckdb_columns()), for
    the tables the hooks make rather than a model. -#}
{% macro comment_table(relation, about, columns) -%}
    {{ return(adapter.dispatch('comment_table', 'fiscal')(relation, about, columns)) }}
{%- endmacro %}

{% macro default__comment_table(relation, about, columns) -%}
    comment on table {{ relation }} is '{{ about | replace("'", "''") }}';
    {%- for column, text in columns.items() %}
    comment on column {{ relation }}.{{ column }} is '{{ text | replace("'", "''") }}';
    {%- endfor %}
{%- endmacro %}
