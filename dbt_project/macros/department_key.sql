{#- A department's name as the halves of one publication are joined on: the prefixes some print
    and others leave out (var department_name_prefixes) taken off. -#}
{% macro department_key(column) -%}
    {%- set prefixes = var('department_name_prefixes', []) -%}
    case
        {%- for prefix in prefixes %}
        when {{ column }} like '{{ prefix }}%' then substr({{ column }}, {{ prefix | length + 1 }})
        {%- endfor %}
        else {{ column }}
    end
{%- endmacro %}
