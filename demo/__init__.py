"""A synthetic province: realistic documents for comparing counties, marked as synthetic."""
