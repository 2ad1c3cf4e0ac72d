{{ stage_statement_lines('budget_table_lines', 'budget_line_id') }}
