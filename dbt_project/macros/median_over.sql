{#- The median of a column over a window (`partition by ...`): DuckDB's exact median; engines
    without one as a window function take their approximate percentile. -#}
{% macro median_over(column, partition) -%}
    {{ return(adapter.dispatch('median_over', 'fiscal')(column, partition)) }}
{%- endmacro %}

{% macro default__median_over(column, partition) -%}
    median({{ column }}) over (partition by {{ partition }})
{%- endmacro %}

{% macro spark__median_over(column, partition) -%}
    percentile_approx({{ column }}, 0.5) over (partition by {{ partition }})
{%- endmacro %}
