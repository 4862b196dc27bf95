"""Real `celery beat` processes for the tests that show a periodic task doing its work once, however many
beats queue it (a second scheduler left running after a deployment is the mistake they guard against).

The tests' worker is the `celery_worker_running` fixture (a thread consuming every queue of
onetouch/queues.py); the beats only queue, each task by name to its queue, as in production.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def beats_running(tmp_path: Path, *, every_s: dict[str, str], count: int = 2) -> Iterator[list[Path]]:
    """Run `count` beats with the project's schedule, the entries whose settings `every_s` names sped up
    (e.g. {"INPERSON_NOTICES_EVERY_S": "1"}); yield their log files, complete once the block has ended."""
    beats, logs = [], []
    for name in (f"beat-{n}" for n in range(count)):
        log = tmp_path / f"{name}.log"
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "onetouch",
            "beat",
            "--loglevel=INFO",
            f"--schedule={tmp_path / name}-schedule",
            f"--pidfile={tmp_path / name}.pid",
            f"--logfile={log}",
        ]
        env = os.environ | every_s
        beats.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
        logs.append(log)
    try:
        yield logs
    finally:
        for beat in beats:
            beat.terminate()
        for beat in beats:
            beat.wait(timeout=20)
