"""Rate limits count per real client: the proxy's X-Forwarded-For entry when configured, never the client's own."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from onetouch.throttles import client_address
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
PROXY = "10.0.0.2"


def failed_sign_in(number: int, **headers) -> None:
    """A wrong password for a different account each time, so only the per-address limit can refuse."""
    Client().post(LOGIN, {"login": f"khong-co-{number}@example.vn", "password": "sai"}, **headers)


def signs_in(user, **headers) -> bool:
    client = Client()
    client.post(LOGIN, {"login": user.email, "password": PASSWORD}, **headers)
    return client.session.get("_auth_user_id") == str(user.id)


def test_two_clients_behind_the_proxy_are_limited_separately(settings, learner_hanoi):
    """Through one proxy address, the client whose guesses reached the limit waits and the other does not."""
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    neighbour = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.6"}
    for number in range(30):
        failed_sign_in(number, **guesser)

    assert not signs_in(learner_hanoi, **guesser)
    assert signs_in(learner_hanoi, **neighbour)


def test_client_cannot_escape_the_limit_by_writing_its_own_forwarded_for(settings, learner_hanoi):
    """Behind the proxy, entries the client wrote to the left of the proxy's own are ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(30):
        failed_sign_in(number, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.5")

    assert not signs_in(learner_hanoi, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5")


def test_forwarded_for_from_a_direct_client_is_not_trusted(settings, learner_hanoi):
    """With TRUSTED_PROXY_COUNT=0 a spoofed X-Forwarded-For changes nothing: the peer's address counts."""
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(30):
        failed_sign_in(number, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    assert not signs_in(learner_hanoi, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.200")


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", "198.51.100.7"),
        (1, "192.0.2.1, 203.0.113.5", "203.0.113.5"),
        (2, "192.0.2.1, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (1, "2001:db8::1", "2001:db8::1"),
        # The request did not pass through the proxy, or the proxy wrote nonsense: its peer counts.
        (2, "203.0.113.5", "198.51.100.7"),
        (1, "", "198.51.100.7"),
        (1, "not-an-address", "198.51.100.7"),
    ],
)
def test_client_address_takes_the_entry_our_proxies_wrote(settings, proxies, forwarded_for, expected):
    """The address is REMOTE_ADDR, or the X-Forwarded-For entry as many places from the right as there are proxies."""
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_address(request) == expected
