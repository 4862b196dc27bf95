"""Vietnamese dates: 04/12/2026, and 14:30, 04/12/2026 with the time (how Vietnamese forms write them)."""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "H:i, d/m/Y"
SHORT_DATETIME_FORMAT = "H:i, d/m/Y"
# A month of the statistics trend: 12/2026.
YEAR_MONTH_FORMAT = "m/Y"
# Numbers as Vietnamese writes them: 10.000.000 and 12,5 (the statistics group every figure).
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
