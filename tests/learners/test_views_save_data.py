""" "Save data" (Tiết kiệm dữ liệu): the learner's choice, stored on the profile through a CSRF-protected
POST, and the video page that honours it (and the browser's Save-Data hint when never chosen)."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Lesson
from learners.models import LearnerProfile
from learners.services.enrolments import enrolment_create
from tests.factories import course_make, video_lesson_make

pytestmark = pytest.mark.django_db

SAVE_DATA_URL = "/learning/save-data/"
JSON = {"HTTP_ACCEPT": "application/json"}
POSTER = "lessons/1/2/r1/poster.jpg"


@pytest.fixture
def video(province_hue, learner_hue) -> Lesson:
    course = course_make(title="Chuyển đổi số ở Huế", province=province_hue)
    enrolment_create(learner=learner_hue, course=course)
    return video_lesson_make(
        course=course,
        source="lessons/1/2/source/phim.mp4",
        media_prefix="lessons/1/2/r1/",
        poster_name=POSTER,
        hls_playlist_name="lessons/1/2/r1/hls/master.m3u8",
    )


def lesson_url(lesson: Lesson) -> str:
    return reverse("learners:lesson", args=[lesson.course.slug, lesson.id])


def choice_of(user) -> bool | None:
    return LearnerProfile.objects.get(user=user).save_data


def test_visitor_is_refused_and_nothing_is_stored(client, learner_hue):
    response = client.post(SAVE_DATA_URL, {"save_data": "1"}, **JSON)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert choice_of(learner_hue) is None


def test_get_is_refused(client, learner_hue):
    client.force_login(learner_hue)
    assert client.get(SAVE_DATA_URL).status_code == 405


@pytest.mark.parametrize("values", [[], ["yes"], ["0", "2"], [""]])
def test_bad_value_is_refused_with_a_clear_error(client, learner_hue, values):
    client.force_login(learner_hue)
    client.cookies["django_language"] = "en"
    response = client.post(SAVE_DATA_URL, {"save_data": values}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "Choose whether to save data: 1 (on) or 0 (off)."}
    assert choice_of(learner_hue) is None


def test_csrf_token_is_required(learner_hue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner_hue)
    assert client.post(SAVE_DATA_URL, {"save_data": "1"}, **JSON).status_code == 403
    assert choice_of(learner_hue) is None


def test_script_choice_is_stored_in_one_update_and_answered_in_json(client, learner_hue, django_assert_max_num_queries):
    client.force_login(learner_hue)
    # The session, the user, and one UPDATE of the profile.
    with django_assert_max_num_queries(3):
        response = client.post(SAVE_DATA_URL, {"save_data": ["0", "1"]}, **JSON)
    assert response.status_code == 200 and response.json() == {"save_data": True}
    assert choice_of(learner_hue) is True
    client.post(SAVE_DATA_URL, {"save_data": "0"}, **JSON)
    assert choice_of(learner_hue) is False


def test_form_without_script_comes_back_to_the_lesson_and_never_to_another_site(client, learner_hue, video):
    client.force_login(learner_hue)
    response = client.post(SAVE_DATA_URL, {"save_data": ["0", "1"], "next": lesson_url(video)})
    assert response.status_code == 302 and response.url == lesson_url(video)
    assert choice_of(learner_hue) is True
    response = client.post(SAVE_DATA_URL, {"save_data": "0", "next": "https://evil.example/"})
    assert response.url == reverse("learners:my_learning")
    assert choice_of(learner_hue) is False


def test_account_without_learner_profile_is_told_why(client, admin_hue):
    client.force_login(admin_hue)
    client.cookies["django_language"] = "en"
    response = client.post(SAVE_DATA_URL, {"save_data": "1"}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "Complete your learner profile first."}


def test_page_follows_the_stored_choice_and_the_save_data_header_when_never_chosen(
    client, learner_hue, video, django_assert_max_num_queries
):
    """Never chosen: Save-Data: on ticks the box and drops the poster; a stored choice wins over the header."""
    client.force_login(learner_hue)
    client.get(lesson_url(video))  # the progress row exists from the first visit on
    with django_assert_max_num_queries(7):
        html = client.get(lesson_url(video)).content.decode()
    assert 'id="save-data"' in html and 'id="save-data" checked' not in html
    assert f'poster="/learning/media/{video.id}/{POSTER}"' in html
    assert f'data-hls-lowest-url="/learning/media/{video.id}/lessons/1/2/r1/hls/360p/index.m3u8"' in html

    html = client.get(lesson_url(video), HTTP_SAVE_DATA="on").content.decode()
    assert 'id="save-data" checked' in html and ' poster="' not in html
    assert 'data-save-data-chosen="0"' in html

    LearnerProfile.objects.filter(user=learner_hue).update(save_data=False)
    html = client.get(lesson_url(video), HTTP_SAVE_DATA="on").content.decode()
    assert 'id="save-data" checked' not in html and ' poster="' in html
    assert 'data-save-data-chosen="1"' in html

    LearnerProfile.objects.filter(user=learner_hue).update(save_data=True)
    html = client.get(lesson_url(video)).content.decode()
    assert 'id="save-data" checked' in html and ' poster="' not in html
