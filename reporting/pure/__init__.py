"""Reporting's helpers with no ORM and no request: period arithmetic, charts, the map, spreadsheet files."""
