"""Sign-in through an OpenID Connect provider (onetouch/oidc.py, onetouch.adapters.SocialAccountAdapter).

Against a real provider on 127.0.0.1 (tests/onetouch/oidc_provider.py): Django's test client plays
the browser and httpx answers the provider's authorize form, so every redirect, the code exchange,
the userinfo call and the ID token are real. tests/e2e/test_journey_oidc.py drives the same flow in
Chromium.
"""

import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from learners.models import LearnerProfile
from onetouch.models import Commune, User
from tests.factories import learner_make
from tests.onetouch.oidc_provider import PROVIDER_ID, pkce_challenge_of, provider_configure, provider_running
from tests.onetouch.test_settings import EMBEDDED_VAR_DIR, run_with

LOGIN = f"/accounts/oidc/{PROVIDER_ID}/login/"
CALLBACK = f"/accounts/oidc/{PROVIDER_ID}/login/callback/"
SIGNUP = "/accounts/3rdparty/signup/"
PHONE = "+84912345678"


@pytest.fixture
def provider():
    with provider_running() as running:
        yield running


@pytest.fixture
def configured(settings, provider):
    provider_configure(settings, provider.issuer, button_label="Đăng nhập bằng VNeID")
    return provider


@pytest.fixture
def commune(admin_units) -> Commune:
    return Commune.objects.get(code="19786")  # Phường Thuận Hóa, Huế


def phone_account_make(*, verified: bool) -> User:
    user = User(email=None, phone=PHONE, phone_verified=verified, full_name="Hoàng Văn Em")
    user.set_password("mat-khau-dai-123")
    user.save()
    return user


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def with_query(url: str, **changes: str) -> str:
    """The URL with these query parameters replaced."""
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def authorize_url_of(client: Client) -> str:
    """Start a sign-in as the login page's button does (a POST) and return where it sends the browser."""
    response = client.post(LOGIN + "?process=login")
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def provider_answer(authorize_url: str, sub: str) -> str:
    """Sign in at the provider as `sub` (its authorize form) and return the redirect back to us."""
    response = httpx.post(authorize_url, data={"sub": sub})
    assert response.status_code == 302, response.text[:500]
    location = response.headers["location"]
    assert location.startswith("http://testserver" + CALLBACK), location
    return location


