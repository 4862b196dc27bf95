"""Anonymous pages the reverse proxy may keep (onetouch/proxy_cache.py, docs/decisions/0028): the
Cache-Control each page sends, no cookie set for visitors, and the home page's own cache."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory
from django.urls import reverse

from courses.models import Course
from tests.factories import course_make, courses_bulk_make

pytestmark = pytest.mark.django_db
HOME = reverse("courses:home")
CATALOGUE = reverse("courses:list")


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def course():
    return course_make(title="Kỹ năng số cơ bản")


@pytest.fixture
def page_paths(course) -> list[str]:
    return [HOME, CATALOGUE, f"{CATALOGUE}?q=ky+nang&audience=public", course.get_absolute_url()]


def test_anonymous_pages_may_be_shared_briefly_and_set_no_cookie(page_paths, settings):
    """Home, catalogue and course pages tell a shared cache it may keep them, browsers to ask again,
    and set no cookie (a CSRF token or a session would keep nginx from storing them)."""
    settings.PROXY_PAGE_CACHE_SECONDS = 30
    for path in page_paths:
        for _visit in range(2):  # built, then from Django's cache
            response = Client().get(path)

            assert response.status_code == 200
            assert cache_control(response) == {"public", "max-age=0", "s-maxage=30"}, path
            assert response.cookies == {}, path
            assert "csrfmiddlewaretoken" not in response.content.decode()


def test_english_pages_too(page_paths):
    """The language switch's cookie changes the page, not what may be shared (nginx keys on the cookie)."""
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": CATALOGUE})
    for path in page_paths:
        response = client.get(path)
        assert "public" in cache_control(response)
        assert response.cookies == {}
    assert "Course catalogue" in client.get(CATALOGUE).content.decode()


def test_signed_in_pages_are_private_and_not_stored(client, page_paths, learner_hanoi):
    """A signed-in learner's header (name, sign-out token) must never reach a shared cache."""
    client.force_login(learner_hanoi)
    for path in page_paths:
        response = client.get(path)

        assert response.status_code == 200
        assert {"private", "no-store"} <= cache_control(response), path
        assert "public" not in cache_control(response)


def test_missing_course_and_pages_with_a_message_are_not_shared(client):
    """A 404 and a page showing a visitor a message get no shared lifetime."""
    assert "public" not in cache_control(client.get(reverse("courses:detail", args=["khong-co"])))

    # The message as Django's messages cookie carries it to the next page.
    storage = CookieStorage(RequestFactory().get(CATALOGUE))
    storage.add(constants.INFO, "Thông báo")
    carrier = client.get(CATALOGUE)
    storage.update(carrier)
    client.cookies.update(carrier.cookies)
    with_message = client.get(CATALOGUE)

    assert "Thông báo" in with_message.content.decode()
    assert "public" not in cache_control(with_message)


def test_home_page_is_cached_for_visitors_and_refreshed_when_a_course_is_published(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """A second visit costs no SQL; publishing a course shows in the group counts once committed."""
    course_make(audiences=("commune_leader",))
    draft = course_make(audiences=("commune_leader",), is_published=False)
    first = client.get(HOME).content.decode()
    with django_assert_num_queries(0):
        assert client.get(HOME).content.decode() == first
    assert "1 khóa học" in first

    with django_capture_on_commit_callbacks(execute=True):
        draft.is_published = True
        draft.save()

    assert "2 khóa học" in client.get(HOME).content.decode()


def test_home_page_groups_in_one_query_at_any_size(client, django_assert_max_num_queries, learner_hanoi):
    """The audience counts are one grouping query, run once per catalogue change, not per request."""
    from django.core.cache import cache

    client.force_login(learner_hanoi)
    courses_bulk_make(20, audience_codes=("commune_leader", "public"))
    with django_assert_max_num_queries(4) as small:
        client.get(HOME)
    courses_bulk_make(2000, audience_codes=("public",))
    cache.clear()
    with django_assert_max_num_queries(4) as large:
        page = client.get(HOME).content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
    assert "2020 khóa học" in page or "2.020 khóa học" in page

    with django_assert_max_num_queries(4) as again:
        client.get(HOME)
    grouping = [q for q in again.captured_queries if "GROUP BY" in q["sql"]]
    assert grouping == []  # the counts come from the cache until a course changes
    assert Course.objects.count() == 2020


def test_course_page_is_cached_for_visitors_and_refreshed_when_the_course_is_saved(
    client, course, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """A second visit costs no SQL; a saved course shows once committed, an unpublished one is gone."""
    first = client.get(course.get_absolute_url()).content.decode()
    with django_assert_num_queries(0):
        assert client.get(course.get_absolute_url()).content.decode() == first

    with django_capture_on_commit_callbacks(execute=True):
        course.title = "Kỹ năng số nâng cao"
        course.save()
    assert "Kỹ năng số nâng cao" in client.get(course.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        course.is_published = False
        course.save()
    assert client.get(course.get_absolute_url()).status_code == 404


def test_course_page_copy_lives_as_long_as_the_proxys(client, course, settings):
    """What a saved course does not announce (a lesson, a run) is at most PROXY_PAGE_CACHE_SECONDS old;
    at 0, visitors get the page built every time."""
    settings.PROXY_PAGE_CACHE_SECONDS = 0
    client.get(course.get_absolute_url())
    Course.objects.filter(id=course.id).update(description="Mô tả mới")  # no signal: generation unchanged
    assert "Mô tả mới" in client.get(course.get_absolute_url()).content.decode()


def test_signed_in_learner_never_gets_the_visitors_course_page(client, course, learner_hanoi):
    client.get(course.get_absolute_url())
    client.force_login(learner_hanoi)
    page = client.get(course.get_absolute_url()).content.decode()
    assert reverse("account_logout") in page
