"""The embedded broker (kombu's filesystem transport) keeps every file it writes under var/."""

import os
import subprocess
import sys
import time
from pathlib import Path

from onetouch.queues import QUEUE_NAMES

ROOT = Path(__file__).resolve().parents[2]
# Variables the test settings set, which must not reach a child running the embedded defaults.
TEST_RUN_VARIABLES = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "CACHE_KEY_PREFIX", "DJANGO_SETTINGS_MODULE"}

SHOW_FOLDERS = """
import os
import django
from django.conf import settings
from kombu import Connection
django.setup()
with Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as connection:
    channel = connection.default_channel
    # Every folder the transport would use, its defaults included for any option settings leave out.
    names = sorted(name for name in dir(type(channel)) if "folder" in name)
    for name in names:
        print(name, os.path.abspath(getattr(channel, name)))
"""


def embedded_environment(var_dir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in TEST_RUN_VARIABLES}
    return clean | {
        "DJANGO_SETTINGS_MODULE": "onetouch.settings.base",
        "DEBUG": "true",
        "ONETOUCH_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(ROOT),
    }


def test_every_broker_folder_is_under_var(tmp_path):
    """Queue, processed and control folders all resolve under ONETOUCH_VAR_DIR, whatever the working directory."""
    var_dir, elsewhere = tmp_path / "var", tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", SHOW_FOLDERS],
        cwd=elsewhere,
        env=embedded_environment(var_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    folders = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert {"control_folder", "data_folder_in", "data_folder_out", "processed_folder"} <= set(folders)
    for name, folder in folders.items():
        assert Path(folder).is_relative_to(var_dir / "broker"), (name, folder)


def test_worker_on_the_embedded_broker_writes_nothing_outside_var(tmp_path):
    """A worker started in any folder, on every queue as `make run` starts it, declares its exchanges and
    queues under var/broker, not in that folder."""
    var_dir, elsewhere = tmp_path / "var", tmp_path / "elsewhere"
    elsewhere.mkdir()
    log = tmp_path / "worker.log"
    # What scripts/run.sh passes as -Q.
    every_queue = subprocess.run(
        [sys.executable, "-m", "onetouch.queues"],
        cwd=ROOT,
        env=embedded_environment(var_dir),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "onetouch",
                "worker",
                "-Q",
                every_queue,
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=elsewhere,
            env=embedded_environment(var_dir),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text() and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()
            time.sleep(0.2)
        assert "ready." in log.read_text(), log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert list(elsewhere.iterdir()) == []
    # It consumes every queue: each is named in its start-up banner, its exchange declared under var/.
    assert every_queue.split(",") == list(QUEUE_NAMES)
    for name in QUEUE_NAMES:
        assert f".> {name} " in log.read_text(), name
        assert (var_dir / "broker" / "control" / f"{name}.exchange").exists(), name
    assert "WARNING" not in log.read_text(), log.read_text()  # make run's worker log starts clean
