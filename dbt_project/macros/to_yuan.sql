{#- An amount printed in a money unit, as exact yuan (to the fen); null for counts and unknown units. -#}
{% macro to_yuan(amount, unit) -%}
    cast({{ amount }} * case {{ unit }}
        when '亿元' then 100000000
        when '万元' then 10000
        when '千元' then 1000
        when '元' then 1
    end as decimal(18, 2))
{%- endmacro %}
