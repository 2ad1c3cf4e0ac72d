{#- Data tests check what changed since the last build that passed them all.

    A build that ends with every model built and every test passed records how far the loaded
    documents went (audit.build_checked). The next build's data tests read only the rows that came
    after: for a model rebuilt by fiscal year (meta tests_scope: changed_years), the fiscal years of
    the documents loaded since, and the year after each (a fact comparing a year with the one before);
    for a model with one or more rows per document (meta tests_scope: loaded_documents), the documents
    loaded since. Rows checked before were built from the same documents and passed then. A full
    refresh, or a warehouse with no passed build, checks every row; models without tests_scope are
    always checked whole. -#}

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

{#- on-run-start: each scope's condition, once for the whole run, by one statement. The keys of
    what changed since the last passed build are written into the condition as constants: the engine
    can then skip the other rows at the scan, even under a view, which it cannot do for a subquery.
    No passed build yet (or more than 20,000 keys): no condition, every row is read; nothing
    changed: a condition no row meets. -#}
{% macro write_tests_scopes() -%}
    {% if execute and flags.WHICH in ('build', 'test') %}
    create or replace table {{ tests_scope_relation() }} as
    with mark as (
        select max(checked.loaded_through) as loaded_through from {{ build_checked_relation() }} as checked
    ),
    loaded as (
        select documents.document_id, {{ fiscal_year_partition('documents.fiscal_year') }} as fiscal_year_partition
        from {{ source('raw', 'documents') }} as documents
        where documents.loaded_at > (select mark.loaded_through from mark)
    ),
    keys as (
        select 'changed_years' as scope, cast(loaded.fiscal_year_partition + shift.years as {{ dbt.type_string() }}) as key_literal
        from loaded cross join (select 0 as years union all select 1 as years) as shift
        union
        select 'loaded_documents' as scope, '''' || replace(loaded.document_id, '''', '''''') || '''' as key_literal
        from loaded
    ),
    scopes as (
        select 'changed_years' as scope, 'fiscal_year_partition' as key_column
        union all
        select 'loaded_documents' as scope, 'document_id' as key_column
    )
    select
        scopes.scope,
        case
            when (select mark.loaded_through from mark) is null then null
            when count(keys.key_literal) = 0 then '1 = 0'
            when count(keys.key_literal) > 20000 then null
            else scopes.key_column || ' in (' || string_agg(keys.key_literal, ', ' order by keys.key_literal) || ')'
        end as condition
    from scopes
    left join keys on keys.scope = scopes.scope
    group by scopes.scope, scopes.key_column
    {% endif %}
{%- endmacro %}

{% macro tests_scope_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='audit', identifier='tests_scope')) }}
{%- endmacro %}

{% macro build_checked_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='audit', identifier='build_checked')) }}
{%- endmacro %}

{#- on-run-start: the record exists before the scopes are written from it. -#}
{% macro create_build_checked() -%}
    {% if execute %}
    create schema if not exists {{ build_checked_relation().without_identifier() }};
    create table if not exists {{ build_checked_relation() }} (
        loaded_through timestamp with time zone,
        built_at timestamp with time zone
    );
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
