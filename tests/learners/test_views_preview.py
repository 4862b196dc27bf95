"""The studio's learner preview: who opens it, that it renders the learner's own pages, and records nothing."""

import pytest
from django.urls import URLPattern, reverse

from courses.models import Course, Lesson
from courses.services import structure
from learners.models import Enrolment, LearningEvent, LessonProgress, QuizAttempt
from learners.services.enrolments import enrolment_create
from learners.urls.preview import urlpatterns as preview_urlpatterns
from tests.factories import course_make, quiz_make

pytestmark = pytest.mark.django_db

Kind = Lesson.Kind

# Every preview URL and the object its argument names.
PREVIEW_URLS = [
    ("course", "course"),
    ("course_frame", "course"),
    ("lesson", "lesson"),
    ("lesson_frame", "lesson"),
]


def preview_url(name: str, course: Course, kind: str = Kind.TEXT) -> str:
    if name.startswith("course"):
        return reverse(f"studio_preview:{name}", args=[course.id])
    lesson = course.lessons.get(kind=kind)
    return reverse(f"studio_preview:{name}", args=[lesson.id])


def course_with_lessons(province) -> Course:
    """A draft course with a draft text lesson, a video still waiting for processing and a quiz."""
    course = course_make(title="Khóa học nháp", province=province, is_published=False)
    module = structure.module_create(course=course, title="Phần 1")
    structure.lesson_create(module=module, title="Bài đọc nháp", kind=Kind.TEXT, body_html="<p>Nội dung nháp</p>")
    structure.lesson_create(module=module, title="Bài video nháp", kind=Kind.VIDEO)
    structure.lesson_create(module=module, title="Bài kiểm tra nháp", kind=Kind.QUIZ)
    return course


@pytest.fixture
def hue_course(province_hue) -> Course:
    return course_with_lessons(province_hue)


@pytest.fixture
def national_course(admin_units) -> Course:
    return course_with_lessons(None)


def test_every_preview_url_is_in_the_scope_table():
    assert {p.name for p in preview_urlpatterns if isinstance(p, URLPattern)} == {name for name, _ in PREVIEW_URLS}


@pytest.mark.parametrize(("name", "target"), PREVIEW_URLS)
@pytest.mark.parametrize(("who", "status"), [("admin_hue", 200), ("admin_hanoi", 404), ("learner_hue", 404)])
def test_scope_of_a_provincial_course(client, request, hue_course, name, target, who, status):
    """Huế's admin previews Huế's draft; Hà Nội's admin and a learner get 404, as for a missing course."""
    client.force_login(request.getfixturevalue(who))
    assert client.get(preview_url(name, hue_course)).status_code == status


@pytest.mark.parametrize(("name", "target"), PREVIEW_URLS)
@pytest.mark.parametrize(("who", "status"), [("ministry_staff", 200), ("admin_hue", 404), ("learner_hue", 404)])
def test_scope_of_a_national_course(client, request, national_course, name, target, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(preview_url(name, national_course)).status_code == status


@pytest.mark.parametrize(("name", "target"), PREVIEW_URLS)
def test_a_visitor_signs_in_first(client, hue_course, name, target):
    url = preview_url(name, hue_course)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["course", "lesson"])
def test_missing_objects_are_404(client, admin_hue, name):
    client.force_login(admin_hue)
    assert client.get(reverse(f"studio_preview:{name}_frame", args=[999999])).status_code == 404
    assert client.get(reverse(f"studio_preview:{name}", args=[999999])).status_code == 404


def test_the_preview_page_frames_the_bare_page_a_phone_wide_with_the_draft_banner(client, admin_hue, hue_course):
    client.force_login(admin_hue)
    page = client.get(preview_url("course", hue_course)).content.decode()
    frame_url = reverse("studio_preview:course_frame", args=[hue_course.id])
    assert f'src="{frame_url}" width="360" height="740"' in page
    assert "Bản xem trước — học viên chưa thấy nội dung này" in page
    desk = client.get(preview_url("course", hue_course) + "?width=desk").content.decode()
    assert 'width="1366"' in desk


def test_a_published_course_has_no_draft_banner(client, admin_hue, province_hue):
    course = course_make(title="Khóa học đã xuất bản", province=province_hue, is_published=True)
    client.force_login(admin_hue)
    page = client.get(reverse("studio_preview:course", args=[course.id])).content.decode()
    assert "học viên chưa thấy nội dung này" not in page


def test_only_the_bare_pages_may_be_framed_and_only_by_our_origin(client, admin_hue, hue_course):
    client.force_login(admin_hue)
    for name in ("course_frame", "lesson_frame"):
        response = client.get(preview_url(name, hue_course))
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
        assert "'none'" not in response["Content-Security-Policy"].split("frame-ancestors")[1].split(";")[0]
    page = client.get(preview_url("course", hue_course))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["course_frame", "lesson_frame"])
def test_the_frame_has_the_header_a_learner_has(client, admin_hue, hue_course, name):
    """Inside the frame the admin sees a learner's header: none of the studio's, statistics' or province's links."""
    client.force_login(admin_hue)
    header = client.get(preview_url(name, hue_course)).content.decode().split("</header>")[0]
    assert reverse("learners:my_learning") in header and reverse("learners:profile") in header
    staff_links = (reverse("courses:studio_home"), reverse("reporting:province", args=[admin_hue.scope_province.code]))
    assert [link for link in staff_links if f'href="{link}"' in header] == []
    # Outside the frame the admin keeps their own header.
    assert f'href="{reverse("courses:studio_home")}"' in client.get(preview_url("course", hue_course)).content.decode()


