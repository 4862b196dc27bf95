"""Forms of announcements."""
