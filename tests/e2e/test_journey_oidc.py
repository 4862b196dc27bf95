"""Browser journeys: signing in with the national identity through a real OpenID Connect provider.

The provider (oidc-provider-mock, tests/onetouch/oidc_provider.py) runs on 127.0.0.1 beside the
live server; Chromium follows every redirect itself: the login page's button, the provider's
authorize page, the way back with the code and state, and our profile questions. The state and
the nonce are tampered with on the way, by rewriting the browser's own requests.
"""

from importlib import import_module
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from playwright.sync_api import Page, Route, expect

from learners.models import LearnerProfile
from onetouch.models import Commune, User
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import path_of
from tests.factories import learner_make
from tests.onetouch.oidc_provider import PROVIDER_ID, provider_configure, provider_running

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("admin_units")]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
CALLBACK = f"/accounts/oidc/{PROVIDER_ID}/login/callback/"
SIGNUP = "/accounts/3rdparty/signup/"
HUE, THUAN_HOA = "46", "19786"


@pytest.fixture
def provider(settings):
    with provider_running() as running:
        provider_configure(settings, running.issuer, button_label="Đăng nhập bằng VNeID")
        yield running


def _thuan_hoa() -> Commune:
    return Commune.objects.get(code=THUAN_HOA)


def signed_in_user(page: Page) -> User | None:
    """The account the browser's session is signed in to, read from the session store."""
    cookie = next((c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME), None)
    if cookie is None:
        return None
    user_id = import_module(settings.SESSION_ENGINE).SessionStore(cookie["value"]).get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None


def owner_with_a_verified_email() -> User:
    """A Huế learner whose email the platform has verified."""
    owner = learner_make(commune=_thuan_hoa(), email="nguyen.an@example.vn")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    return owner


def profile_questions_answer(page: Page) -> None:
    """Answer the first sign-in's questions (the public, in Thuận Hóa, Huế) and send them."""
    page.locator("#id_audience_group").select_option("public")
    page.locator("#id_province").select_option(HUE)
    expect(page.locator("#id_commune")).to_be_enabled()
    page.locator("#id_commune").select_option(THUAN_HOA)
    with page.expect_navigation():
        page.locator(f"main form[action='{SIGNUP}'] button[type=submit]:not([name])").click()


def replace_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def start_at_the_button(page: Page, live_server) -> None:
    page.goto(live_server.url + "/accounts/login/")
    button = page.get_by_role("button", name="Đăng nhập bằng VNeID")
    expect(button).to_be_visible()
    with page.expect_navigation():
        button.click()


def authorize_at_the_provider(page: Page, provider, sub: str) -> None:
    assert page.url.startswith(provider.issuer + "/oauth2/authorize?"), page.url
    page.get_by_placeholder("sub").fill(sub)
    with page.expect_navigation():
        page.get_by_role("button", name="Authorize").click()


def test_a_new_citizen_answers_the_profile_questions_once_and_is_signed_in_as_a_learner(
    new_page, live_server, provider
) -> None:
    page = new_page(**PHONE)
    provider.user_set(
        "079200001234",
        email="dang.thu.ha@example.vn",
        email_verified=True,
        name="Đặng Thu Hà",
        phone_number="0912345678",
        phone_number_verified=True,
    )
    page.goto(live_server.url + "/accounts/login/")
    button = page.get_by_role("button", name="Đăng nhập bằng VNeID")
    expect(button).to_be_visible()
    # The button fits a 360 px phone, and the page does not scroll sideways.
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 44, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "the login page with the VNeID button at 360 px")

    with page.expect_navigation():
        button.click()
    authorize_at_the_provider(page, provider, "079200001234")

    # Back on the platform: the profile questions, the provider's name and number filled in.
    assert path_of(page) == SIGNUP
    expect(page.locator("#id_full_name")).to_have_value("Đặng Thu Hà")
    expect(page.locator("#id_email")).to_have_value("dang.thu.ha@example.vn")
    expect(page.locator("#id_phone")).to_have_value("+84912345678")
    expect(page.locator("#id_password1")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "the first sign-in's profile questions at 360 px")
    profile_questions_answer(page)

    assert path_of(page) not in (SIGNUP, "/accounts/login/"), page.url
    user = signed_in_user(page)
    assert user is not None and user.email == "dang.thu.ha@example.vn"
    assert (user.full_name, user.phone, user.phone_verified) == ("Đặng Thu Hà", "+84912345678", True)
    profile = LearnerProfile.objects.get(user=user)
    assert (profile.province.code, profile.commune.code, profile.audience_group) == (HUE, THUAN_HOA, "public")
    assert SocialAccount.objects.get(user=user).uid == "079200001234"
    assert page.js_errors == []

    # Signing in again, in another browser, asks nothing.
    again = new_page(**PHONE)
    start_at_the_button(again, live_server)
    authorize_at_the_provider(again, provider, "079200001234")
    assert path_of(again) not in (SIGNUP, "/accounts/login/"), again.url
    assert signed_in_user(again) == user
    assert User.objects.count() == 1


