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
    {#- only builds and tests have the record: their on-run-start hook makes sure it exists -#}
    {%- if not execute or flags.WHICH not in ('build', 'test') or flags.FULL_REFRESH or not model.attached_node -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) -%}
    {%- set scope = (tested.config.meta or {}).get('tests_scope') if tested else none -%}
    {%- if scope == 'changed_years' -%}
        {%- set column, quote = 'fiscal_year_partition', '' -%}
        {%- set key = fiscal_year_partition('loaded.fiscal_year') ~ ' + shift.years' -%}
        {%- set shifts = 'cross join (select 0 as years union all select 1 as years) as shift' -%}
    {%- elif scope == 'loaded_documents' -%}
        {%- set column, quote, key, shifts = 'document_id', "'", 'loaded.document_id', '' -%}
    {%- else -%}
        {%- do return(none) -%}
    {%- endif -%}
    {#- one query: whether any build passed yet, and the keys of what changed since. The keys are
        written into the test as constants: the engine can then skip the other rows at the scan,
        even under a view, which it cannot do for a subquery. -#}
    {%- set found = run_query(
        'select mark.loaded_through is null as never_checked, changed.changed_key'
        ~ ' from (select max(checked.loaded_through) as loaded_through from ' ~ build_checked_relation() ~ ' as checked) as mark'
        ~ ' left join (select distinct ' ~ key ~ ' as changed_key, loaded.loaded_at from ' ~ source('raw', 'documents')
        ~ ' as loaded ' ~ shifts ~ ') as changed on changed.loaded_at > mark.loaded_through'
    ) -%}
    {%- if found.rows | length == 0 or found.rows[0][0] -%}{%- do return(none) -%}{%- endif -%}
    {%- set keys = found.columns[1].values() | reject('none') | unique | list -%}
    {%- if keys | length == 0 -%}{%- do return('1 = 0') -%}{%- endif -%}
    {%- if keys | length > 20000 -%}{%- do return(none) -%}{%- endif -%}
    {%- set literals = [] -%}
    {%- for value in keys -%}{%- do literals.append(quote ~ (value | string | replace("'", "''")) ~ quote) -%}{%- endfor -%}
    {%- do return(column ~ ' in (' ~ literals | join(', ') ~ ')') -%}
{%- endmacro %}

{% macro build_checked_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='audit', identifier='build_checked')) }}
{%- endmacro %}

{#- on-run-start: the record exists before any test reads it. -#}
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
