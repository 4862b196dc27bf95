"""Every route of the API × every requester: who gets what, and out of scope answers exactly as missing.

The requesters: a key of province A (Hà Nội) and of province B (Huế), a partner organisation's key,
the ministry's key, no key at all, an expired key, a revoked key, a learner's own session, and the
same learner through the mobile app's session token (X-Session-Token, docs/decisions/0038), which
gets on every line what the session gets.
"""

import pytest
from django.urls import URLPattern, reverse

from api.urls.api import urlpatterns as api_urlpatterns
from tests.api.conftest import with_key
from tests.api.test_me import PASSWORD, session_token, with_token
from tests.api.writes import run_make
from tests.factories import course_make, day_make

pytestmark = pytest.mark.django_db

KEYS = ["province_a", "province_b", "partner", "ministry", "none", "expired", "revoked"]
REQUESTERS = [*KEYS, "learner", "learner_app"]

ALL_200 = dict.fromkeys(REQUESTERS, 200)
SIGNED_IN_200 = {**ALL_200, "none": 401, "expired": 401, "revoked": 401}


def signed_in(**statuses: int) -> dict[str, int]:
    """200 for every signed-in requester but those named; 401 without a usable key. The app's token
    gets what the learner's session gets."""
    if "learner" in statuses:
        statuses.setdefault("learner_app", statuses["learner"])
    return {**SIGNED_IN_200, **statuses}


def learner_only() -> dict[str, int]:
    """A learner's own endpoint: 200 for the learner (session or app token), 403 for every usable key."""
    return signed_in(**dict.fromkeys(["province_a", "province_b", "partner", "ministry"], 403))


# (route name, what its argument names): the status each requester gets. A province's drafts are
# seen by that province's key and the ministry's, as the course page's preview shows them.
SCOPE_TABLE = {
    ("course_list", None): signed_in(),
    ("course_detail", "published_national"): signed_in(),
    ("course_detail", "published_hue"): signed_in(),
    ("course_detail", "draft_hanoi"): signed_in(province_b=404, partner=404, learner=404),
    ("course_detail", "draft_hue"): signed_in(province_a=404, partner=404, learner=404),
    ("course_detail", "draft_national"): signed_in(province_a=404, province_b=404, partner=404, learner=404),
    ("course_detail", "missing"): signed_in(province_a=404, province_b=404, partner=404, ministry=404, learner=404),
    ("schema", None): ALL_200,
    ("docs", None): ALL_200,
    ("not_found", None): dict.fromkeys(REQUESTERS, 404),
    # Writes (docs/decisions/0035): what a POST gets, for every requester and target, is the
    # WRITE_SCOPE_TABLE of tests/api/test_enrolments.py and tests/api/test_attendance.py.
    ("day_attendance_create", None): {**dict.fromkeys(REQUESTERS, 405), "none": 401, "expired": 401, "revoked": 401},
    # Reads of a province's learners (docs/decisions/0036): a province's key its own, the ministry's all; no
    # province scope, no learners to read (403, as the dashboards). Rows in tests/api/test_completions.py.
    ("completion_feed", None): signed_in(partner=403, learner=403),
    # A course's enrolments (GET): a course the key may not read in statistics is missing (404).
    ("enrolments", "published_national"): signed_in(partner=403, learner=403),
    ("enrolments", "published_hue"): signed_in(province_a=404, partner=403, learner=403),
    ("enrolments", "draft_hanoi"): signed_in(province_b=404, partner=403, learner=403),
    ("enrolments", "missing"): signed_in(province_a=404, province_b=404, ministry=404, partner=403, learner=403),
    # The dashboard's figures: a province's key its own, the ministry's national (`province` is tested
    # in tests/api/test_statistics.py).
    ("statistics", None): signed_in(partner=403, learner=403),
    # In-person days (docs/decisions/0037): the list answers each its own days (which ones: tests/api/test_days.py);
    # a day a key does not reach is missing. A partner's key reaches the days its organisation runs, a province's
    # the days held in it (a national course's too), the ministry's all; a learner's session none.
    ("day_list", None): signed_in(),
    ("day_detail", "day_hanoi_partner"): signed_in(province_b=404, learner=404),
    ("day_detail", "day_hue"): signed_in(province_a=404, partner=404, learner=404),
    ("day_detail", "day_national_in_hanoi"): signed_in(province_a=404, province_b=404, partner=404, learner=404),
    ("day_detail", "day_missing"): signed_in(province_a=404, province_b=404, partner=404, ministry=404, learner=404),
    # A learner's own (docs/decisions/0038): a key stands for nobody, 403 `learner-only` (tests/api/test_me.py).
    ("me", None): learner_only(),
    ("my_enrolments", None): learner_only(),
}
# Routes with an argument that no course names: the address the table's GET uses.
FIXED_URLS = {"day_attendance_create": "/api/v1/days/987654/attendance/"}

