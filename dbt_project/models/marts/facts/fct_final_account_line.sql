-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
{{ statement_line_fact('stg_raw__final_account_lines', 'stg_raw__final_account_tables', 'final_account_line_id') }}
