"""Progress reports on SQLite, as the embedded platform of `make run` keeps them.

Run by tests/learners/test_progress_sqlite.py in a process of its own (the test suite's database
is PostgreSQL): `python tests/learners/sqlite_progress_run.py` with DATABASE_URL=sqlite:///… and
the embedded settings. It migrates an empty database, makes a learner with a video and a slide deck
open, sends their reports through the real heartbeat URL, and prints what the database then holds,
as JSON, for the test to check.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetouch.settings.base")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from courses.models import Lesson  # noqa: E402
from learners.models import LessonProgress  # noqa: E402
from learners.services.enrolments import enrolment_create  # noqa: E402
from onetouch.models import Commune  # noqa: E402
from onetouch.services.admin_units import admin_units_load  # noqa: E402
from tests.factories import course_make, learner_make, lesson_make, seconds_pass, video_lesson_make  # noqa: E402


def token_of(page: str) -> str:
    return page.split('data-token="', 1)[1].split('"', 1)[0]


def main() -> None:
    call_command("migrate", verbosity=0)
    admin_units_load()
    learner = learner_make(commune=Commune.objects.order_by("id").first())
    course = course_make()
    enrolment_create(learner=learner, course=course)
    video = video_lesson_make(course=course, duration=600.0)
    deck = lesson_make(course=course, kind=Lesson.Kind.SLIDES, title="Trang chiếu", page_count=3)
    client = Client()
    client.force_login(learner)

    answers = []
    video_token = token_of(client.get(f"/learning/courses/{course.slug}/{video.id}/").content.decode())
    seconds_pass(LessonProgress.objects.get(learner=learner, lesson=video), 120)
    for start in (0, 10, 20):
        report = {"token": video_token, "intervals": [[start, start + 10]], "position": start + 10}
        answers.append(client.post("/learning/heartbeat/", json.dumps(report), content_type="text/plain").status_code)

    deck_token = token_of(client.get(f"/learning/courses/{course.slug}/{deck.id}/").content.decode())
    for page in (1, 2):
        seconds_pass(LessonProgress.objects.get(learner=learner, lesson=deck), 30)
        report = {"token": deck_token, "page": page}
        answers.append(client.post("/learning/heartbeat/", json.dumps(report), content_type="text/plain").status_code)

    watched = LessonProgress.objects.get(learner=learner, lesson=video)
    shown = LessonProgress.objects.get(learner=learner, lesson=deck)
    print(
        json.dumps(
            {
                "vendor": django.db.connection.vendor,
                "answers": answers,
                "watched_seconds": watched.watched_seconds,
                "watched_intervals": watched.watched_intervals,
                "position_seconds": watched.position_seconds,
                "pages_viewed": shown.pages_viewed,
            }
        )
    )


if __name__ == "__main__":
    main()
