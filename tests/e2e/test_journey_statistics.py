"""Browser journey (issue 6): a learner completes a course and the ministry's dashboard counts it.

Headless Chromium, a live server and a real Celery worker on the test Redis broker. The periodic
fold is run as beat runs it: the `reporting.tasks.statistics_fold` task, queued and executed by the
worker (the beat schedule itself is tested elsewhere). The certificate task queued by the
completion runs on the same worker.

The interface is Vietnamese by default and being translated, so elements are found by id, form
action and data attributes, never by interface text.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from courses.models import Lesson
from courses.services.catalogue import course_publish
from learners.models import CourseCompletion
from learners.services.enrolments import enrolment_create
from learners.services.progress import lesson_complete_manually
from reporting.models import SummaryTotal
from reporting.tasks import statistics_fold as statistics_fold_task
from tests.conftest import PASSWORD
from tests.e2e.journeys import path_of, sign_in, wait_until
from tests.factories import course_make, lesson_make
from tests.reporting.test_services_fold import events_foldable_wait

pytestmark = [pytest.mark.e2e]

COURSE_TITLE = "Nhận diện tin nhắn lừa đảo trên điện thoại"
TOTAL_COMPLETIONS = "#totals [data-measure='completions']"
FOLD_TIMEOUT_S = 60


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Certificates' PDFs go to this test's own folder (the live server and the worker are threads here)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reading_course(province_hue):
    """A published course of one required text lesson: reading it completes the course."""
    course = course_make(title=COURSE_TITLE, province=province_hue, is_published=False)
    lesson = lesson_make(course=course, kind=Lesson.Kind.TEXT, body_html="<p>Không bấm vào đường dẫn lạ.</p>")
    return course_publish(course=course), lesson


def national_completions() -> int:
    """Course completions of every day, place, group and course, as the fold has summed them."""
    rows = SummaryTotal.objects.filter(grain="month", province_id=-1, commune_id=-1, course_id=-1)
    return sum(rows.values_list("course_completed", flat=True))


def fold_by_the_worker(*, completions: int) -> None:
    """Queue the periodic fold on the worker and wait until it has counted that many completions."""
    events_foldable_wait()
    statistics_fold_task.delay()
    wait_until(lambda: national_completions() == completions, timeout=FOLD_TIMEOUT_S, what="the worker's fold")


def total_completions(page: Page) -> int:
    """The number in the dashboard's totals cell, whatever the language's digit grouping."""
    return int(re.sub(r"\D", "", page.locator(TOTAL_COMPLETIONS).inner_text()))


def test_a_completed_course_shows_on_the_national_dashboard_after_the_fold(
    live_server, celery_worker_running, media_root, new_page, reading_course, learner_hanoi, learner_hue, ministry_staff
) -> None:
    course, lesson = reading_course
    # Someone completed the course earlier and was counted: the dashboard starts from a figure.
    enrolment_create(learner=learner_hanoi, course=course)
    lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    fold_by_the_worker(completions=1)

    # 1. The ministry's dashboard before: the totals for the last 30 days.
    staff = new_page()
    sign_in(staff, live_server, ministry_staff.email, PASSWORD)
    staff.goto(live_server.url + "/statistics/")
    assert path_of(staff) == "/statistics/"
    expect(staff.locator(TOTAL_COMPLETIONS)).to_be_visible()
    before = total_completions(staff)
    assert before == 1

    # 2. The learner signs in, opens the course, enrols, and reads its one lesson: the course is completed.
    learner = new_page()
    sign_in(learner, live_server, learner_hue.email, PASSWORD)
    learner.goto(live_server.url + course.get_absolute_url())
    with learner.expect_navigation():
        learner.locator(f"form[action='/learning/enrol/{course.slug}/'] button[type=submit]").click()
    learner.goto(live_server.url + f"/learning/courses/{course.slug}/{lesson.id}/")
    # mark-read.js posts the form and shows the answer in its place (no navigation).
    learner.locator(f"form[action='/learning/courses/{course.slug}/{lesson.id}/done/'] button[type=submit]").click()
    expect(learner.locator("#lesson-done")).to_be_visible()
    assert CourseCompletion.objects.filter(learner=learner_hue, course=course).exists()
    assert learner.js_errors == []

    # 3. The periodic fold runs on the worker; until then the dashboard still says what it said.
    staff.reload()
    assert total_completions(staff) == before
    fold_by_the_worker(completions=2)

    # 4. The ministry's dashboard after: one more completion.
    staff.reload()
    assert total_completions(staff) == before + 1
    assert staff.js_errors == []
