"""Idempotent writes (api/views/idempotent.py): a retried write is applied once, a reused key changes nothing."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import IdempotencyKey
from api.services import enrolments as enrolment_services
from api.services.idempotency import idempotency_keys_expire
from learners.models import Enrolment
from onetouch.models import User
from rosters.models import RosterImport
from tests.api.conftest import with_key
from tests.api.writes import enrol, enrolment_body, official, run_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_hanoi(province_hanoi):
    return run_make(province=province_hanoi)


def written_counts() -> tuple[int, int, int, int]:
    """Accounts, enrolments, imports and keys: what a write leaves in the database."""
    return (
        User.objects.count(),
        Enrolment.objects.count(),
        RosterImport.objects.count(),
        IdempotencyKey.objects.count(),
    )


def test_a_retry_answers_the_stored_answer_and_writes_nothing_more(api_client, keys, run_hanoi, commune_hanoi):
    client = with_key(api_client, keys["province_a"])
    body = enrolment_body(
        run_hanoi.id, [official(1, commune=commune_hanoi.code), official(2, commune=commune_hanoi.code)]
    )
    first = enrol(client, body, key="lan-1")
    after_first = written_counts()
    retry = enrol(client, body, key="lan-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert written_counts() == after_first
    assert Enrolment.objects.filter(course_run=run_hanoi).count() == 2
    assert RosterImport.objects.filter(course_run=run_hanoi).count() == 1


def test_key_order_and_spacing_of_the_body_do_not_make_another_request(api_client, keys, run_hanoi, commune_hanoi):
    client = with_key(api_client, keys["province_a"])
    person = official(1, commune=commune_hanoi.code)
    first = enrol(client, {"course_run": run_hanoi.id, "people": [person]}, key="thu-tu")
    reordered = {"people": [dict(reversed(list(person.items())))], "course_run": run_hanoi.id}
    retry = enrol(client, reordered, key="thu-tu")
    assert (retry.status_code, retry["Idempotent-Replayed"]) == (201, "true")
    assert retry.json() == first.json()


@pytest.mark.parametrize(
    ("language", "title"),
    [("vi", "Khóa Idempotency đã dùng cho yêu cầu khác"), ("en", "Idempotency key reused with another request")],
)
def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    api_client, keys, run_hanoi, commune_hanoi, language, title
):
    client = with_key(api_client, keys["province_a"])
    enrol(client, enrolment_body(run_hanoi.id, [official(1, commune=commune_hanoi.code)]), key="dung-lai")
    before = written_counts()
    other = enrol(
        client,
        enrolment_body(run_hanoi.id, [official(2, commune=commune_hanoi.code)]),
        key="dung-lai",
        language=language,
    )
    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    problem = other.json()
    assert problem["type"] == "/api/problems/idempotency-key-reused"
    assert problem["title"] == title
    assert written_counts() == before
    assert not User.objects.filter(email="can.bo.2@example.vn").exists()


def test_keys_belong_to_their_requester(api_client, keys, run_hanoi, commune_hanoi, province_hanoi):
    """Another key sending the same Idempotency-Key makes its own write: keys are not shared."""
    body = enrolment_body(run_hanoi.id, [official(1, commune=commune_hanoi.code)])
    enrol(with_key(api_client, keys["province_a"]), body, key="chung")
    ministry = enrol(with_key(APIClient(), keys["ministry"]), body, key="chung")
    assert ministry.status_code == 201
    assert "Idempotent-Replayed" not in ministry
    assert ministry.json()["results"][0]["result"] == "already_enrolled"
    assert IdempotencyKey.objects.filter(key="chung").count() == 2


@pytest.mark.parametrize(
    ("headers", "kind"),
    [({}, "idempotency-key-missing"), ({"HTTP_IDEMPOTENCY_KEY": "có dấu cách"}, "idempotency-key-invalid")],
)
def test_a_write_without_a_usable_key_is_refused(api_client, keys, run_hanoi, commune_hanoi, headers, kind):
    client = with_key(api_client, keys["province_a"])
    body = enrolment_body(run_hanoi.id, [official(1, commune=commune_hanoi.code)])
    response = client.post("/api/v1/enrolments/", body, format="json", **headers)
    assert response.status_code == 400
    assert response.json()["type"] == f"/api/problems/{kind}"
    assert written_counts() == (User.objects.count(), 0, 0, 0)


def test_a_refused_write_gives_its_key_back(api_client, keys, run_hanoi, commune_hanoi):
    """Invalid input writes nothing, not even the key: the corrected request may use the same key."""
    client = with_key(api_client, keys["province_a"])
    bad = enrol(client, {"course_run": run_hanoi.id, "people": [{"full_name": "Thiếu"}]}, key="sua-lai")
    assert bad.status_code == 400
    assert IdempotencyKey.objects.count() == 0
    good = enrol(client, enrolment_body(run_hanoi.id, [official(1, commune=commune_hanoi.code)]), key="sua-lai")
    assert good.status_code == 201
    assert "Idempotent-Replayed" not in good


def test_keys_older_than_a_day_are_forgotten(api_client, keys, run_hanoi, commune_hanoi):
    client = with_key(api_client, keys["province_a"])
    enrol(client, enrolment_body(run_hanoi.id, [official(1, commune=commune_hanoi.code)]), key="cu")
    enrol(client, enrolment_body(run_hanoi.id, [official(2, commune=commune_hanoi.code)]), key="moi")
    IdempotencyKey.objects.filter(key="cu").update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    assert idempotency_keys_expire() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["moi"]


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_the_same_key_at_once_write_once(keys, province_hanoi, commune_hanoi, monkeypatch):
    """The second request waits on the key's unique index while the first one writes, then answers its replay.

    The first request is held inside its transaction (after it claimed the key) until the test sees
    the second one waiting on a lock in PostgreSQL; then it is let go.
    """
    run = run_make(province=province_hanoi)
    body = enrolment_body(run.id, [official(1, commune=commune_hanoi.code)])
    holding, release = threading.Event(), threading.Event()
    calls = []
    create = enrolment_services.api_enrolments_create

    def held_create(**kwargs):
        calls.append(1)
        holding.set()
        assert release.wait(timeout=30)
        return create(**kwargs)

    monkeypatch.setattr("api.views.enrolments.api_enrolments_create", held_create)
    answers: dict[str, object] = {}

    def post(name: str) -> None:
        try:
            answers[name] = enrol(with_key(APIClient(), keys["province_a"]), body, key="cung-luc")
        finally:
            connections.close_all()

    first = threading.Thread(target=post, args=["first"])
    first.start()
    assert holding.wait(timeout=30)
    second = threading.Thread(target=post, args=["second"])
    second.start()
    # Polled, with a bound: a second request that does not wait on the key (the feature broken) would
    # instead block in held_create, never on a lock.
    deadline = time.monotonic() + 30
    while not second_is_waiting_on_a_lock():
        assert second.is_alive() and time.monotonic() < deadline
        release.wait(timeout=0.02)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert answers["first"].status_code == answers["second"].status_code == 201
    assert answers["second"].json() == answers["first"].json()
    assert answers["second"]["Idempotent-Replayed"] == "true"
    assert len(calls) == 1
    assert Enrolment.objects.filter(course_run=run).count() == 1
    assert IdempotencyKey.objects.filter(key="cung-luc").count() == 1


def second_is_waiting_on_a_lock() -> bool:
    """Whether another connection of this test database waits on a lock (the second request's INSERT)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
