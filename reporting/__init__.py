"""Yearly cross-county comparison reports (Excel and HTML)."""
