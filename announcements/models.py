"""Tables of announcements; see announcements/README.md."""
