"""Background jobs of announcements."""
