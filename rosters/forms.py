"""Forms of rosters."""
