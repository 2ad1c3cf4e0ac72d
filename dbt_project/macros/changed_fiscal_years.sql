{#- For a fact rebuilt one fiscal year at a time: keep the rows of the years whose documents were
    loaded since this table was last built (every year on a full build). -#}
{% macro changed_fiscal_years_filter() -%}
    {% if is_incremental() %}
    where fiscal_year_partition in (
        select coalesce(fiscal_year, 0) from {{ ref('int_current_documents') }}
        where loaded_at > coalesce(
            (select max(built.loaded_at) from {{ this }} as built), cast('1900-01-01 00:00:00' as timestamp)
        )
    )
    {% endif %}
{%- endmacro %}
