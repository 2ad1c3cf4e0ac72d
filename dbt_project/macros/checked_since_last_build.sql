{#- Data tests check what changed since the last build that passed them all.

    A build that ends with every model built and every test passed records how far the loaded
    documents went (audit.build_checked). The next build is told what changed since (by
    `orchestration.changes.build_changes`), and its data tests read only those rows: for a model
    rebuilt by fiscal year (meta tests_scope: changed_years), the fiscal years the documents loaded
    since change; for a model with one or more rows per document (meta tests_scope:
    loaded_documents), the documents loaded since. Rows checked before were built from the same
    documents and passed then. A full refresh, or a build not told (no passed build yet, dbt run by
    hand), checks every row; models without tests_scope are always checked whole. -#}

{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set scope = checked_rows_condition() -%}
    {%- if scope -%}{%- do conditions.append(scope) -%}{%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% macro checked_rows_condition() -%}
    {#- only builds and tests have the scopes: their on-run-start hook writes them -#}
    {%- if not execute or flags.WHICH not in ('build', 'test') or flags.FULL_REFRESH or not model.attached_node -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) -%}
    {%- set scope = (tested.config.meta or {}).get('tests_scope') if tested else none -%}
    {%- if scope not in ('changed_years', 'loaded_documents') -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set found = run_query(
        'select condition from ' ~ tests_scope_relation() ~ " where scope = '" ~ scope ~ "'"
    ) -%}
    {%- do return(found.rows[0][0] if found.rows | length == 1 else none) -%}
{%- endmacro %}

{#- on-run-start: each scope's condition, once for the whole run, by one statement, from what the
    build is told changed since the last passed build (`told_changes()`). The keys are written into the condition as constants: the engine can then
    skip the other rows at the scan, even under a view, which it cannot do for a subquery. Not told
    (no passed build yet, or dbt run by hand), or more than 20,000 documents: no condition, every
    row is read; nothing changed: a condition no row meets. -#}
{% macro write_tests_scopes() -%}
    {{ return(adapter.dispatch('write_tests_scopes', 'fiscal')()) }}
{%- endmacro %}

{% macro default__write_tests_scopes() -%}
    {% if execute and flags.WHICH in ('build', 'test') %}
    {%- set told = told_changes() -%}
    {%- set years = told.changed_years if told is not none else none -%}
    {%- set since = told.changed_since_us if told is not none else none -%}
    create or replace table {{ tests_scope_relation() }} as
    with loaded as (
        select documents.document_id
        from {{ source('raw', 'documents') }} as documents
        where {% if since is none %}1 = 0{% else %}{{ epoch_microseconds('documents.loaded_at') }} > {{ since | int }}{% endif %}
    )
    select
        'changed_years' as scope,
        {% if years is none -%}
        cast(null as {{ dbt.type_string() }})
        {%- elif years | length == 0 -%}
        '1 = 0'
        {%- else -%}
        'fiscal_year_partition in ({{ years | map("int") | sort | join(", ") }})'
        {%- endif %} as condition
    union all
    select
        'loaded_documents' as scope,
        case
            when {{ 'true' if since is none else 'false' }} then null
            when count(loaded.document_id) = 0 then '1 = 0'
            when count(loaded.document_id) > 20000 then null
            else 'document_id in (' || string_agg(
                '''' || replace(loaded.document_id, '''', '''''') || '''', ', ' order by loaded.document_id
            ) || ')'
        end as condition
    from loaded;
    {{ comment_table(tests_scope_relation(), "What the running build's data tests read, per scope: written at the build's start from what changed since the last passed build.", {
        'scope': 'changed_years (facts rebuilt by fiscal year) or loaded_documents (models with rows per document).',
        'condition': "The rows the scope's tests read, as SQL; null for every row.",
    }) }}
    {% endif %}
{%- endmacro %}

{#- A timestamp as microseconds since the epoch. -#}
{% macro epoch_microseconds(column) -%}
    {{ return(adapter.dispatch('epoch_microseconds', 'fiscal')(column)) }}
{%- endmacro %}

{% macro default__epoch_microseconds(column) -%}
    unix_micros({{ column }})
{%- endmacro %}

{% macro duckdb__epoch_microseconds(column) -%}
    epoch_us({{ column }})
{%- endmacro %}

{% macro tests_scope_relation() -%}
    {{ return(api.Relation.create(database=(target.database if target.database is defined else none), schema='audit', identifier='tests_scope')) }}
{%- endmacro %}

{% macro build_checked_relation() -%}
    {{ return(api.Relation.create(database=(target.database if target.database is defined else none), schema='audit', identifier='build_checked')) }}
{%- endmacro %}

{#- on-run-start: the record exists before the scopes are written from it. -#}
{% macro create_build_checked() -%}
    {{ return(adapter.dispatch('create_build_checked', 'fiscal')()) }}
{%- endmacro %}

{% macro default__create_build_checked() -%}
    {% if execute %}
    create schema if not exists {{ build_checked_relation().without_identifier() }};
    create table if not exists {{ build_checked_relation() }} (
        loaded_through timestamp with time zone,
        built_at timestamp with time zone
    );
    {{ comment_table(build_checked_relation(), 'Each dbt build that ran and passed every model, seed and data test, and how far the loaded documents went then: the next build checks only what was loaded since.', {
        'loaded_through': 'The last load (raw.documents.loaded_at) the build saw.',
        'built_at': 'When the build ended.',
    }) }}
    {% endif %}
{%- endmacro %}

{#- on-run-end: a build in which every model, seed and data test of the project ran and passed
    records how far the loaded documents went. -#}
{% macro record_build_checked(results) -%}
    {%- if execute and flags.WHICH == 'build' and not flags.EMPTY -%}
        {%- set kinds = ['model', 'seed', 'test'] -%}
        {%- set project_nodes = graph.nodes.values() | selectattr('resource_type', 'in', kinds) | list -%}
        {%- set ran = results | selectattr('node.resource_type', 'in', kinds) | list -%}
        {%- set passed = ran | selectattr('status', 'in', ['success', 'pass', 'warn']) | list -%}
        {%- if ran | length == project_nodes | length and passed | length == ran | length -%}
    insert into {{ build_checked_relation() }}
    select max(loaded_at), current_timestamp from {{ source('raw', 'documents') }};
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
