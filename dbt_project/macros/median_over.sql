{#- The median of a column over a window (`partition by ...`), exact on every engine the project
    runs on (DuckDB; Spark from 3.4). -#}
{% macro median_over(column, partition) -%}
    {{ return(adapter.dispatch('median_over', 'fiscal')(column, partition)) }}
{%- endmacro %}

{% macro default__median_over(column, partition) -%}
    median({{ column }}) over (partition by {{ partition }})
{%- endmacro %}
