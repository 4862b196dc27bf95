"""Back-office pages of announcements."""
