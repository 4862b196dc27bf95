"""Services queue tasks by name (onetouch.jobs): a name whose module nobody imported yet still works."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh process, as a web worker is after start: nothing has imported onetouch.tasks. The task runs
# eagerly into Django's test outbox, so the test needs no broker.
QUEUE_IN_A_FRESH_PROCESS = """
import json, sys, django
django.setup()
from celery import current_app
from django.core import mail
from django.test.utils import setup_test_environment
from onetouch.jobs import task_queue

setup_test_environment()
current_app.conf.task_always_eager = True
imported_before = "onetouch.tasks" in sys.modules
task_queue("onetouch.tasks.email_send", subject="Xin chào", body="", from_email="a@demo.vn", to=["b@demo.vn"],
           html=None)
print(json.dumps({"imported_before": imported_before, "subjects": [m.subject for m in mail.outbox]}))
"""


def test_a_task_is_queued_by_name_before_anything_imported_its_module():
    result = subprocess.run(
        [sys.executable, "-c", QUEUE_IN_A_FRESH_PROCESS],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "onetouch.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"imported_before": False, "subjects": ["Xin chào"]}