UNUSABLE_KEY_PROBLEM = {"none": "not-authenticated", "expired": "key-expired", "revoked": "key-revoked"}


@pytest.fixture
def courses(province_hanoi, province_hue) -> dict[str, str]:
    """The slug of each course the table names."""
    made = {
        "published_national": course_make(title="Kỹ năng số"),
        "published_hue": course_make(title="Du lịch số Huế", province=province_hue),
        "draft_hanoi": course_make(title="Nháp Hà Nội", province=province_hanoi, is_published=False),
        "draft_hue": course_make(title="Nháp Huế", province=province_hue, is_published=False),
        "draft_national": course_make(title="Nháp của Bộ", is_published=False),
    }
    return {name: course.slug for name, course in made.items()} | {"missing": "khong-co-khoa-hoc-nay"}


@pytest.fixture
def days(province_hanoi, province_hue, commune_hanoi, commune_hue, admin_hanoi, admin_hue, partner) -> dict[str, int]:
    """The id of each in-person day the table names."""
    made = {
        "day_hanoi_partner": day_make(
            run_make(province=province_hanoi), commune_hanoi, admin_hanoi, partners=[partner]
        ),
        "day_hue": day_make(run_make(province=province_hue, title="Huế"), commune_hue, admin_hue),
        "day_national_in_hanoi": day_make(run_make(title="Toàn quốc"), commune_hanoi, admin_hanoi),
    }
    return {name: day.id for name, day in made.items()} | {"day_missing": 987654}


def route_url(name: str, target: str | None, courses: dict) -> str:
    if name in FIXED_URLS:
        return FIXED_URLS[name]
    if name == "not_found":
        return "/api/v1/nothing-here/"
    if name == "enrolments":  # the course is a query parameter
        return f"{reverse('api:enrolments')}?course={courses[target]}"
    if target is None:
        return reverse(f"api:{name}")
    return reverse(f"api:{name}", args=[courses[target]])


def as_requester(api_client, requester: str, keys: dict[str, str], learner):
    if requester == "learner":
        api_client.force_login(learner)
        return api_client
    if requester == "learner_app":
        return with_token(session_token(api_client, email=learner.email, password=PASSWORD))
    return with_key(api_client, keys.get(requester))


def test_every_api_route_is_in_the_scope_table():
    """A route added to the API without its line here fails this test."""
    names = {pattern.name for pattern in api_urlpatterns if isinstance(pattern, URLPattern)}
    assert names == {name for name, _target in SCOPE_TABLE}


def test_every_requester_has_a_status_on_every_line():
    assert all(set(statuses) == set(REQUESTERS) for statuses in SCOPE_TABLE.values())


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize(("name", "target"), list(SCOPE_TABLE))
def test_scope_table(api_client, keys, courses, days, learner_hanoi, requester, name, target):
    client = as_requester(api_client, requester, keys, learner_hanoi)
    response = client.get(route_url(name, target, courses | days))
    expected = SCOPE_TABLE[(name, target)][requester]
    assert response.status_code == expected
    if expected == 401:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["type"] == f"/api/problems/{UNUSABLE_KEY_PROBLEM[requester]}"
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    if expected == 200 and name == "course_detail":
        assert response.json()["slug"] == courses[target]
    if expected == 200 and name == "day_detail":
        assert response.json()["id"] == days[target]


# A draft each requester may not see (the ministry sees every course).
HIDDEN_FROM = {
    "province_a": "draft_hue",
    "province_b": "draft_hanoi",
    "partner": "draft_hanoi",
    "learner": "draft_national",
    "learner_app": "draft_national",
}


@pytest.mark.parametrize(("requester", "hidden"), HIDDEN_FROM.items())
def test_out_of_scope_answers_exactly_as_missing(api_client, keys, courses, learner_hanoi, requester, hidden):
    """A draft the requester may not see: the same status, type, body and headers as a slug that never existed."""
    client = as_requester(api_client, requester, keys, learner_hanoi)
    missing = client.get(reverse("api:course_detail", args=[courses["missing"]]))
    out_of_scope = client.get(reverse("api:course_detail", args=[courses[hidden]]))
    assert (out_of_scope.status_code, out_of_scope.content) == (missing.status_code, missing.content)
    assert out_of_scope["Content-Type"] == missing["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("requester", ["province_a", "province_b", "partner", "ministry", "learner", "learner_app"])
def test_the_list_shows_published_courses_only_to_everyone(api_client, keys, courses, learner_hanoi, requester):
    """The catalogue's list: published courses, whoever asks (drafts are seen at their page only)."""
    client = as_requester(api_client, requester, keys, learner_hanoi)
    slugs = {course["slug"] for course in client.get(reverse("api:course_list")).json()["results"]}
    assert slugs == {courses["published_national"], courses["published_hue"]}
