"""Back-office pages of rosters."""
