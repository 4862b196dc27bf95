"""Reporting's writes: the fold and the rebuild of the statistics, targets and unit mappings, export files."""
