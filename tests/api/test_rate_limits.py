"""Rate limits per key, counted in Redis: RateLimit headers on every answer, 429 with Retry-After past it."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from api import throttles
from tests.api.conftest import with_key
from tests.api.test_me import PASSWORD, session_token, with_token

pytestmark = pytest.mark.django_db

# A moment 25 s into a minute, so the window's reset is 35 s away whatever the clock says.
FROZEN = 1_800_000_025.0


@pytest.fixture
def frozen_clock(monkeypatch):
    """Every request of the test falls in the same window."""
    monkeypatch.setattr(throttles, "clock", lambda: FROZEN)


@pytest.fixture
def three_a_minute(settings, frozen_clock):
    settings.API_RATE_LIMIT = "3/m"


def test_every_answer_says_the_limit_and_what_is_left(api_client, keys, three_a_minute):
    with_key(api_client, keys["province_a"])
    remaining = []
    for _ in range(3):
        response = api_client.get(reverse("api:course_list"))
        assert response.status_code == 200
        assert (response["RateLimit-Limit"], response["RateLimit-Reset"]) == ("3", "35")
        remaining.append(response["RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]


def test_past_the_limit_429_with_retry_after_in_both_languages(api_client, keys, three_a_minute):
    with_key(api_client, keys["province_a"])
    for _ in range(3):
        api_client.get(reverse("api:course_list"))
    refused = api_client.get(reverse("api:course_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "35"
    assert (refused["RateLimit-Limit"], refused["RateLimit-Remaining"]) == ("3", "0")
    body = refused.json()
    assert (body["type"], body["title"], body["status"]) == ("/api/problems/rate-limited", "Too many requests", 429)
    assert "35" in body["detail"]
    assert api_client.get(reverse("api:course_list")).json()["title"] == "Quá nhiều yêu cầu"


def test_each_key_has_its_own_count(api_client, keys, three_a_minute):
    for _ in range(4):
        with_key(api_client, keys["province_a"]).get(reverse("api:course_list"))
    assert with_key(api_client, keys["province_a"]).get(reverse("api:course_list")).status_code == 429
    assert with_key(api_client, keys["province_b"]).get(reverse("api:course_list")).status_code == 200


def test_a_learners_session_is_counted_per_account(api_client, learner_hanoi, learner_hue, three_a_minute):
    api_client.force_login(learner_hanoi)
    statuses = [api_client.get(reverse("api:course_list")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    api_client.force_login(learner_hue)
    assert api_client.get(reverse("api:course_list")).status_code == 200


def test_the_apps_token_is_counted_with_its_accounts_session(api_client, learner_hanoi, learner_hue, three_a_minute):
    """The app's X-Session-Token counts per account, the same count as the account's browser session."""
    token = session_token(APIClient(), email=learner_hanoi.email, password=PASSWORD)
    api_client.force_login(learner_hanoi)
    assert api_client.get(reverse("api:course_list")).status_code == 200
    statuses = [with_token(token).get(reverse("api:course_list")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    hue_token = session_token(APIClient(), email=learner_hue.email, password=PASSWORD)
    assert with_token(hue_token).get(reverse("api:course_list")).status_code == 200


def test_the_count_lives_in_redis_and_a_new_window_starts_afresh(api_client, keys, settings, monkeypatch):
    settings.API_RATE_LIMIT = "1/m"
    monkeypatch.setattr(throttles, "clock", lambda: FROZEN)
    with_key(api_client, keys["province_a"])
    assert api_client.get(reverse("api:course_list")).status_code == 200
    assert api_client.get(reverse("api:course_list")).status_code == 429
    counters = [key for key in cache._cache.get_client().keys("*api:rate:key:*")]
    assert len(counters) == 1
    monkeypatch.setattr(throttles, "clock", lambda: FROZEN + 60)
    assert api_client.get(reverse("api:course_list")).status_code == 200


def test_requests_without_usable_key_are_not_counted(api_client, keys, three_a_minute):
    """401s come before the count: a wrong key cannot use up another key's requests."""
    for _ in range(5):
        assert with_key(api_client, keys["expired"]).get(reverse("api:course_list")).status_code == 401
    assert with_key(api_client, keys["province_a"]).get(reverse("api:course_list"))["RateLimit-Remaining"] == "2"
