{{ stage_statement_tables('final_account_tables', 'final_account_table_id') }}
