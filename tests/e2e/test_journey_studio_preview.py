"""Browser journey: a provincial admin previews a draft course and its lesson as a learner sees them,
inside a frame a phone wide, from the studio; nothing is recorded.

Screenshots (the studio and the preview at 360 px and 1366 px) go to $PHONE_SCREENSHOTS_DIR when it
is set (for a person to look at); the assertions never depend on them.
"""

import os

import pytest
from playwright.sync_api import Page, expect

from courses.models import Course, Lesson
from courses.services import structure
from learners.models import Enrolment, LearningEvent, LessonProgress
from tests.conftest import PASSWORD
from tests.e2e.journeys import path_of, sign_in
from tests.factories import course_make, quiz_make

pytestmark = [pytest.mark.e2e]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 900}}
LESSON_BODY = "Chuyển đổi số bắt đầu từ người dân."


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("PHONE_SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"preview14-{name}.png"), full_page=True)


@pytest.fixture
def draft_course(province_hue) -> Course:
    course = course_make(title="Khóa học nháp của Huế", province=province_hue, is_published=False)
    module = structure.module_create(course=course, title="Phần 1")
    structure.lesson_create(
        module=module, title="Bài đọc nháp", kind=Lesson.Kind.TEXT, body_html=f"<p>{LESSON_BODY}</p>"
    )
    quiz_make(course=course, module=module, questions=3, questions_drawn=2, is_published=False)
    return course


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["360", "1366"])
def test_admin_previews_a_draft_lesson_inside_a_phone_wide_frame(
    live_server, new_page, admin_hue, draft_course, viewport
) -> None:
    size = viewport["viewport"]["width"]
    admin = new_page(**viewport)
    sign_in(admin, live_server, admin_hue.email, PASSWORD)
    counts = (Enrolment.objects.count(), LessonProgress.objects.count(), LearningEvent.objects.count())

    # The course's studio page offers the preview; it frames the catalogue's course page, 360 px wide.
    admin.goto(f"{live_server.url}/studio/courses/{draft_course.id}/")
    screenshot(admin, f"studio-course-{size}")
    with admin.expect_navigation():
        admin.locator("#preview-as-learner").click()
    assert path_of(admin) == f"/studio/preview/courses/{draft_course.id}/"
    expect(admin.locator("#preview-banner")).to_contain_text("học viên chưa thấy nội dung này")
    frame_box = admin.locator("#preview-frame").bounding_box()
    assert abs(frame_box["width"] - 360) <= 2, frame_box
    course_frame = admin.frame_locator("#preview-frame")
    expect(course_frame.locator("h1")).to_have_text(draft_course.title)
    expect(course_frame.locator(".outline-lesson").first).to_contain_text("Bài đọc nháp")
    screenshot(admin, f"course-{size}")

    # A lesson of the framed course page opens its own preview (the studio's lesson page offers it too).
    lesson = draft_course.lessons.get(kind=Lesson.Kind.TEXT)
    with admin.expect_navigation():
        course_frame.locator(".outline-lesson a").first.click()
    assert path_of(admin) == f"/studio/preview/lessons/{lesson.id}/"
    admin.goto(f"{live_server.url}/studio/lessons/{lesson.id}/")
    with admin.expect_navigation():
        admin.locator("#preview-as-learner").click()
    expect(admin.locator("#preview-banner")).to_be_visible()
    lesson_frame = admin.frame_locator("#preview-frame")
    expect(lesson_frame.locator("#lesson-title")).to_have_text("Bài đọc nháp")
    expect(lesson_frame.locator("article.lesson")).to_contain_text(LESSON_BODY)
    # The frame is a phone: the learner's page inside it is no wider than 360 px.
    inner_width = admin.frame("preview-frame") or admin.frames[1]
    assert inner_width.evaluate("() => document.documentElement.clientWidth") <= 360
    assert inner_width.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(admin, f"lesson-{size}")

    # The quiz's preview shows its questions, read-only.
    quiz_lesson = draft_course.lessons.get(kind=Lesson.Kind.QUIZ)
    admin.goto(f"{live_server.url}/studio/preview/lessons/{quiz_lesson.id}/")
    quiz_frame = admin.frame_locator("#preview-frame")
    expect(quiz_frame.locator(".quiz-question")).to_have_count(3)
    expect(quiz_frame.locator(".quiz-question input").first).to_be_disabled()
    screenshot(admin, f"quiz-{size}")

    # The desk-width switch widens the frame.
    with admin.expect_navigation():
        admin.locator(".learner-preview-switch a[href='?width=desk']").click()
    assert admin.locator("#preview-frame").get_attribute("width") == "1366"

    assert (Enrolment.objects.count(), LessonProgress.objects.count(), LearningEvent.objects.count()) == counts
    assert admin.js_errors == []
