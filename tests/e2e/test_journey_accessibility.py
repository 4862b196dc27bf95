"""axe-core finds no serious or critical violation on the pages of the first hour, on a 360 px
phone and at a 1366 px desk: the visitor's catalogue and sign-up, the learner's lessons of every
kind and My learning, the admin's studio. The quiz, certificate and statistics journeys run the
same check on their own pages (tests/e2e/accessibility.py).
"""

import pytest

from courses.models import Course, Lesson
from courses.services.catalogue import course_publish
from courses.services.structure import module_create
from learners.services.enrolments import enrolment_create
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import course_make, lesson_make, quiz_make

pytestmark = [pytest.mark.e2e]

SCREENS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "desk": {"viewport": {"width": 1366, "height": 800}},
}
KINDS = (Lesson.Kind.TEXT, Lesson.Kind.VIDEO, Lesson.Kind.SLIDES, Lesson.Kind.DOCUMENT)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def course_of_every_kind(province_hue) -> tuple[Course, list[Lesson]]:
    """Huế's published course with one lesson of each kind and a final quiz."""
    course = course_make(title="Kỹ năng số cho cán bộ xã", province=province_hue, is_published=False)
    module = module_create(course=course, title="Phần 1")
    lessons = [lesson_make(course=course, module=module, kind=kind, title=f"Bài {kind}") for kind in KINDS]
    quiz = quiz_make(course=course, module=module)
    return course_publish(course=course), [*lessons, quiz.lesson]


@pytest.mark.parametrize("screen", SCREENS)
def test_visitor_pages_have_no_serious_violation(live_server, new_page, course_of_every_kind, screen) -> None:
    course, _ = course_of_every_kind
    visitor = new_page(**SCREENS[screen])
    for path in (
        "/",
        "/courses/",
        "/courses/?q=k%E1%BB%B9+n%C4%83ng",
        course.get_absolute_url(),
        "/accounts/signup/",
        "/accounts/login/",
        "/accounts/password/reset/",
        "/certificates/",
    ):
        visitor.goto(live_server.url + path)
        assert_accessible(visitor, f"{path} on a {screen}")


@pytest.mark.parametrize("screen", SCREENS)
def test_learner_pages_have_no_serious_violation(
    live_server, new_page, course_of_every_kind, learner_hue, screen
) -> None:
    course, lessons = course_of_every_kind
    enrolment_create(learner=learner_hue, course=course)
    learner = new_page(**SCREENS[screen])
    sign_in(learner, live_server, learner_hue.email, PASSWORD)
    for path in ("/learning/", course.get_absolute_url(), "/learning/profile/"):
        learner.goto(live_server.url + path)
        assert_accessible(learner, f"{path} on a {screen}")
    for lesson in lessons:
        learner.goto(live_server.url + f"/learning/courses/{course.slug}/{lesson.id}/")
        assert_accessible(learner, f"the {lesson.kind} lesson on a {screen}")


@pytest.mark.parametrize("screen", SCREENS)
def test_studio_pages_have_no_serious_violation(live_server, new_page, course_of_every_kind, admin_hue, screen) -> None:
    course, lessons = course_of_every_kind
    admin = new_page(**SCREENS[screen])
    sign_in(admin, live_server, admin_hue.email, PASSWORD)
    paths = [
        "/studio/",
        "/studio/courses/new/",
        f"/studio/courses/{course.id}/",
        f"/studio/courses/{course.id}/edit/",
        f"/studio/courses/{course.id}/questions/",
    ]
    paths += [f"/studio/lessons/{lesson.id}/" for lesson in lessons]
    for path in paths:
        admin.goto(live_server.url + path)
        assert_accessible(admin, f"{path} on a {screen}")
