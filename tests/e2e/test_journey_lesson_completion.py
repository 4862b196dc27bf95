"""Browser journey on a 360 px phone: completing a lesson updates the outline's mark and the course
percentage on the same page, without a reload; in a course taken in order, the next lesson opens in
the outline and the page's "Next lesson" link becomes a link. After a reload the page shows the
server's percentage, the same as the one shown live.

A text lesson is completed with "Mark as read" (its reading time made to pass by moving the
progress clocks back, as tests.factories.seconds_pass does), a one-page slides lesson by keeping its
page on screen SLIDE_PAGE_MIN_SECONDS. A value set on `window` before each completion must still be
there after it: a navigation would have dropped it.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from courses.models import Course, Lesson
from courses.selectors.outline import course_outline_get
from courses.services.catalogue import course_publish
from courses.services.structure import module_create
from learners.models import LessonProgress
from learners.services.enrolments import enrolment_create
from tests.conftest import PASSWORD
from tests.e2e.journeys import sign_in, wait_until
from tests.factories import course_make, lesson_make, seconds_pass

pytestmark = [pytest.mark.e2e]

DONE = re.compile(r"\bis-done\b")
LOCKED = re.compile(r"\bis-locked\b")
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def ordered_course(province_hue) -> tuple[Course, list[Lesson]]:
    """Huế's course taken in order: a text lesson, a one-page slides lesson and a second text lesson, all required."""
    course = course_make(title="Nhận diện lừa đảo trên mạng", province=province_hue, is_published=False)
    module = module_create(course=course, title="Phần 1")
    lessons = [
        lesson_make(course=course, module=module, kind=Lesson.Kind.TEXT, title="Bài đọc: tin nhắn giả mạo"),
        lesson_make(course=course, module=module, kind=Lesson.Kind.SLIDES, title="Bài trình chiếu: dấu hiệu"),
        lesson_make(course=course, module=module, kind=Lesson.Kind.TEXT, title="Bài đọc: báo cáo lừa đảo"),
    ]
    Course.objects.filter(id=course.id).update(requires_order=True)
    course.refresh_from_db()
    return course_publish(course=course), lessons


def next_step(page: Page):
    return page.locator(".lesson-steps [data-step='next']")


def server_percent(course: Course, learner) -> int:
    return course_outline_get(course=course, learner=learner).percent


def item(page: Page, lesson: Lesson):
    return page.locator(f"nav.outline li[data-lesson='{lesson.id}']")


def stay_marked(page: Page) -> None:
    page.evaluate("window.__samePage = true")


def still_same_page(page: Page) -> bool:
    return page.evaluate("window.__samePage === true")


