{#- Division that yields null for a zero or missing divisor, on every adapter, in double precision
    (as DuckDB divides decimals; Spark would keep ten decimal places, and its ratios would differ
    from DuckDB's in the last digits). -#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'fiscal')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    case when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as double) / cast({{ denominator }} as double) end
{%- endmacro %}
