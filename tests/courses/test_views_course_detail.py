"""The course page: what it shows, who may preview a draft, and its query bound."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Course, Lesson, Partner
from courses.services.catalogue import course_enrolment_counts_refresh
from courses.services.structure import module_create
from learners.services.enrolments import enrolment_create
from tests.factories import course_make, courses_bulk_make, enrolments_bulk_make, learner_make, lesson_make

pytestmark = pytest.mark.django_db


def test_course_page_shows_audiences_partners_and_count(in_english, learner_hanoi):
    """The page lists the audience groups, the partners and the enrolment count."""
    course = course_make(title="Mở tài khoản thanh toán", audiences=("public", "digital_team"))
    course.partners.add(Partner.objects.create(name="Bưu điện Việt Nam"))
    enrolment_create(learner=learner_hanoi, course=course)
    course_enrolment_counts_refresh()  # the periodic recount, the count's one writer

    page = in_english.get(course.get_absolute_url()).content.decode()

    assert "Mở tài khoản thanh toán" in page
    assert "Bưu điện Việt Nam" in page
    assert "General public" in page and "Community digital technology team members" in page
    assert "1 learner enrolled" in page


def test_draft_course_page_is_404_for_others_and_visible_to_its_admin(client, admin_hue, admin_hanoi, province_hue):
    """A draft of Huế answers 404 to visitors and Hà Nội's admin, and previews for Huế's admin."""
    draft = course_make(title="Bản nháp của Huế", province=province_hue, is_published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(admin_hanoi)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(admin_hue)
    assert "Bản nháp của Huế" in client.get(draft.get_absolute_url()).content.decode()


def test_unknown_course_is_404(client):
    """A slug that does not exist answers 404."""
    assert client.get("/courses/khong-co-khoa-hoc-nay/").status_code == 404


def test_course_page_queries_do_not_grow_with_courses_enrolments_or_partners(client, commune_hanoi, learner_hanoi):
    """The course page runs the same ≤10 queries with 20 or 2,000 courses, few or many enrolments."""
    courses_bulk_make(19, audience_codes=("public",))
    course = course_make()
    client.force_login(learner_hanoi)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(course.get_absolute_url()).status_code == 200
        return len(context.captured_queries)

    small = queries()
    enrolments_bulk_make([course, *courses_bulk_make(1980, audience_codes=("public",))], learner_count=200)
    for number in range(40):
        enrolment_create(learner=learner_make(commune=commune_hanoi), course=course)
        course.partners.add(Partner.objects.create(name=f"Đối tác {number}"))
    large = queries()

    assert small == large
    assert large <= 10


def test_course_page_links_only_the_lessons_the_lesson_page_opens(client, learner_hue, province_hue):
    """In a course taken in order, the course page shows the lesson the lesson page refuses (403) without a link."""
    course = course_make(title="Học theo thứ tự", province=province_hue)
    Course.objects.filter(id=course.id).update(requires_order=True)
    module = module_create(course=course, title="Phần 1")
    first = lesson_make(course=course, module=module, kind=Lesson.Kind.TEXT, title="Bài một", body_html="<p>1</p>")
    second = lesson_make(course=course, module=module, kind=Lesson.Kind.TEXT, title="Bài hai", body_html="<p>2</p>")
    enrolment_create(learner=learner_hue, course=course)
    client.force_login(learner_hue)

    def linked(lesson: Lesson) -> bool:
        return (
            reverse("learners:lesson", args=[course.slug, lesson.id])
            in client.get(course.get_absolute_url()).content.decode()
        )

    def opens(lesson: Lesson) -> bool:
        return client.get(reverse("learners:lesson", args=[course.slug, lesson.id])).status_code == 200

    assert (linked(first), opens(first)) == (True, True)
    assert (linked(second), opens(second)) == (False, False)

    client.post(reverse("learners:lesson_complete", args=[course.slug, first.id]))

    assert (linked(second), opens(second)) == (True, True)
