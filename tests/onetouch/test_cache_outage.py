"""A Redis outage makes pages slower, never errors: the catalogue, sign-in and lookups answer without it."""

import logging
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import course_make

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A Redis server of the test's own (the shared one is never stopped)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(settings):
    """The cache, as configured, on a Redis server the test can stop and start again."""
    server = RedisServer()
    server.start()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{server.port}/0"}}
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def redis_to_stop(redis_server):
    """Call it to stop the cache's Redis server."""
    return redis_server.stop


@pytest.fixture
def course():
    return course_make(title="Kỹ năng số cơ bản")


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_catalogue_answers_while_redis_is_stopped(client, redis_to_stop, course, learner_hanoi):
    """Visitors and learners get the catalogue, built without the cache, after Redis stops."""
    assert course.title in client.get(reverse("courses:list")).content.decode()
    learner = Client()
    learner.force_login(learner_hanoi)
    redis_to_stop()

    visitor_page = client.get(reverse("courses:list"))
    learner_page = learner.get(reverse("courses:list"))
    filtered = client.get(reverse("courses:list"), {"q": "ky nang so"})

    for response in (visitor_page, learner_page, filtered):
        assert response.status_code == 200
        assert course.title in response.content.decode()
    assert client.get(reverse("courses:home")).status_code == 200


def test_sign_in_answers_while_redis_is_stopped(client, redis_to_stop, learner_hanoi):
    """Sign-in works without the cache: a right password signs in, a wrong one gets the form again."""
    sign_in(Client(), learner_hanoi, "sai-mat-khau")
    redis_to_stop()

    wrong = sign_in(Client(), learner_hanoi, "sai-mat-khau")
    right = sign_in(client, learner_hanoi)

    assert wrong.status_code == 200
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(learner_hanoi.id)


def test_rate_limits_let_requests_through_while_redis_is_stopped(client, redis_to_stop, learner_hanoi, caplog):
    """With the cache unreachable the limits count nothing (docs/decisions/0013) and the log says so."""
    redis_to_stop()

    with caplog.at_level(logging.ERROR, logger="onetouch.cache"):
        for _ in range(10):
            sign_in(Client(), learner_hanoi, "sai-mat-khau")
        sign_in(client, learner_hanoi)
        unknown = reverse("certificates:verify", args=["K7QF-3MZP-W2HD-9XAC"])
        lookups = {Client().get(unknown).status_code for _ in range(40)}

    assert client.session["_auth_user_id"] == str(learner_hanoi.id)
    assert lookups == {404}
    assert "rate limits are not enforced" in caplog.text


def test_cache_serves_again_once_redis_is_back(redis_server, monkeypatch, caplog):
    """After an outage the cache stores and returns values again, and the log says when it came back."""
    monkeypatch.setattr("onetouch.cache.RETRY_AFTER_SECONDS", 0.1)
    redis_server.stop()
    cache.set("greeting", "xin chào")
    assert cache.get("greeting") is None

    redis_server.start()
    time.sleep(0.2)
    with caplog.at_level(logging.WARNING, logger="onetouch.cache"):
        cache.set("greeting", "xin chào")

    assert cache.get("greeting") == "xin chào"
    assert "Cache reachable again" in caplog.text
