{#- Decimal division that yields null for a zero or missing divisor, on every adapter. -#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'fiscal')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    case when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as decimal(38, 10)) / cast({{ denominator }} as decimal(38, 10)) end
{%- endmacro %}
