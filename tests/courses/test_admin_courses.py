"""The back office's courses: every save and action goes through the studio's services and rules."""

import pytest
from django.urls import reverse

from courses import admin
from courses.models import Audience, Course, CourseRun, Lesson, Partner, Question
from tests.factories import course_make, lesson_make, question_make, quiz_make

pytestmark = pytest.mark.django_db


def change_form(course: Course, **changes) -> dict:
    """Return the admin change form's fields for the course as it is, with `changes` applied."""
    data = {
        "title": course.title,
        "slug": course.slug,
        "summary": course.summary,
        "description": course.description,
        "audiences": [audience.id for audience in course.audiences.all()],
        "topic": course.topic,
        "level": course.level,
        "format": course.format,
        "owner_province": course.owner_province_id or "",
        "partners": [],
        "estimated_hours": str(course.estimated_hours),
        "runs-TOTAL_FORMS": "0",
        "runs-INITIAL_FORMS": "0",
        "runs-MIN_NUM_FORMS": "0",
        "runs-MAX_NUM_FORMS": "1000",
    }
    if course.is_published:
        data["is_published"] = "on"
    if course.requires_order:
        data["requires_order"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_publishing_a_course_without_a_published_lesson_is_refused_and_changes_nothing(in_english, ministry_staff):
    """Ticking "published" on a course with no published lesson shows the studio's message; nothing is saved."""
    course = course_make(title="Khóa học trống", is_published=False)
    in_english.force_login(ministry_staff)

    response = in_english.post(
        reverse("admin:courses_course_change", args=[course.id]),
        change_form(course, title="Tên mới", is_published="on"),
    )

    assert response.status_code == 200
    assert "Publish at least one lesson before publishing the course." in response.content.decode()
    course.refresh_from_db()
    assert (course.title, course.is_published) == ("Khóa học trống", False)


def test_adding_a_published_course_is_refused(in_english, ministry_staff):
    """A new course cannot be published from the back office: it has no lesson yet."""
    in_english.force_login(ministry_staff)
    template = course_make(is_published=False)

    response = in_english.post(
        reverse("admin:courses_course_add"),
        change_form(template, title="Khóa học mới", slug="khoa-hoc-moi", is_published="on"),
    )

    assert response.status_code == 200
    assert "Publish at least one lesson before publishing the course." in response.content.decode()
    assert not Course.objects.filter(slug="khoa-hoc-moi").exists()


def calls_recorded(monkeypatch, *names: str) -> list[str]:
    """Wrap the named services as the admin module holds them; return the list their calls go to."""
    calls: list[str] = []
    for name in names:
        service = getattr(admin, name)

        def recorded(*args, _service=service, _name=name, **kwargs):
            calls.append(_name)
            return _service(*args, **kwargs)

        monkeypatch.setattr(admin, name, recorded)
    return calls


def test_a_valid_admin_edit_goes_through_the_service(in_english, ministry_staff, monkeypatch):
    """An edit is saved by course_update and published by course_publish, its run by course_run_create."""
    course = course_make(title="Khóa học nháp", is_published=False)
    lesson_make(course=course, kind=Lesson.Kind.TEXT)
    in_english.force_login(ministry_staff)
    calls = calls_recorded(monkeypatch, "course_update", "course_publish", "course_run_create")

    response = in_english.post(
        reverse("admin:courses_course_change", args=[course.id]),
        change_form(
            course,
            title="  Chuyển đổi số  ",
            is_published="on",
            **{
                "runs-TOTAL_FORMS": "1",
                "runs-0-title": "Đợt 1",
                "runs-0-starts_on": "2026-01-05",
                "runs-0-ends_on": "2026-02-05",
            },
        ),
    )

    assert response.status_code == 302
    course.refresh_from_db()
    # course_update strips the title and course_save folds it into the search text.
    assert (course.title, course.is_published) == ("Chuyển đổi số", True)
    assert "chuyen doi so" in course.search_text
    assert list(CourseRun.objects.filter(course=course).values_list("title", flat=True)) == ["Đợt 1"]
    assert calls == ["course_update", "course_publish", "course_run_create"]


def test_a_course_added_in_the_admin_is_a_draft_made_by_the_service(in_english, ministry_staff, monkeypatch):
    """A new course is created by course_draft_create with its audiences and partners, unpublished."""
    partner = Partner.objects.create(name="Bưu điện Việt Nam")
    template = course_make(is_published=False)
    in_english.force_login(ministry_staff)
    calls = calls_recorded(monkeypatch, "course_draft_create")

    response = in_english.post(
        reverse("admin:courses_course_add"),
        change_form(template, title="Khóa học mới", slug="khoa-hoc-moi", partners=[partner.id]),
    )

    assert response.status_code == 302
    course = Course.objects.get(slug="khoa-hoc-moi")
    assert (course.title, course.is_published, list(course.partners.all())) == ("Khóa học mới", False, [partner])
    assert [audience.code for audience in course.audiences.all()] == ["public"]
    assert calls == ["course_draft_create"]


def test_publish_action_refuses_an_empty_course_and_publishes_a_ready_one(in_english, ministry_staff):
    """The list's publish action calls course_publish for each course and reports its refusals."""
    empty = course_make(title="Trống", is_published=False)
    ready = course_make(title="Sẵn sàng", is_published=False)
    lesson_make(course=ready, kind=Lesson.Kind.TEXT)
    in_english.force_login(ministry_staff)

    response = in_english.post(
        reverse("admin:courses_course_changelist"),
        {"action": "publish", "_selected_action": [empty.id, ready.id]},
        follow=True,
    )

    assert "Trống: Publish at least one lesson before publishing the course." in response.content.decode()
    assert set(Course.objects.filter(is_published=True).values_list("title", flat=True)) == {"Sẵn sàng"}


def test_the_four_audience_groups_cannot_be_changed_from_the_back_office(in_english, ministry_staff):
    """Courses and statistics name the groups by code: the back office shows them and changes none."""
    course_make()  # makes the audience rows
    audience = Audience.objects.first()
    in_english.force_login(ministry_staff)

    assert in_english.get(reverse("admin:courses_audience_changelist")).status_code == 200
    refused = in_english.post(reverse("admin:courses_audience_change", args=[audience.id]), {"code": "other"})
    assert in_english.post(reverse("admin:courses_audience_add"), {"code": "other"}).status_code == 403
    deleted = in_english.post(reverse("admin:courses_audience_delete", args=[audience.id]), {"post": "yes"})
    assert deleted.status_code == 403

    assert refused.status_code == 403
    assert Audience.objects.filter(id=audience.id, code=audience.code).exists()


def test_question_actions_go_through_the_bank_services_and_keep_a_published_quiz_whole(in_english, ministry_staff):
    """Deactivating from the back office is refused where the studio refuses it: a quiz that could no longer draw."""
    full = course_make(title="Bài thi đủ câu")
    quiz_make(course=full, questions=10, questions_drawn=10)
    needed = Question.objects.filter(course=full).first()
    spare_course = course_make(title="Ngân hàng dư")
    spare = question_make(course=spare_course, number=1)
    in_english.force_login(ministry_staff)

    response = in_english.post(
        reverse("admin:courses_question_changelist"),
        {"action": "deactivate", "_selected_action": [needed.id, spare.id]},
        follow=True,
    )

    page = response.content.decode()
    assert "without enough questions" in page
    assert "1 question changed." in page
    assert Question.objects.get(id=needed.id).is_active
    assert not Question.objects.get(id=spare.id).is_active
