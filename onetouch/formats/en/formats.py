"""English dates: 4 Dec 2026, and 4 Dec 2026, 14:30 with the time (no day/month order to guess)."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
# A month of the statistics trend: Dec 2026.
YEAR_MONTH_FORMAT = "M Y"
# Numbers as English writes them: 10,000,000 and 12.5 (the statistics group every figure).
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
