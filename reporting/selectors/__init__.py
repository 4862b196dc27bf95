"""Reporting's reads: the dashboards' sections from the summary counts, the courses a viewer may read, exports."""
