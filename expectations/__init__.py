"""The integrity rule catalogue and the Great Expectations suites built from it."""
