{{ stage_statement_lines('final_account_lines', 'final_account_line_id') }}
