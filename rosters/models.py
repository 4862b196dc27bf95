"""Tables of rosters; see rosters/README.md."""
