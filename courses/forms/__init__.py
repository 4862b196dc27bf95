"""Input parsing of courses' pages and its messages, one module per subject."""
