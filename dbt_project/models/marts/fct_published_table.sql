-- The standard tables each current final accounts and budget printed: one row per document and
-- table, whether it was printed as empty (本表无数据), and where it stands. What a publication
-- lacks is its kind's standard list (`required` in ingest/vocabulary) less these rows: the
-- yearly report's disclosure view says which.
with

documents as (

    select * from {{ ref('int_current_documents') }}

),

published as (

    {%- for printed in ['stg_raw__final_account_tables', 'stg_raw__budget_tables'] %}
        select
            document_id,
            table_code,
            table_title,
            is_empty,
            page,
            line_no
        from {{ ref(printed) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        published.document_id || ':' || published.table_code as published_table_id,
        published.document_id,
        documents.doc_type,
        documents.fiscal_year,
        documents.adcode,
        documents.department,
        published.table_code,
        published.table_title,
        published.is_empty,
        published.page,
        published.line_no
    from published
    inner join documents
        on published.document_id = documents.document_id

)

select * from final
