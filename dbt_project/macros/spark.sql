{#- What the project needs of Apache Spark that DuckDB does without. Spark SQL runs one statement
    at a time, so these hooks run each statement themselves and render nothing. -#}

{#- Where the Spark engine's tables are, under FISCAL_SPARK_HOME (orchestration/spark.py): the
    marts and the seeds each in a schema with a folder of its own, each table a folder in it
    (`<home>/marts/<model>/`), where the warehouse's views of them and the integrity rules read
    them; the other schemas where Spark puts them. -#}
{% macro spark_home() -%}
    {{ return(env_var('FISCAL_SPARK_HOME', '../warehouse/fiscal.duckdb.spark')) }}
{%- endmacro %}

{% macro spark__create_schema(relation) -%}
    {%- call statement('create_schema') -%}
        create schema if not exists {{ relation }}
        {%- if relation.schema in ('marts', 'reference') %} location '{{ spark_home() }}/{{ relation.schema }}'{% endif %}
    {%- endcall -%}
{%- endmacro %}

{#- on-run-start, first: the raw tables, over the Parquet files the ingest step lands for Spark,
    one folder per table (`<home>/raw/<table>/`). DuckDB holds them in its file. -#}
{% macro place_raw_tables() -%}
    {{ return(adapter.dispatch('place_raw_tables', 'fiscal')()) }}
{%- endmacro %}

{% macro default__place_raw_tables() -%}
{%- endmacro %}

{% macro spark__place_raw_tables() -%}
    {%- if execute -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
            {%- do run_query('drop table if exists raw.' ~ node.name) -%}
            {%- do run_query("create table raw." ~ node.name ~ " using parquet location '" ~ spark_home() ~ "/raw/" ~ node.name ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{% macro spark__comment_table(relation, about, columns) -%}
    {%- do run_query("comment on table " ~ relation ~ " is '" ~ (about | replace("'", "\\'")) ~ "'") -%}
    {%- for column, text in columns.items() -%}
        {%- do run_query("alter table " ~ relation ~ " alter column " ~ column ~ " comment '" ~ (text | replace("'", "\\'")) ~ "'") -%}
    {%- endfor -%}
{%- endmacro %}

{% macro spark__create_build_checked() -%}
    {%- if execute -%}
        {%- do run_query('create database if not exists ' ~ build_checked_relation().schema) -%}
        {%- do run_query('create table if not exists ' ~ build_checked_relation() ~ ' (loaded_through timestamp, built_at timestamp) using parquet') -%}
        {%- do spark__comment_table(build_checked_relation(), 'Each dbt build that ran and passed every model, seed and data test, and how far the loaded documents went then.', {
            'loaded_through': 'The last load (raw.documents.loaded_at) the build saw.',
            'built_at': 'When the build ended.',
        }) -%}
    {%- endif -%}
{%- endmacro %}

{#- A Spark build is a full build (orchestration/spark.py): its data tests read every row, as the
    scopes' null conditions say. -#}
{% macro spark__write_tests_scopes() -%}
    {%- if execute and flags.WHICH in ('build', 'test') -%}
        {%- do run_query('drop table if exists ' ~ tests_scope_relation()) -%}
        {%- do run_query('create table ' ~ tests_scope_relation() ~ ' using parquet as '
            ~ "select 'changed_years' as scope, cast(null as string) as condition "
            ~ "union all select 'loaded_documents', cast(null as string)") -%}
        {%- do spark__comment_table(tests_scope_relation(), "What the running build's data tests read, per scope (null: every row).", {
            'scope': 'changed_years (facts rebuilt by fiscal year) or loaded_documents (models with rows per document).',
            'condition': "The rows the scope's tests read, as SQL; null for every row.",
        }) -%}
    {%- endif -%}
{%- endmacro %}

{#- Spark builds the facts whole: nothing is left of a document loaded again. -#}
{% macro spark__drop_rows_of_reloaded_documents() -%}
{%- endmacro %}

{#- Post-hook of the marts: on Spark, each one's columns, as an empty Parquet file in
    `<home>/schemas/<model>/`, where the warehouse's view of a mart with no rows reads them (Spark
    writes no file for a partitioned table without rows). -#}
{% macro keep_schema() -%}
    {{ return(adapter.dispatch('keep_schema', 'fiscal')()) }}
{%- endmacro %}

{% macro default__keep_schema() -%}
{%- endmacro %}

{% macro spark__keep_schema() -%}
    insert overwrite directory '{{ spark_home() }}/schemas/{{ this.identifier }}' using parquet
    select * from {{ this }} where 1 = 0
{%- endmacro %}
