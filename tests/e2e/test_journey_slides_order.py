"""Slides reported in the order they were shown, whatever the network does.

Two quick page turns make two reports. Sent at once, the second could reach the server first; the
server would then take the first page as the one on screen, and the report that the last page
stayed long enough would count the page the learner skipped. Here the network holds back the
report of page 2: page 3's report must wait for it, and only pages 1 and 3 count.
"""

import json
import time

import pytest
from playwright.sync_api import Route, expect

from courses.models import Lesson
from courses.services.catalogue import course_publish
from learners.models import LessonProgress
from learners.services.enrolments import enrolment_create
from tests.conftest import PASSWORD
from tests.e2e.journeys import sign_in
from tests.factories import course_make, lesson_make

pytestmark = [pytest.mark.e2e]

HELD_BACK_SECONDS = 1.5


def test_a_quick_page_turn_never_counts_the_page_skipped(live_server, new_page, learner_hue, province_hue):
    course = course_make(province=province_hue, is_published=False)
    slides = lesson_make(
        course=course, kind=Lesson.Kind.SLIDES, title="Trình chiếu", page_count=3, media_prefix="lessons/9/r1/"
    )
    course = course_publish(course=course)
    enrolment_create(learner=learner_hue, course=course)
    page = new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, live_server, learner_hue.email, PASSWORD)

    held: list[Route] = []
    sent: list[int] = []

    def heartbeat(route: Route) -> None:
        number = json.loads(route.request.post_data)["page"]
        sent.append(number)
        if number == 2:
            held.append(route)  # let through by the test below, after a while
        else:
            route.continue_()

    page.route("**/learning/heartbeat/", heartbeat)
    page.goto(live_server.url + f"/learning/courses/{course.slug}/{slides.id}/")
    counter = page.locator("#slide-counter")
    waiting(page, lambda: pages_seen(learner_hue, slides) == [1], what="page 1 to count after 3 s on screen")

    page.locator("#slide-next").click()
    page.keyboard.press("ArrowRight")  # at once: page 2 was not on screen long enough
    expect(counter).to_contain_text("3")
    page.wait_for_timeout(HELD_BACK_SECONDS * 1000)
    assert sent[-1] == 2, f"page 3 was reported before page 2's answer: {sent}"
    held.pop().continue_()

    waiting(page, lambda: pages_seen(learner_hue, slides) == [1, 3], what="page 3 to count, and not page 2")
    page.wait_for_timeout(1500)  # any late report would have counted page 2 by now
    assert pages_seen(learner_hue, slides) == [1, 3]


def waiting(page, check, *, what: str, timeout: float = 10) -> None:
    """Poll a database read while letting Playwright run the route handler (it runs only inside
    Playwright's own calls, so a plain sleep would hold every report back)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        page.wait_for_timeout(200)


def pages_seen(learner, lesson: Lesson) -> list[int]:
    progress = LessonProgress.objects.filter(learner=learner, lesson=lesson).first()
    return progress.pages_viewed if progress else []