def test_an_existing_account_is_entered_by_the_email_the_provider_verified(page, live_server, provider) -> None:
    owner = owner_with_a_verified_email()
    provider.user_set("079200005678", email="nguyen.an@example.vn", email_verified=True, name="Nguyễn Văn An")

    start_at_the_button(page, live_server)
    authorize_at_the_provider(page, provider, "079200005678")

    assert path_of(page) not in (SIGNUP, "/accounts/login/"), page.url
    assert signed_in_user(page) == owner
    assert SocialAccount.objects.get(uid="079200005678").user == owner
    assert User.objects.count() == 1


def test_an_email_the_provider_did_not_verify_does_not_open_the_account(page, live_server, provider) -> None:
    owner = owner_with_a_verified_email()
    provider.user_set("intruder", email="nguyen.an@example.vn", email_verified=False, name="Kẻ Giả Danh")

    start_at_the_button(page, live_server)
    authorize_at_the_provider(page, provider, "intruder")

    # Sent to sign up instead, where the email is only a suggestion.
    assert path_of(page) == SIGNUP
    assert signed_in_user(page) is None
    profile_questions_answer(page)

    assert signed_in_user(page) is None
    assert not SocialAccount.objects.exists()
    assert list(User.objects.all()) == [owner]
    owner.refresh_from_db()
    assert owner.has_usable_password()


def assert_refused(page: Page, users_before: int) -> None:
    expect(page.locator("h1")).to_have_text("Chưa đăng nhập được")
    assert signed_in_user(page) is None
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()


def test_a_state_changed_on_the_way_back_is_refused(page, live_server, provider) -> None:
    owner = owner_with_a_verified_email()
    provider.user_set("079200005678", email=owner.email, email_verified=True)
    tampered: list[str] = []

    def change_the_state(route: Route) -> None:
        # The provider's answer to its authorize form is the redirect back to us: its state is changed.
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        location = response.headers["location"]
        assert location.startswith(live_server.url + CALLBACK), location
        state = parse_qs(urlsplit(location).query)["state"][0]
        changed = replace_query(location, state=state[::-1])
        tampered.append(changed)
        route.fulfill(response=response, headers={**response.headers, "location": changed})

    page.route(f"{provider.issuer}/oauth2/authorize?*", change_the_state)
    start_at_the_button(page, live_server)
    authorize_at_the_provider(page, provider, "079200005678")

    assert len(tampered) == 1
    assert_refused(page, users_before=1)
    assert provider.token_requests == []  # the code was never exchanged


def test_an_id_token_for_another_nonce_is_refused(page, live_server, provider) -> None:
    # The browser's authorization request is given another nonce than the platform sent: the provider
    # puts that one in the ID token, as an ID token made for another sign-in would carry.
    owner = owner_with_a_verified_email()
    provider.user_set("079200005678", email=owner.email, email_verified=True)
    sent: list[str] = []

    def change_the_nonce(route: Route) -> None:
        url = route.request.url
        sent.append(parse_qs(urlsplit(url).query)["nonce"][0])
        route.continue_(url=replace_query(url, nonce="a-nonce-of-another-sign-in"))

    page.route(f"{provider.issuer}/oauth2/authorize?*", change_the_nonce)
    start_at_the_button(page, live_server)
    authorize_at_the_provider(page, provider, "079200005678")

    assert sent and len(sent[0]) >= 32
    assert len(provider.token_requests) == 1  # exchanged, then refused on the ID token
    assert_refused(page, users_before=1)