def test_the_course_frame_is_the_catalogue_course_page_with_draft_lessons(client, admin_hue, hue_course):
    client.force_login(admin_hue)
    response = client.get(preview_url("course_frame", hue_course))
    assert "courses/course_detail.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Bài đọc nháp" in page and "Bài video nháp" in page
    assert '<base target="_top">' in page
    # Its lessons lead to their previews (the frame's links open in the whole window), not to the learner's URL.
    text_lesson = hue_course.lessons.get(kind=Kind.TEXT)
    assert f'href="{reverse("studio_preview:lesson", args=[text_lesson.id])}"' in page
    assert reverse("learners:lesson", args=[hue_course.slug, text_lesson.id]) not in page
    # The preview offers no enrolment form.
    assert reverse("learners:enrol", args=[hue_course.slug]) not in page


def test_the_text_lesson_frame_is_the_learner_lesson_page(client, admin_hue, hue_course):
    client.force_login(admin_hue)
    response = client.get(preview_url("lesson_frame", hue_course))
    assert "learners/lesson_page.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Nội dung nháp" in page
    # The next lesson and the outline lead to previews.
    video = hue_course.lessons.get(kind=Kind.VIDEO)
    assert f'rel="next" data-step="next" href="{reverse("studio_preview:lesson", args=[video.id])}"' in page
    assert "/learning/courses/" not in page


def test_a_video_not_processed_shows_what_the_learner_would_see_and_no_heartbeat(client, admin_hue, hue_course):
    client.force_login(admin_hue)
    page = client.get(preview_url("lesson_frame", hue_course, Kind.VIDEO)).content.decode()
    assert "lesson-state" in page
    assert reverse("learners:lesson_heartbeat") not in page


def test_a_ready_video_gets_no_heartbeat_url_even_for_enrolled_staff(client, admin_hue, province_hue):
    """Staff enrolled in their own published course preview it as staff: no token, no progress."""
    course = course_make(title="Khóa học có video", province=province_hue, is_published=True)
    module = course.modules.first()
    video = structure.lesson_create(module=module, title="Video sẵn sàng", kind=Kind.VIDEO)
    Lesson.objects.filter(id=video.id).update(processing=Lesson.Processing.READY, is_published=True)
    enrolment_create(learner=admin_hue, course=course)
    client.force_login(admin_hue)
    page = client.get(reverse("studio_preview:lesson_frame", args=[video.id])).content.decode()
    assert 'id="lesson-video"' in page
    assert "data-heartbeat-url" not in page and "data-token" not in page
    assert not LessonProgress.objects.filter(learner=admin_hue).exists()


def test_a_quiz_preview_starts_nothing(client, admin_hue, hue_course):
    client.force_login(admin_hue)
    page = client.get(preview_url("lesson_frame", hue_course, Kind.QUIZ)).content.decode()
    quiz = hue_course.lessons.get(kind=Kind.QUIZ)
    assert reverse("learners:quiz_start", args=[hue_course.slug, quiz.id]) not in page


def test_a_quiz_preview_shows_every_question_it_may_draw_disabled_and_no_answers(
    client, admin_hue, province_hue, django_assert_max_num_queries
):
    course = course_make(title="Khóa học có bài kiểm tra", province=province_hue, is_published=False)
    quiz = quiz_make(course=course, questions=3, questions_drawn=2, is_published=False)
    client.force_login(admin_hue)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("studio_preview:lesson_frame", args=[quiz.lesson_id]))
    page = response.content.decode()
    assert page.count('class="quiz-question"') == 3
    assert "Câu hỏi số 3" in page and "Phương án D của câu 3" in page
    assert page.count(" disabled>") == 12
    # Texts only, no form to submit, and nothing that says which choice is correct.
    assert "<form" not in page.split('class="quiz-preview-questions"')[1].split("</section>")[0]
    assert "Giải thích riêng" not in page and "is_correct" not in page
    assert not QuizAttempt.objects.exists()


def test_nothing_is_recorded_by_any_preview(client, admin_hue, hue_course):
    client.force_login(admin_hue)
    counts = (Enrolment.objects.count(), LessonProgress.objects.count(), LearningEvent.objects.count())
    for kind in (Kind.TEXT, Kind.VIDEO, Kind.QUIZ):
        for name in ("lesson", "lesson_frame"):
            assert client.get(preview_url(name, hue_course, kind)).status_code == 200
    for name in ("course", "course_frame"):
        assert client.get(preview_url(name, hue_course)).status_code == 200
    assert (Enrolment.objects.count(), LessonProgress.objects.count(), LearningEvent.objects.count()) == counts
    assert not QuizAttempt.objects.exists()


@pytest.mark.parametrize(
    ("name", "kind", "bound"),
    [
        ("course", Kind.TEXT, 8),
        ("course_frame", Kind.TEXT, 16),
        ("lesson", Kind.TEXT, 8),
        ("lesson_frame", Kind.TEXT, 14),
        ("lesson_frame", Kind.QUIZ, 16),
    ],
)
def test_query_bounds(client, admin_hue, hue_course, django_assert_max_num_queries, name, kind, bound):
    client.force_login(admin_hue)
    url = preview_url(name, hue_course, kind)
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200
