"""Progress reports on SQLite, the embedded database of `make run`, where the heartbeat goes through
the ORM instead of its prepared PostgreSQL statements (docs/decisions/0024, 0031).

The suite's database is PostgreSQL, so this runs tests/learners/sqlite_progress_run.py in a process
of its own with the embedded settings and an SQLite file, and checks what it reports.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("sqlite_progress_run.py")


def test_video_and_slide_reports_are_recorded_on_sqlite(tmp_path):
    environment = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "DJANGO_SETTINGS_MODULE"}
    }
    environment |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver",
        "ONETOUCH_VAR_DIR": str(tmp_path / "var"),
    }
    run = subprocess.run(
        [sys.executable, str(SCRIPT)], env=environment, capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])

    assert result["vendor"] == "sqlite"
    assert result["answers"] == [200, 200, 200, 200, 200]
    assert result["watched_intervals"] == [[0.0, 30.0]]
    assert result["watched_seconds"] == 30.0
    assert result["position_seconds"] == 30.0
    assert result["pages_viewed"] == [1]
