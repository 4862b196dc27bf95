"""Login: by email or mobile number, rate-limited, session rotated, no off-site redirect."""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.test import Client
from django.urls import reverse

from onetouch.models import User
from tests.conftest import PASSWORD
from tests.factories import learner_make

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


def sign_in(client, login: str, password: str, *, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"login": login, "password": password}, REMOTE_ADDR=address)


def is_signed_in(client, user: User) -> bool:
    return client.session.get("_auth_user_id") == str(user.id)


def test_owner_signs_in_after_someone_else_failed_five_times(client, learner_with_phone):
    """Five wrong passwords from another address do not refuse the owner's right one."""
    guesser = Client()
    for _ in range(5):
        sign_in(guesser, learner_with_phone.email, "sai-mat-khau", address="203.0.113.66")

    sign_in(client, learner_with_phone.email, PASSWORD, address="198.51.100.7")

    assert is_signed_in(client, learner_with_phone)


def test_guessing_from_one_address_stops_after_five_failures(in_english, learner_with_phone):
    """The sixth try from the guesser's address is refused, right password or not, with a way in."""
    for _ in range(5):
        sign_in(in_english, learner_with_phone.email, "sai-mat-khau", address="203.0.113.66")

    response = sign_in(in_english, learner_with_phone.email, PASSWORD, address="203.0.113.66")

    assert not is_signed_in(in_english, learner_with_phone)
    page = response.content.decode()
    assert "Signing in is paused for a few minutes" in page
    assert f'href="{reverse("account_reset_password")}"' in page


def test_guessing_from_many_addresses_never_refuses_a_browser_the_owner_used(client, learner_with_phone):
    """When guesses from many addresses pause the account, the owner's own browser still signs in."""
    sign_in(client, learner_with_phone.email, PASSWORD)
    client.post(reverse("account_logout"))
    for address in range(5):
        for _ in range(5):
            sign_in(Client(), learner_with_phone.email, "sai-mat-khau", address=f"203.0.113.{address}")
    stranger = Client()

    sign_in(stranger, learner_with_phone.email, PASSWORD, address="198.51.100.7")
    sign_in(client, learner_with_phone.email, PASSWORD, address="198.51.100.8")

    assert not is_signed_in(stranger, learner_with_phone)
    assert is_signed_in(client, learner_with_phone)


def test_failures_on_one_mobile_number_do_not_pause_another(client, learner_with_phone, learner_hue):
    """Wrong passwords for one mobile number leave the other numbers' sign-in alone."""
    learner_hue.phone = "+84987654321"
    learner_hue.phone_verified = True
    learner_hue.save()
    for _ in range(5):
        sign_in(Client(), "0912345678", "sai-mat-khau")

    sign_in(client, "0987654321", PASSWORD)

    assert is_signed_in(client, learner_hue)


def test_guessing_many_accounts_from_one_address_is_limited(client, learner_with_phone):
    """Thirty failures a minute from one address, whatever the accounts, then that address waits."""
    for number in range(30):
        sign_in(Client(), f"khong-co-{number}@example.vn", "sai-mat-khau", address="203.0.113.66")

    sign_in(client, learner_with_phone.email, PASSWORD, address="203.0.113.66")
    assert not is_signed_in(client, learner_with_phone)
    sign_in(client, learner_with_phone.email, PASSWORD, address="203.0.113.67")
    assert is_signed_in(client, learner_with_phone)


def test_sixty_learners_sign_in_from_one_address_within_a_minute(commune_hanoi):
    """A commune hall on one Wi-Fi: every learner signs in, one after another, from one address."""
    learners = [learner_make(commune=commune_hanoi) for _ in range(60)]

    signed_in = 0
    for learner in learners:
        browser = Client()
        sign_in(browser, learner.email, PASSWORD, address="203.0.113.10")
        signed_in += is_signed_in(browser, learner)

    assert signed_in == 60


def test_password_reset_link_signs_the_owner_in_while_paused(client, learner_with_phone):
    """The way in from the paused page: resetting the password signs the owner in."""
    for _ in range(5):
        sign_in(client, learner_with_phone.email, "sai-mat-khau")
    uidb36 = user_pk_to_url_str(learner_with_phone)
    key = default_token_generator.make_token(learner_with_phone)
    form_url = client.get(reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": key})).url

    client.post(form_url, {"password1": "mat-khau-moi-456", "password2": "mat-khau-moi-456"})

    assert is_signed_in(client, learner_with_phone)


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
