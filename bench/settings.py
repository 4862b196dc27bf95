"""Settings of the benchmark server: the platform's own, plus one bare view (bench/urls.py).

Everything else (middleware, templates, database, cache) is exactly onetouch.settings.base, read
from the same environment variables, so the bare view and the catalogue are served alike.
"""

from onetouch.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
