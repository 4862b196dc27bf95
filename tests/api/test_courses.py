"""GET /api/v1/courses/ and /api/v1/courses/{slug}/: the catalogue's filters and order, cursor pages,
and statements that do not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import CourseRun
from courses.selectors.catalogue import CatalogueFilters, CatalogueSort, course_list_for_catalogue
from tests.api.conftest import with_key
from tests.factories import course_make, courses_bulk_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(api_client, keys):
    return with_key(api_client, keys["province_a"])


def slugs(response) -> list[str]:
    return [course["slug"] for course in response.json()["results"]]


def test_filters_are_the_catalogues(client_a, province_hue):
    officials = course_make(title="Chuyển đổi số cho cán bộ", audiences=("civil_servant",))
    course_make(title="Mua sắm trực tuyến an toàn", audiences=("public",))
    hue = course_make(title="Du lịch số Huế", audiences=("public",), province=province_hue)

    by_audience = client_a.get(reverse("api:course_list"), {"audience": "civil_servant"})
    assert slugs(by_audience) == [officials.slug]
    # Search without accents finds the accented title, as the catalogue's search box does.
    assert len(slugs(client_a.get(reverse("api:course_list"), {"q": "mua sam"}))) == 1
    assert slugs(client_a.get(reverse("api:course_list"), {"province": "46"})) == [hue.slug]
    for filters in ({"audience": "public"}, {"sort": "popular"}, {"q": "so", "sort": "newest"}):
        expected = course_list_for_catalogue(
            filters=CatalogueFilters(**{"query" if k == "q" else k: v for k, v in filters.items()})
        )
        assert slugs(client_a.get(reverse("api:course_list"), filters)) == [course.slug for course in expected]


def test_a_course_carries_its_runs_and_its_province(client_a, province_hue):
    course = course_make(title="Du lịch số Huế", province=province_hue)
    CourseRun.objects.create(course=course, title="Đợt 2", starts_on="2027-03-01", ends_on="2027-03-31")
    CourseRun.objects.create(course=course, title="Đợt 1", starts_on="2027-01-01", ends_on="2027-01-31")
    listed = client_a.get(reverse("api:course_list")).json()["results"][0]
    assert listed["owner_province"] == {"code": "46", "name": province_hue.name}
    assert [run["title"] for run in listed["runs"]] == ["Đợt 1", "Đợt 2"]
    assert listed["audiences"] == ["public"]
    assert listed["url"].endswith(f"/courses/{course.slug}/")
    assert set(client_a.get(reverse("api:course_list"))["Cache-Control"].split(", ")) == {"private", "no-store"}
    detail = client_a.get(reverse("api:course_detail", args=[course.slug])).json()
    assert detail["runs"] == listed["runs"] and "description" in detail and detail["partners"] == []


@pytest.mark.parametrize("sort", [CatalogueSort.NEWEST, CatalogueSort.POPULAR])
def test_cursor_pages_walk_every_course_once_in_the_catalogues_order(client_a, sort):
    courses_bulk_make(45, audience_codes=("public",))
    expected = [course.slug for course in course_list_for_catalogue(filters=CatalogueFilters(sort=sort))]
    seen, url, params = [], reverse("api:course_list"), {"sort": sort, "page_size": 10}
    while url:
        page = client_a.get(url, params).json()
        seen += [course["slug"] for course in page["results"]]
        url, params = page["next"], None
    assert seen == expected


def test_a_forged_cursor_is_a_404_problem(client_a):
    response = client_a.get(reverse("api:course_list"), {"cursor": "not-a-cursor"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def statements_for_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("api:course_list"), {"page_size": 20}).status_code == 200
    return len(queries)


def test_the_list_reads_the_same_number_of_statements_at_two_sizes(client_a, django_assert_max_num_queries):
    """Key, courses, audiences, runs (and the key's "last used" once a minute): the same at 25 and 250 courses."""
    courses_bulk_make(25, audience_codes=("public", "civil_servant"))
    statements_for_list(client_a)  # The key's "last used" is written on its first request.
    with django_assert_max_num_queries(4):
        small = statements_for_list(client_a)
    courses_bulk_make(225, audience_codes=("public", "civil_servant"))
    for course in course_list_for_catalogue(filters=CatalogueFilters())[:20]:
        CourseRun.objects.create(course=course, title="Đợt 1", starts_on="2027-01-01", ends_on="2027-01-31")
    with django_assert_max_num_queries(4):
        large = statements_for_list(client_a)
    assert small == large


def test_the_detail_reads_a_bounded_number_of_statements(client_a, django_assert_max_num_queries):
    course = course_make()
    client_a.get(reverse("api:course_detail", args=[course.slug]))
    with django_assert_max_num_queries(6):
        assert client_a.get(reverse("api:course_detail", args=[course.slug])).status_code == 200
