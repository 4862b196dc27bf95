"""Login: by email or mobile number, rate-limited, session rotated, no off-site redirect."""

import pytest
from django.urls import reverse

from onetouch.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")


@pytest.fixture
def learner_with_phone(learner_hanoi) -> User:
    learner_hanoi.set_password(PASSWORD)
    learner_hanoi.phone = "+84912345678"
    learner_hanoi.phone_verified = True
    learner_hanoi.save()
    return learner_hanoi


def test_login_by_email_rotates_the_session(client, learner_with_phone):
    """Signing in gives a new session id, so a planted one is useless."""
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key

    response = client.post(LOGIN, {"login": learner_with_phone.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.session["_auth_user_id"] == str(learner_with_phone.id)


@pytest.mark.parametrize("written", ["0912345678", "0912 345 678", "+84912345678"])
def test_login_by_mobile_number_as_people_write_it(client, learner_with_phone, written):
    """The mobile number works as a login however it is written."""
    client.post(LOGIN, {"login": written, "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(learner_with_phone.id)


def test_offsite_next_falls_back_to_home(client, learner_with_phone):
    """A next= pointing to another site sends the user to the home page instead."""
    response = client.post(
        f"{LOGIN}?next=https://lua-dao.example.com/", {"login": learner_with_phone.email, "password": PASSWORD}
    )
    assert response.url == reverse("courses:home")


def test_onsite_next_brings_the_user_back(client, learner_with_phone):
    """A next= on our own site is followed after signing in."""
    response = client.post(f"{LOGIN}?next=/courses/", {"login": learner_with_phone.email, "password": PASSWORD})
    assert response.url == "/courses/"


def test_failed_logins_are_rate_limited(in_english, learner_with_phone):
    """After five wrong passwords the account refuses even the right one for a while."""
    for _ in range(5):
        in_english.post(LOGIN, {"login": learner_with_phone.email, "password": "sai-mat-khau"})
    response = in_english.post(LOGIN, {"login": learner_with_phone.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in in_english.session


def test_pages_carry_a_content_security_policy(client):
    """Every page has a CSP: scripts from our origin only (or a nonce), no plugins, no framing."""
    response = client.get(reverse("courses:home"))
    policy = response["Content-Security-Policy"]
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/", "/courses/", "/accounts/login/", "/accounts/signup/"])
def test_pages_have_no_inline_script(client, url):
    """Scripts are files of our own origin: no page carries an inline script."""
    import re

    page = client.get(url).content.decode()
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or "nonce=" in tag, tag


def test_too_many_password_resets_get_a_translated_429(client, learner_with_phone):
    """Past the reset limit the answer is 429 with our own page, in Vietnamese."""
    url = reverse("account_reset_password")
    for _ in range(5):
        client.post(url, {"email": learner_with_phone.email})
    response = client.post(url, {"email": learner_with_phone.email})
    assert response.status_code == 429
    assert "Quá nhiều yêu cầu" in response.content.decode()


def test_unknown_page_gets_a_translated_404(client):
    """A missing page answers 404 with the site's own page."""
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_pages_are_vietnamese_whatever_the_browser_language(client):
    """A phone set to English still gets Vietnamese until its owner picks English."""
    page = client.get(reverse("courses:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Danh mục khóa học" in page
    client.cookies["django_language"] = "en"
    assert "Course catalogue" in client.get(reverse("courses:list")).content.decode()
