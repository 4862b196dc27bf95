"""Background jobs of rosters."""
