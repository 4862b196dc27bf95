"""The HTTP SMS gateway against a real HTTP server started by the test, which records what it receives."""

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from onetouch.sms import SmsNotSent, SmsRefused, sms_send

PHONE = "+84912345678"
TOKEN = "provider-key-123"


@dataclass
class Received:
    path: str
    headers: dict
    body: dict


@dataclass
class Provider:
    """A provider that answers each request with the next planned (status, delay) and records it."""

    url: str
    plan: list[tuple[int, float]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def provider(settings) -> Iterator[Provider]:
    state = Provider(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.received.append(Received(path=self.path, headers=dict(self.headers), body=body))
            status, delay = state.plan.pop(0) if state.plan else (200, 0.0)
            time.sleep(delay)
            answer = json.dumps({"status": "queued" if status < 300 else "error"}).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/v1/sms"
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = state.url
    settings.SMS_HTTP_TOKEN = TOKEN
    settings.SMS_HTTP_TIMEOUT_S = 0.5
    settings.SMS_HTTP_RETRIES = 2
    settings.SMS_HTTP_BACKOFF_S = 0.01
    yield state
    server.shutdown()
    server.server_close()


def test_a_message_is_posted_as_json_with_the_bearer_key(provider):
    sms_send(phone=PHONE, message="Mã xác minh OneTouch của bạn là 123456")

    [request] = provider.received
    assert request.path == "/v1/sms"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {"to": PHONE, "text": "Mã xác minh OneTouch của bạn là 123456"}


def test_a_provider_outage_is_retried_until_it_answers(provider, caplog):
    provider.plan = [(503, 0.0), (502, 0.0), (200, 0.0)]

    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        sms_send(phone=PHONE, message="Xin chào")

    assert len(provider.received) == 3
    assert all(request.body == {"to": PHONE, "text": "Xin chào"} for request in provider.received)
    assert "HTTP 503" in caplog.text and "Xin chào" not in caplog.text


def test_a_provider_still_down_after_the_retries_leaves_the_message_unsent(provider):
    provider.plan = [(503, 0.0)] * 3

    with pytest.raises(SmsNotSent, match="after 3 attempts"):
        sms_send(phone=PHONE, message="Xin chào")

    assert len(provider.received) == 3


def test_a_provider_that_does_not_answer_in_time_is_retried_then_given_up(provider, settings):
    settings.SMS_HTTP_RETRIES = 1
    provider.plan = [(200, 2.0), (200, 2.0)]

    started = time.monotonic()
    with pytest.raises(SmsNotSent, match="Timeout"):
        sms_send(phone=PHONE, message="Xin chào")

    assert len(provider.received) == 2
    # Two waits of the 0.5 s timeout, not the provider's 2 s each.
    assert time.monotonic() - started < 1.9


def test_a_slow_answer_then_a_quick_one_sends_the_message(provider):
    provider.plan = [(200, 2.0), (200, 0.0)]

    sms_send(phone=PHONE, message="Xin chào")

    assert len(provider.received) == 2


def test_a_provider_refusal_is_not_retried(provider):
    provider.plan = [(400, 0.0)]

    with pytest.raises(SmsRefused) as refused:
        sms_send(phone=PHONE, message="Xin chào")

    assert refused.value.status == 400
    assert isinstance(refused.value, SmsNotSent)
    assert len(provider.received) == 1


def test_an_unreachable_provider_leaves_the_message_unsent(settings):
    settings.SMS_BACKEND = "http"
    # A port nothing listens on: bind one, note it, close it.
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_port
    probe.server_close()
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{port}/v1/sms"
    settings.SMS_HTTP_RETRIES = 1
    settings.SMS_HTTP_BACKOFF_S = 0.01

    with pytest.raises(SmsNotSent, match="ConnectionError"):
        sms_send(phone=PHONE, message="Xin chào")


def test_the_log_gateway_writes_the_message_to_the_log(settings, caplog):
    settings.SMS_BACKEND = "log"

    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        sms_send(phone=PHONE, message="Xin chào")

    assert f"SMS to {PHONE}: Xin chào" in caplog.text
