{#- The value held inside [low, high]; least/greatest are portable across DuckDB, Spark and Trino. -#}
{% macro clamp(value, low, high) -%}
    least(greatest({{ value }}, {{ low }}), {{ high }})
{%- endmacro %}
