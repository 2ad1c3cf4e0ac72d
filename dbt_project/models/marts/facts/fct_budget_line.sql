-- Department and unit budgets, one row per table × row × column amount.
-- Rebuilt one fiscal year at a time: a run replaces only the years whose documents changed.
{{ statement_line_fact('stg_raw__budget_table_lines', 'stg_raw__budget_tables', 'budget_line_id', extra_columns=['budget_scope']) }}
