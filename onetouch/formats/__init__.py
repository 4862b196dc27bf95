"""The site's date formats, one per language (settings.FORMAT_MODULE_PATH).

Django looks here first and falls back to its own locale formats for every name not set here.
Each language has one date form, used for short and long dates alike, so a date reads the same on
every page: Django's Vietnamese DATE_FORMAT ("Ngày 04 tháng 12 năm 2026") doubled the "ngày" of
sentences such as "Hoàn thành ngày …", and its short forms differed between languages and pages
(04-12-2026, 12/04/2026). Templates use `|date:"DATE_FORMAT"` or `|date:"SHORT_DATETIME_FORMAT"`,
never a pattern of their own.
"""