def test_completing_lessons_updates_the_outline_without_reload(
    live_server, new_page, ordered_course, learner_hue
) -> None:
    course, (reading, slides, last) = ordered_course
    enrolment_create(learner=learner_hue, course=course)
    learner = new_page(**PHONE)
    sign_in(learner, live_server, learner_hue.email, PASSWORD)

    # The first lesson: nothing done, the slides locked (no link), 0 %.
    learner.goto(live_server.url + f"/learning/courses/{course.slug}/{reading.id}/")
    expect(learner.locator("#course-progress")).to_have_js_property("value", 0)
    expect(item(learner, reading)).not_to_have_class(DONE)
    expect(item(learner, slides)).to_have_class(LOCKED)
    expect(item(learner, slides).locator("a")).to_have_count(0)
    expect(next_step(learner)).to_have_count(1)
    expect(learner.locator(".lesson-steps a[rel=next]")).to_have_count(0)  # the slides are locked: no link yet

    # "Mark as read" once the reading time has passed: the mark, the percentage and the lock change in place.
    seconds_pass(LessonProgress.objects.get(learner=learner_hue, lesson=reading), 3600)
    stay_marked(learner)
    learner.locator("form.mark-read button[type=submit]").click()
    expect(learner.locator("#lesson-done")).to_be_visible()
    expect(item(learner, reading)).to_have_class(DONE)
    expect(item(learner, reading).locator(".mark")).to_have_text("✓")
    expect(learner.locator("#course-progress")).to_have_js_property("value", 33)
    expect(learner.locator("label[for='course-progress']")).to_contain_text("33%")
    expect(item(learner, slides).locator("a")).to_have_attribute(
        "href", f"/learning/courses/{course.slug}/{slides.id}/"
    )
    expect(item(learner, last).locator("a")).to_have_count(0)  # still behind the slides
    expect(learner.locator(".lesson-steps a[rel=next]")).to_have_attribute(
        "href", f"/learning/courses/{course.slug}/{slides.id}/"
    )
    assert still_same_page(learner), "marking the lesson read reloaded the page"
    assert LessonProgress.objects.get(learner=learner_hue, lesson=reading).completed_at is not None

    # The slides, opened from the outline: once the one page stayed on screen, the outline follows.
    with learner.expect_navigation():
        item(learner, slides).locator("a").click()
    stay_marked(learner)
    expect(item(learner, slides)).not_to_have_class(DONE)
    expect(learner.locator(".lesson-steps a[rel=next]")).to_have_count(0)  # the last lesson is behind the slides
    wait_until(
        lambda: LessonProgress.objects.filter(learner=learner_hue, lesson=slides, completed_at__isnull=False).exists(),
        what="the slides to complete",
    )
    expect(item(learner, slides)).to_have_class(DONE)
    expect(item(learner, slides).locator(".mark")).to_have_text("✓")
    expect(learner.locator("#course-progress")).to_have_js_property("value", 66)
    expect(item(learner, last).locator("a")).to_have_count(1)
    expect(learner.locator(".lesson-steps a[rel=next]")).to_have_attribute(
        "href", f"/learning/courses/{course.slug}/{last.id}/"
    )
    assert still_same_page(learner), "the slides' completion reloaded the page"

    # A reload shows the server's figure, the one shown live, and the same open next link.
    live = learner.locator("#course-progress").evaluate("bar => bar.value")
    learner.reload()
    expect(learner.locator("#course-progress")).to_have_js_property("value", server_percent(course, learner_hue))
    assert live == server_percent(course, learner_hue) == 66
    expect(learner.locator("label[for='course-progress']")).to_contain_text(f"{live}%")
    expect(learner.locator(".lesson-steps a[rel=next]")).to_have_attribute(
        "href", f"/learning/courses/{course.slug}/{last.id}/"
    )
    assert learner.js_errors == []


def test_a_completion_without_the_outline_asks_the_server_for_it(
    live_server, new_page, ordered_course, learner_hue
) -> None:
    """A "completed" event without the outline (the completing answer was lost) still updates the page
    from the server: the lesson marked done, the percentage, and the next link opened."""
    course, (reading, slides, _last) = ordered_course
    enrolment_create(learner=learner_hue, course=course)
    learner = new_page(**PHONE)
    sign_in(learner, live_server, learner_hue.email, PASSWORD)
    learner.goto(live_server.url + f"/learning/courses/{course.slug}/{reading.id}/")
    expect(learner.locator(".lesson-steps a[rel=next]")).to_have_count(0)
    LessonProgress.objects.filter(learner=learner_hue, lesson=reading).update(completed_at=timezone.now())
    stay_marked(learner)

    learner.evaluate("document.dispatchEvent(new CustomEvent('onetouch:lesson-completed'))")

    expect(item(learner, reading)).to_have_class(DONE)
    expect(learner.locator("#course-progress")).to_have_js_property("value", server_percent(course, learner_hue))
    expect(learner.locator(".lesson-steps a[rel=next]")).to_have_attribute(
        "href", f"/learning/courses/{course.slug}/{slides.id}/"
    )
    assert still_same_page(learner)
    assert learner.js_errors == []
