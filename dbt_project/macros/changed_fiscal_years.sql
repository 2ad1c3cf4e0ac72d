{#- For a fact rebuilt one fiscal year at a time (incremental, unique_key fiscal_year_partition).

    A fact opens with `changed_years as ({{ changed_fiscal_years() }})`: on an incremental run, the
    years the build is told changed (`told_changes()`: those the documents loaded since the last
    passed build change, as `ingest.changes` counts them, the year after each included), and the
    years where this table holds rows of a document loaded again since (a document read anew is
    replaced in the raw layer, and may now be read as another year, or as a version another one
    replaced); on a full build, or a build not told what changed (dbt run by hand), every year of
    the documents. Nothing else changes which documents are current: a newer version of a document
    is loaded after it, and is of its year (the year is part of what makes two files versions of
    one document). The CTE is computed once however often the fact refers to it.
    `in_changed_fiscal_years(year)` is true of the rows of those years (the column `year`). Filter
    the documents with it before joining or aggregating, so that an incremental run reads only the
    changed years' rows. -#}
{% macro changed_fiscal_years() -%}
    {#- resolved outside the incremental branch, which dbt's parse does not enter -#}
    {%- do ref('stg_raw__documents') -%}
    {%- set told = told_changes() if is_incremental() else none -%}
    {%- if told is not none %}
    select told.fiscal_year_partition
    from ({{ year_rows(told.changed_years) }}) as told
    union
    select built.fiscal_year_partition
    from {{ this }} as built
    where {{ built_from_a_reloaded_document('built') }}
    {%- else %}
    select distinct {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition
    from {{ ref('int_current_documents') }} as documents
    {%- endif %}
{%- endmacro %}

{#- What the build is told changed since the last passed build, while it runs (never while dbt
    parses: the environment differs every build, and dbt would parse everything again):
    `changed_years`, a list of years, and `changed_since_us`, that build's last load in
    microseconds since the epoch. None when not told. Set by orchestration/assets/dbt.py. -#}
{% macro told_changes() -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set years = env_var('FISCAL_CHANGED_YEARS', 'not told') -%}
    {%- set since = env_var('FISCAL_CHANGED_SINCE_US', 'not told') -%}
    {%- if years == 'not told' or since == 'not told' -%}{{ return(none) }}{%- endif -%}
    {%- set listed = [] -%}
    {%- for year in years.split(',') if year.strip() -%}{%- do listed.append(year | int) -%}{%- endfor -%}
    {{ return({'changed_years': listed, 'changed_since_us': since | int}) }}
{%- endmacro %}

{#- The years of a list as rows of `fiscal_year_partition` (no row for an empty list). -#}
{% macro year_rows(years) -%}
    {%- for year in years %}
    select {{ year | int }} as fiscal_year_partition{% if not loop.last %} union all{% endif %}
    {%- else %}
    select 0 as fiscal_year_partition where 1 = 0
    {%- endfor %}
{%- endmacro %}

{#- True of a row built from a document loaded again since (rows carry their document's load time). -#}
{% macro built_from_a_reloaded_document(built) -%}
    exists (
        select 1
        from {{ ref('stg_raw__documents') }} as loaded
        where loaded.document_id = {{ built }}.document_id
            and loaded.loaded_at > {{ built }}.loaded_at
    )
{%- endmacro %}

{#- Post-hook of the facts: the rows of a document loaded again that the build did not replace
    (it is now read as another year, or quarantined) are deleted. delete+insert only replaces the
    years present in the new rows, so a year left with no document would keep them otherwise. -#}
{% macro drop_rows_of_reloaded_documents() -%}
    {{ return(adapter.dispatch('drop_rows_of_reloaded_documents', 'fiscal')()) }}
{%- endmacro %}

{% macro default__drop_rows_of_reloaded_documents() -%}
    delete from {{ this }} as built
    where {{ built_from_a_reloaded_document('built') }}
{%- endmacro %}

{% macro in_changed_fiscal_years(year='fiscal_year') -%}
    {{ fiscal_year_partition(year) }} in (select changed_years.fiscal_year_partition from changed_years)
{%- endmacro %}

{#- The partition a fiscal year's rows go to: the year itself, 0 for a document with no year. -#}
{% macro fiscal_year_partition(year) -%}
    coalesce({{ year }}, 0)
{%- endmacro %}

{#- Written after `documents as` in a fact whose changed-years documents filter its lines and are
    joined again later: DuckDB would otherwise compute such a twice-used CTE once into a buffer, and
    the filter on the lines could no longer reach their table scan (every line of every year then
    goes through the staging view's projection). Inlined, each use is planned with its filter: at
    100,000 documents a year's rebuild of the department summary takes a seventh of the time.
    Other engines get the plain CTE. -#}
{% macro inlined_cte() -%}
    {{ return(adapter.dispatch('inlined_cte', 'fiscal')()) }}
{%- endmacro %}

{% macro default__inlined_cte() -%}
{%- endmacro %}

{% macro duckdb__inlined_cte() -%}
    not materialized
{%- endmacro %}
