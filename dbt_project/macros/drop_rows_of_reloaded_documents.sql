{#- post-hook of the facts rebuilt by fiscal year: a document read again since its rows were built
    (a parser change) whose rows the build did not replace has no rows in that year any more: it is
    now read as another year, or quarantined, or no longer the current version. delete+insert only
    replaces the years present in the new rows, so a year that lost its only documents would keep
    their rows without this. Rows carry the load time of the document they were built from. -#}
{% macro drop_rows_of_reloaded_documents() -%}
    delete from {{ this }} as built
    where exists (
        select 1
        from {{ ref('stg_raw__documents') }} as loaded
        where loaded.document_id = built.document_id
            and loaded.loaded_at > built.loaded_at
    )
{%- endmacro %}