def come_back(client: Client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(parts.path + "?" + parts.query)


def sign_in_through_provider(client: Client, sub: str):
    return come_back(client, provider_answer(authorize_url_of(client), sub))


# --- Without configuration -------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_provider_there_is_no_button_and_its_addresses_do_not_exist(client, admin_units):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b"single-sign-on" not in page.content
    assert b"/accounts/oidc/" not in page.content
    for path in (LOGIN, CALLBACK + "?code=x&state=y", "/accounts/oidc/anything/login/"):
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code == 404, path
    # The social sign-up page without a pending sign-in sends back to the login page; it creates nothing.
    assert client.get(SIGNUP).status_code == 302
    assert not User.objects.exists()
    # A signed-in learner's page of linked identities offers nothing to link.
    client.force_login(learner_make(commune=Commune.objects.get(code="19786")))
    page = client.get("/accounts/3rdparty/")
    assert page.status_code == 200 and "/accounts/oidc/" not in page.content.decode()


def test_the_provider_is_configured_by_the_environment_alone():
    code = """
import json, django
from django.conf import settings
django.setup()
from allauth.socialaccount.adapter import get_adapter
provider = get_adapter().get_provider(None, "ministry-sso")
print(json.dumps({
    "class": type(provider).__name__, "name": provider.name, "client_id": provider.app.client_id,
    "server_url": provider.server_url, "scope": provider.get_scope(),
    "pkce": "code_challenge" in provider.get_pkce_params(),
    "label": provider.app.settings["button_label"],
    "form_action": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"],
}))
"""
    environment = {
        "DEBUG": "true",
        "ONETOUCH_VAR_DIR": EMBEDDED_VAR_DIR,
        "OIDC_ISSUER_URL": "https://sso.example.gov.vn/realms/citizens/",
        "OIDC_CLIENT_ID": "onetouch",
        "OIDC_CLIENT_SECRET": "s3cret",
        "OIDC_SCOPES": "openid, email ,phone",
        "OIDC_PROVIDER_ID": "ministry-sso",
        "OIDC_PROVIDER_NAME": "SSO Bộ",
        "OIDC_BUTTON_LABEL": "Đăng nhập bằng tài khoản Bộ",
    }
    result = run_with(environment, code=code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "class": "NonceCheckingOpenIDConnectProvider",
        "name": "SSO Bộ",
        "client_id": "onetouch",
        "server_url": "https://sso.example.gov.vn/realms/citizens/.well-known/openid-configuration",
        "scope": ["openid", "email", "phone"],
        "pkce": True,
        "label": "Đăng nhập bằng tài khoản Bộ",
        "form_action": ["'self'", "https://sso.example.gov.vn"],
    }
    # An issuer without its client id, or not a web address, stops the start.
    no_client = run_with(environment | {"OIDC_CLIENT_ID": ""}, code=code)
    assert no_client.returncode != 0 and "Set OIDC_CLIENT_ID" in no_client.stderr
    wrong = run_with(environment | {"OIDC_ISSUER_URL": "sso.example.gov.vn"}, code=code)
    assert wrong.returncode != 0 and "OIDC_ISSUER_URL must be an http(s) address" in wrong.stderr


# --- The button and the authorization request --------------------------------------------------


@pytest.mark.django_db
def test_the_login_page_shows_the_configured_button_posting_to_the_provider(client, configured):
    page = client.get("/accounts/login/")
    html = page.content.decode()
    assert "Đăng nhập bằng VNeID" in html
    assert f'action="{LOGIN}?process=login"' in html
    # The browser may follow the form's redirect to the provider (CSP form-action).
    assert configured.issuer in page["Content-Security-Policy"].split("form-action")[1].split(";")[0]


@pytest.mark.django_db
def test_without_a_label_the_button_names_the_provider_in_the_visitors_language(client, settings, provider):
    provider_configure(settings, provider.issuer)
    assert "Đăng nhập bằng VNeID" in client.get("/accounts/login/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Sign in with VNeID" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_a_sign_in_is_started_by_post_only(client, configured):
    # A link (GET) shows a confirmation page; it never leaves for the provider by itself.
    page = client.get(LOGIN)
    assert page.status_code == 200 and "Tiếp tục đăng nhập" in page.content.decode()
    assert "nonce" not in page.content.decode()


@pytest.mark.django_db
def test_the_authorization_request_carries_state_nonce_and_pkce_and_the_code_exchange_its_verifier(
    client, configured, commune
):
    authorize = authorize_url_of(client)
    query = {key: values[0] for key, values in parse_qs(urlsplit(authorize).query).items()}
    assert authorize.startswith(configured.issuer + "/oauth2/authorize?")
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 16 and len(query["nonce"]) >= 32
    assert set(query["scope"].split()) == {"openid", "profile", "email", "phone"}

    configured.user_set("citizen-1", email="le.van.binh@example.vn", email_verified=True, name="Lê Văn Bình")
    response = come_back(client, provider_answer(authorize, "citizen-1"))
    assert response.status_code == 302 and response["Location"] == SIGNUP
    (token_request,) = configured.token_requests
    assert pkce_challenge_of(token_request["code_verifier"]) == query["code_challenge"]


# --- A first sign-in: the profile questions -----------------------------------------------------


@pytest.mark.django_db
def test_a_first_sign_in_asks_the_profile_questions_once_and_creates_the_learner(client, configured, commune):
    configured.user_set(
        "citizen-2",
        email="tran.thi.hoa@example.vn",
        email_verified=True,
        name="Trần Thị Hoa",
        phone_number="0912 345 678",
        phone_number_verified=True,
    )
    assert sign_in_through_provider(client, "citizen-2")["Location"] == SIGNUP
    form = client.get(SIGNUP)
    assert form.status_code == 200
    assert form.context["form"].initial["full_name"] == "Trần Thị Hoa"
    assert form.context["form"].initial["phone"] == PHONE
    html = form.content.decode()
    for field in ("id_full_name", "id_audience_group", "id_province", "id_commune", "id_email", "id_phone"):
        assert f'id="{field}"' in html, field
    assert "id_password1" not in html

    # The sign-up form's own rules: a commune of another province is refused.
    answers = {
        "full_name": "Trần Thị Hoa",
        "email": "tran.thi.hoa@example.vn",
        "phone": "0912 345 678",
        "audience_group": "public",
        "province": "46",
        "commune": "00004",  # a ward of Hà Nội
    }
    refused = client.post(SIGNUP, answers)
    assert refused.status_code == 200 and "commune" in refused.context["form"].errors
    assert not User.objects.exists()

    done = client.post(SIGNUP, answers | {"commune": commune.code})
    assert done.status_code == 302, done.context["form"].errors if done.context else done
    user = signed_in_user(client)
    assert (user.email, user.full_name, user.phone, user.phone_verified) == (
        "tran.thi.hoa@example.vn",
        "Trần Thị Hoa",
        PHONE,
        True,
    )
    assert not user.has_usable_password()
    profile = LearnerProfile.objects.get(user=user)
    assert (profile.province.code, profile.commune.code, profile.audience_group) == ("46", "19786", "public")
    assert EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).uid == "citizen-2"

    # The next sign-in goes straight in: no questions again.
    other_browser = Client()
    response = sign_in_through_provider(other_browser, "citizen-2")
    assert response.status_code == 302 and response["Location"] != SIGNUP
    assert signed_in_user(other_browser) == user
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_changed_or_unverified_email_and_phone_are_not_trusted_at_sign_up(client, configured, commune):
    configured.user_set(
        "citizen-3",
        email="pham.minh@example.vn",
        email_verified=False,
        phone_number="0912345678",
        phone_number_verified=True,
    )
    sign_in_through_provider(client, "citizen-3")
    response = client.post(
        SIGNUP,
        {
            "full_name": "Phạm Minh",
            "email": "pham.minh@example.vn",
            "phone": "0987 654 321",  # another number than the provider verified
            "audience_group": "public",
            "province": "46",
            "commune": commune.code,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="pham.minh@example.vn")
    assert (user.phone, user.phone_verified) == ("+84987654321", False)
    assert not EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db
def test_an_account_needs_an_email_or_a_mobile_number(client, configured, commune):
    configured.user_set("citizen-4", name="Vũ Thị Lan")  # the identity carries neither
    sign_in_through_provider(client, "citizen-4")
    answers = {"full_name": "Vũ Thị Lan", "audience_group": "public", "province": "46", "commune": commune.code}
    refused = client.post(SIGNUP, answers)
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    assert client.post(SIGNUP, answers | {"phone": "0911 222 333"}).status_code == 302
    user = User.objects.get(phone="+84911222333")
    assert user.email is None and not user.phone_verified


# --- Linking to an existing account -------------------------------------------------------------


@pytest.mark.django_db
def test_a_verified_email_enters_the_account_with_that_email(client, configured, commune):
    owner = learner_make(commune=commune, email="nguyen.an@example.vn")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    configured.user_set(
        "citizen-5", email="Nguyen.An@example.vn", email_verified=True, phone_number=PHONE, phone_number_verified=True
    )
    response = sign_in_through_provider(client, "citizen-5")
    assert response.status_code == 302 and response["Location"] != SIGNUP
    assert signed_in_user(client) == owner
    assert SocialAccount.objects.get(uid="citizen-5").user == owner
    owner.refresh_from_db()
    assert owner.has_usable_password()  # its own address was confirmed: nothing to fear from its password
    assert (owner.phone, owner.phone_verified) == (None, False)  # the provider's number is not written over it
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_an_account_entered_by_email_it_never_confirmed_loses_its_password(client, configured, commune):
    # Someone may have signed up with this email and a password of theirs: allauth locks them out.
    squatted = learner_make(commune=commune, email="nguyen.an@example.vn")
    configured.user_set("citizen-12", email=squatted.email, email_verified=True)
    sign_in_through_provider(client, "citizen-12")
    assert signed_in_user(client) == squatted
    squatted.refresh_from_db()
    assert not squatted.has_usable_password()


@pytest.mark.parametrize("email_verified", [False, "false", 1, None])
@pytest.mark.django_db
def test_an_email_the_provider_did_not_verify_never_enters_an_account(client, configured, commune, email_verified):
    owner = learner_make(commune=commune, email="nguyen.an@example.vn")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    claims = {"email": owner.email} | ({} if email_verified is None else {"email_verified": email_verified})
    configured.user_set("intruder", **claims)
    response = sign_in_through_provider(client, "intruder")
    assert response["Location"] == SIGNUP
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    # At sign-up the address is someone else's: no account is made with it, the owner's is untouched.
    client.post(
        SIGNUP,
        {"full_name": "X", "email": owner.email, "audience_group": "public", "province": "46", "commune": commune.code},
    )
    assert signed_in_user(client) is None
    assert User.objects.count() == 1 and not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_a_verified_phone_enters_the_account_that_verified_the_same_number(client, configured, commune):
    owner = phone_account_make(verified=True)
    configured.user_set("citizen-6", phone_number="+84 912 345 678", phone_number_verified=True)
    response = sign_in_through_provider(client, "citizen-6")
    assert response.status_code == 302 and response["Location"] != SIGNUP
    assert signed_in_user(client) == owner
    assert SocialAccount.objects.get(uid="citizen-6").user == owner


@pytest.mark.parametrize(
    ("provider_verified", "account_verified"),
    [(False, True), ("false", True), (True, False)],
    ids=["provider-unverified", "provider-says-false-as-text", "account-unverified"],
)
@pytest.mark.django_db
def test_a_phone_not_verified_on_both_sides_never_enters_an_account(
    client, configured, provider_verified, account_verified
):
    phone_account_make(verified=account_verified)
    configured.user_set("citizen-7", phone_number="0912345678", phone_number_verified=provider_verified)
    assert sign_in_through_provider(client, "citizen-7")["Location"] == SIGNUP
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


# --- Refused answers: state and nonce ------------------------------------------------------------


def assert_refused_and_nothing_changed(client: Client, response, users_before: int) -> None:
    assert response.status_code == 403
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]
    assert signed_in_user(client) is None
    assert "socialaccount_sociallogin" not in client.session  # no sign-up pending either
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_a_tampered_state_is_refused(client, configured, commune):
    owner = learner_make(commune=commune, email="nguyen.an@example.vn")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    configured.user_set("citizen-8", email=owner.email, email_verified=True)
    callback = provider_answer(authorize_url_of(client), "citizen-8")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    tampered = with_query(callback, state=state[:-1] + ("A" if state[-1] != "A" else "B"))
    assert_refused_and_nothing_changed(client, come_back(client, tampered), users_before=1)
    assert configured.token_requests == []  # the code was never even exchanged


@pytest.mark.django_db
def test_a_state_from_another_browser_is_refused(client, configured, commune):
    # Login CSRF: an attacker's own callback (their code and state) opened in the victim's browser.
    configured.user_set("attacker", email="attacker@example.vn", email_verified=True)
    attackers_callback = provider_answer(authorize_url_of(Client()), "attacker")
    authorize_url_of(client)  # the victim has a sign-in of their own going on
    assert_refused_and_nothing_changed(client, come_back(client, attackers_callback), users_before=0)


@pytest.mark.django_db
def test_a_callback_replayed_is_refused(client, configured, commune):
    configured.user_set("citizen-9", email="c9@example.vn", email_verified=True)
    callback = provider_answer(authorize_url_of(client), "citizen-9")
    assert come_back(client, callback)["Location"] == SIGNUP
    assert come_back(client, callback).status_code == 403


@pytest.mark.django_db
def test_an_id_token_with_another_nonce_is_refused(client, configured, commune):
    # The provider echoes the nonce of the authorization request into the ID token: an ID token
    # made for another sign-in (another nonce) comes back to this browser's state.
    owner = learner_make(commune=commune, email="nguyen.an@example.vn")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    configured.user_set("citizen-10", email=owner.email, email_verified=True)
    authorize = authorize_url_of(client)
    other_nonce = authorize_url_of(Client()).split("nonce=")[1].split("&")[0]
    callback = provider_answer(with_query(authorize, nonce=other_nonce), "citizen-10")
    assert_refused_and_nothing_changed(client, come_back(client, callback), users_before=1)
    assert len(configured.token_requests) == 1  # refused after the exchange, on the ID token


@pytest.mark.django_db
def test_an_authorization_request_without_nonce_gets_no_sign_in(client, configured):
    configured.user_set("citizen-11", email="c11@example.vn", email_verified=True)
    authorize = urlsplit(authorize_url_of(client))
    query = {key: values[0] for key, values in parse_qs(authorize.query).items() if key != "nonce"}
    # This provider (like VNeID's must) refuses it; a provider that did not would issue an ID token
    # without a nonce, which the tests above show is refused too.
    response = httpx.post(urlunsplit(authorize._replace(query=urlencode(query))), data={"sub": "citizen-11"})
    assert "nonce" in response.text.lower() or "error=" in response.headers.get("location", "")


# --- The linked identities of an account ----------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_in_learner_links_the_provider_and_removes_the_link(client, configured, commune):
    learner = learner_make(commune=commune, email="nguyen.an@example.vn")
    client.force_login(learner)
    page = client.get("/accounts/3rdparty/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Liên kết VNeID với tài khoản này" in html and f'action="{LOGIN}?process=connect"' in html

    # Linking asks the provider, whatever it says about the email: the person is signed in already.
    configured.user_set("citizen-13", email="another.address@example.vn", email_verified=False)
    authorize = urlsplit(client.post(LOGIN + "?process=connect")["Location"])
    come_back(client, provider_answer(urlunsplit(authorize), "citizen-13"))
    link = SocialAccount.objects.get(uid="citizen-13")
    assert link.user == learner

    page = client.get("/accounts/3rdparty/").content.decode()
    assert "VNeID" in page and f'value="{link.pk}"' in page
    assert client.post("/accounts/3rdparty/", {"account": link.pk}).status_code == 302
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_the_only_way_in_of_an_account_without_password_cannot_be_removed(client, configured, commune):
    configured.user_set("citizen-14", email="c14@example.vn", email_verified=True, name="Lý Thị Mai")
    sign_in_through_provider(client, "citizen-14")
    answers = {"full_name": "Lý Thị Mai", "email": "c14@example.vn", "audience_group": "public"}
    client.post(SIGNUP, answers | {"province": "46", "commune": commune.code})
    link = SocialAccount.objects.get(uid="citizen-14")
    refused = client.post("/accounts/3rdparty/", {"account": link.pk})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert SocialAccount.objects.filter(pk=link.pk).exists()


@pytest.mark.django_db
def test_linking_an_identity_whose_number_another_account_verified_links_it_to_oneself(client, configured, commune):
    other = phone_account_make(verified=True)
    learner = learner_make(commune=commune, email="nguyen.an@example.vn")
    client.force_login(learner)
    configured.user_set("citizen-15", phone_number=PHONE, phone_number_verified=True)
    authorize = client.post(LOGIN + "?process=connect")["Location"]
    come_back(client, provider_answer(authorize, "citizen-15"))
    assert SocialAccount.objects.get(uid="citizen-15").user == learner
    assert not SocialAccount.objects.filter(user=other).exists()
