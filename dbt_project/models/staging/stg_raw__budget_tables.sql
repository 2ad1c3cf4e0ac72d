{{ stage_statement_tables('budget_tables', 'budget_table_id') }}
