"""Readers, layout detection and form parsers that turn published documents into raw records."""
