"""A learner's own endpoints (/api/v1/me/…) and the app's sign-in through allauth's headless API.

The app signs in at /_allauth/app/v1/auth/login with the login page's email or mobile number and
password, gets a session token, and sends it as X-Session-Token (docs/decisions/0038). Everything
here runs through Django's test client against the real database and Redis.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from courses.models import Lesson
from courses.services.catalogue import course_run_create
from learners.models import Enrolment, LearnerProfile, LearningEvent
from learners.services.enrolments import enrolment_cancel, enrolment_create
from learners.services.progress import lesson_complete, lesson_progress_open
from onetouch.models import Commune, Session, User
from tests.api.conftest import with_key
from tests.api.test_completions import complete
from tests.factories import course_make, lesson_make
from tests.onetouch.oidc_provider import CLIENT_ID, PROVIDER_ID, provider_configure, provider_running

pytestmark = pytest.mark.django_db

LOGIN = "/_allauth/app/v1/auth/login"
SESSION = "/_allauth/app/v1/auth/session"
SIGNUP = "/_allauth/app/v1/auth/signup"
ME = "/api/v1/me/"
MY_ENROLMENTS = "/api/v1/me/enrolments/"
PASSWORD = "mat-khau-dai-123"  # tests.factories.learner_make's


def app_sign_in(client, **credentials):
    """POST the credentials to the app's login, as the mobile app does."""
    return client.post(LOGIN, credentials, format="json")


def session_token(client, **credentials) -> str:
    response = app_sign_in(client, **credentials)
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def with_token(token: str | None) -> APIClient:
    """A fresh client (no cookies) that sends the app's session token."""
    client = APIClient()
    if token:
        client.credentials(HTTP_X_SESSION_TOKEN=token)
    return client


@pytest.fixture
def app_token(api_client, learner_hanoi) -> str:
    return session_token(api_client, email=learner_hanoi.email, password=PASSWORD)


# --- Signing in through the app ---------------------------------------------------------------


def test_the_app_signs_in_with_a_password_and_reads_its_own_enrolments_only(api_client, learner_hanoi, learner_hue):
    """Learner A's token lists A's enrolments, and B's token B's: never the other's."""
    mine = enrolment_create(learner=learner_hanoi, course=course_make(title="Kỹ năng số"))
    theirs = enrolment_create(learner=learner_hue, course=course_make(title="Du lịch số"))
    token_a = session_token(api_client, email=learner_hanoi.email, password=PASSWORD)
    token_b = session_token(APIClient(), email=learner_hue.email, password=PASSWORD)

    as_a = with_token(token_a).get(MY_ENROLMENTS)
    as_b = with_token(token_b).get(MY_ENROLMENTS)

    assert as_a.status_code == as_b.status_code == 200
    assert [row["id"] for row in as_a.json()["results"]] == [mine.id]
    assert [row["id"] for row in as_b.json()["results"]] == [theirs.id]
    assert with_token(token_a).get(ME).json()["id"] == learner_hanoi.id


def test_the_email_is_matched_in_any_case(api_client, learner_hanoi):
    assert session_token(api_client, email=learner_hanoi.email.upper(), password=PASSWORD)


def test_a_wrong_password_gives_no_token_and_no_session(api_client, learner_hanoi):
    sessions_before = Session.objects.count()

    response = app_sign_in(api_client, email=learner_hanoi.email, password="sai-mat-khau-1")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "email_password_mismatch"
    assert "session_token" not in response.content.decode()
    assert Session.objects.count() == sessions_before


def test_the_apps_sign_in_answers_in_the_language_of_accept_language(api_client, learner_hanoi):
    """The app says its learner's language as the API's scripts do; Vietnamese by default."""
    wrong = {"email": learner_hanoi.email, "password": "sai-mat-khau-1"}

    english = api_client.post(LOGIN, wrong, format="json", HTTP_ACCEPT_LANGUAGE="en")
    default = api_client.post(LOGIN, wrong, format="json")

    assert english.json()["errors"][0]["message"] == "The email address and/or password you specified are not correct."
    assert default.json()["errors"][0]["message"] != english.json()["errors"][0]["message"]


def test_the_app_signs_in_with_a_verified_mobile_number(api_client, learner_hanoi):
    """A mobile number signs in as on the login page; the app sends it as E.164 (+84…)."""
    User.objects.filter(id=learner_hanoi.id).update(phone="+84912345678", phone_verified=True)

    token = session_token(api_client, phone="+84912345678", password=PASSWORD)

    assert with_token(token).get(ME).json()["phone"] == "+84912345678"


def test_a_sign_in_still_waiting_for_the_phone_code_opens_nothing(api_client, learner_hanoi):
    """An unverified number gets the page's code by SMS first: allauth hands the app a token to finish
    that step with, and that token is no signed-in session for the API."""
    User.objects.filter(id=learner_hanoi.id).update(phone="+84912345678", phone_verified=False)

    response = app_sign_in(api_client, phone="+84912345678", password=PASSWORD)

    assert response.status_code == 401
    assert {"id": "verify_phone", "is_pending": True} in response.json()["data"]["flows"]
    pending = with_token(response.json()["meta"]["session_token"]).get(ME)
    assert pending.status_code == 401
    assert pending.json()["type"] == "/api/problems/session-invalid"


def test_the_app_sends_a_mobile_number_in_e164_and_a_local_one_is_a_precise_error(api_client, learner_hanoi):
    """allauth's app login takes numbers as E.164 only (the login page also reads 09…): a clear 400, no token."""
    User.objects.filter(id=learner_hanoi.id).update(phone="+84912345678", phone_verified=True)

    response = app_sign_in(api_client, phone="0912345678", password=PASSWORD)

    assert response.status_code == 400
    assert response.json()["errors"][0] | {"message": ""} == {"code": "invalid_phone", "param": "phone", "message": ""}


def test_failed_sign_ins_through_the_app_count_as_the_login_pages_do(api_client, learner_hanoi):
    """After five wrong passwords (onetouch.throttles, login_failed_account_address) even the right one
    is paused, through the app as on the page: the app is no way around the limit."""
    for _attempt in range(5):
        assert app_sign_in(api_client, email=learner_hanoi.email, password="sai-mat-khau-1").status_code == 400

    response = app_sign_in(api_client, email=learner_hanoi.email, password=PASSWORD)

    assert response.status_code == 400
    assert "session_token" not in response.content.decode()
    assert response.json()["errors"][0]["code"] == "too_many_login_attempts"


def test_an_inactive_account_gets_no_token(api_client, learner_hanoi):
    """An account not yet activated (a roster's invitation) cannot sign in through the app either."""
    User.objects.filter(id=learner_hanoi.id).update(is_active=False)

    response = app_sign_in(api_client, email=learner_hanoi.email, password=PASSWORD)

    assert "session_token" not in response.content.decode()
    assert response.status_code != 200


def test_signing_out_ends_the_token(app_token):
    """DELETE of the app's session ends it: the token then answers the session-invalid problem."""
    assert with_token(app_token).get(ME).status_code == 200

    with_token(app_token).delete(SESSION)
    response = with_token(app_token).get(ME)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/problems/session-invalid"


def test_a_made_up_token_is_the_session_invalid_problem_in_english(learner_hanoi):
    response = with_token("khong-phai-ma-that").get(ME, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert response.json()["type"] == "/api/problems/session-invalid"
    assert response.json()["detail"] == "Your session is not valid: sign in again."


def test_a_changed_password_ends_the_token(app_token, learner_hanoi):
    """A token is a session: a new password ends it as it ends the browsers' sessions."""
    learner_hanoi.set_password("mat-khau-moi-456")
    learner_hanoi.save()

    assert with_token(app_token).get(ME).status_code == 401


# --- Signing up through the app ---------------------------------------------------------------


@pytest.fixture
def hue_commune(admin_units) -> Commune:
    return Commune.objects.get(code="19786")  # Phường Thuận Hóa, Huế


def signup_body(place: Commune, **changes) -> dict:
    return {
        "email": "lan.nguyen@example.vn",
        "password": "mot-mat-khau-dai-789",
        "full_name": "Nguyễn Thị Lan",
        "audience_group": "digital_team",
        "province": place.province.code,
        "commune": place.code,
    } | changes


def test_signing_up_through_the_app_asks_the_web_sign_ups_profile_questions(api_client, hue_commune):
    """The same form as the page (ACCOUNT_SIGNUP_FORM_CLASS): the answers make the learner's profile."""
    response = api_client.post(SIGNUP, signup_body(hue_commune), format="json")

    assert response.status_code == 200, response.content
    profile = LearnerProfile.objects.select_related("user").get(user__email="lan.nguyen@example.vn")
    assert (profile.user.full_name, profile.audience_group, profile.commune_id) == (
        "Nguyễn Thị Lan",
        "digital_team",
        hue_commune.id,
    )
    token = response.json()["meta"]["session_token"]
    assert with_token(token).get(ME).json()["profile"]["commune"]["code"] == hue_commune.code


def test_a_password_like_the_email_is_refused_in_the_app_as_on_the_page(client, api_client, hue_commune):
    """The password validators see the email in both sign-ups (UserAttributeSimilarityValidator)."""
    body = signup_body(hue_commune, email="lan.nguyen.thi@example.vn", password="lan.nguyen.thi")
    page_body = body | {"password1": body["password"], "password2": body["password"], "password": ""}

    app = api_client.post(SIGNUP, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    page = client.post("/accounts/signup/", {key: value for key, value in page_body.items() if value})

    assert app.status_code == 400
    assert [error["param"] for error in app.json()["errors"]] == ["password"]
    assert "too similar" in app.json()["errors"][0]["message"]
    assert page.status_code == 200  # the form again, with its error
    assert "password1" in page.context["form"].errors
    assert not User.objects.filter(email="lan.nguyen.thi@example.vn").exists()


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"province": None, "commune": None}, "province"),
        ({"audience_group": ""}, "audience_group"),
        ({"commune": "00070"}, "commune"),  # Hoàn Kiếm is in Hà Nội, not in Huế
    ],
)
def test_signing_up_through_the_app_without_the_profile_creates_nobody(api_client, hue_commune, changes, param):
    body = {key: value for key, value in signup_body(hue_commune, **changes).items() if value is not None}
    users_before = User.objects.count()

    response = api_client.post(SIGNUP, body, format="json")

    assert response.status_code == 400
    assert param in {error.get("param") for error in response.json()["errors"]}
    assert User.objects.count() == users_before


# --- Who may call /me/ ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["province_a", "ministry", "partner"])
@pytest.mark.parametrize("method", ["get_me", "get_enrolments", "post_enrolment"])
def test_an_api_key_gets_the_learner_only_problem(api_client, keys, kind, method):
    """A key stands for no one: these endpoints answer 403 saying they are a learner's own, and write nothing."""
    client = with_key(api_client, keys[kind])
    course = course_make()
    calls = {
        "get_me": lambda: client.get(ME, HTTP_ACCEPT_LANGUAGE="en"),
        "get_enrolments": lambda: client.get(MY_ENROLMENTS, HTTP_ACCEPT_LANGUAGE="en"),
        "post_enrolment": lambda: client.post(
            MY_ENROLMENTS, {"course": course.slug}, format="json", HTTP_IDEMPOTENCY_KEY="k-1", HTTP_ACCEPT_LANGUAGE="en"
        ),
    }

    response = calls[method]()

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/problems/learner-only"
    assert "sign in" in response.json()["detail"]
    assert Enrolment.objects.count() == 0


def test_without_credentials_me_is_the_not_authenticated_problem(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["type"] == "/api/problems/not-authenticated"


# --- What /me/ answers ------------------------------------------------------------------------


def test_me_answers_the_profile_pages_fields(app_token, learner_hanoi):
    User.objects.filter(id=learner_hanoi.id).update(phone="+84912345678", phone_verified=True)
    LearnerProfile.objects.filter(user=learner_hanoi).update(organisation="UBND phường", position="Chuyên viên")

    body = with_token(app_token).get(ME, HTTP_ACCEPT_LANGUAGE="en").json()

    assert body == {
        "id": learner_hanoi.id,
        "full_name": "Nguyễn Văn An",
        "email": "learner.hanoi@example.vn",
        "phone": "+84912345678",
        "phone_verified": True,
        "profile": {
            "audience_group": {"value": "public", "label": "General public"},
            "province": {"code": "01", "name": learner_hanoi.profile.province.name},
            "commune": {"code": "00070", "name": learner_hanoi.profile.commune.name},
            "organisation": "UBND phường",
            "position": "Chuyên viên",
        },
    }


def test_my_enrolments_answer_progress_completion_and_certificate(app_token, learner_hanoi):
    """As My learning shows them: progress of the required lessons, the next lesson, the certificate."""
    course = course_make(title="Chuyển đổi số")
    first = lesson_make(course=course, kind=Lesson.Kind.TEXT, title="Bài 1")
    second = lesson_make(course=course, kind=Lesson.Kind.TEXT, title="Bài 2", module=first.module)
    enrolment = enrolment_create(learner=learner_hanoi, course=course)
    introduction = Lesson.objects.get(module__course=course, is_required=False)  # course_make's, optional
    for lesson in (introduction, first):
        progress = lesson_progress_open(learner=learner_hanoi, lesson=lesson)
        lesson_complete(progress_id=progress.id, enrolment_id=enrolment.id, lesson_id=lesson.id)
    finished = complete(learner_hanoi, course_make(title="An toàn mạng"))

    rows = {row["course"]["title"]: row for row in with_token(app_token).get(MY_ENROLMENTS).json()["results"]}

    learning = rows["Chuyển đổi số"]
    assert (learning["progress_percent"], learning["required_lessons"], learning["done_lessons"]) == (50, 2, 1)
    assert learning["next_lesson"] == {"id": second.id, "title": "Bài 2"}
    assert (learning["completed_at"], learning["certificate"]) == (None, None)
    done = rows["An toàn mạng"]
    code = finished.certificate.code
    assert done["completed_at"] is not None
    assert done["certificate"] == {
        "code": code,
        "revoked": False,
        "verify_url": f"http://testserver/certificates/{code}/",
    }


def test_a_left_course_is_not_listed(app_token, learner_hanoi):
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    enrolment_cancel(learner=learner_hanoi, course=course)

    assert with_token(app_token).get(MY_ENROLMENTS).json()["results"] == []


def enrolments_make(learner: User, count: int) -> list[int]:
    """Enrol the learner in `count` new courses, each with a run; their ids, newest first."""
    ids = []
    for _number in range(count):
        course = course_make()
        course_run_create(
            course=course, title="Đợt 1", starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(30)
        )
        lesson_make(course=course, kind=Lesson.Kind.TEXT)
        ids.append(enrolment_create(learner=learner, course=course).id)
    return ids[::-1]


@pytest.mark.parametrize("count", [1, 8, 30])
def test_my_enrolments_read_a_bounded_number_of_statements(
    app_token, learner_hanoi, django_assert_max_num_queries, count
):
    """Five statements for 1, 8 or 30 courses: the session, its account, the page, and the outlines at once."""
    enrolments_make(learner_hanoi, count)
    client = with_token(app_token)

    with django_assert_max_num_queries(5):
        response = client.get(MY_ENROLMENTS, {"page_size": 100})

    assert len(response.json()["results"]) == count


def test_the_cursor_pages_list_every_enrolment_once_newest_first(app_token, learner_hanoi):
    expected = enrolments_make(learner_hanoi, 7)
    client, seen, url = with_token(app_token), [], f"{MY_ENROLMENTS}?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    assert seen == expected


# --- Enrolling myself -------------------------------------------------------------------------


def enrol(client, slug: str, key: str = "enrol-1", **headers):
    return client.post(MY_ENROLMENTS, {"course": slug}, format="json", HTTP_IDEMPOTENCY_KEY=key, **headers)


def test_the_app_enrols_me_as_the_enrol_button_does_and_a_retry_changes_nothing(app_token, learner_hanoi):
    course = course_make(title="Kỹ năng số")
    client = with_token(app_token)

    first = enrol(client, course.slug)
    again = enrol(client, course.slug)

    assert first.status_code == again.status_code == 201
    assert first.json()["course"]["slug"] == course.slug
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    enrolment = Enrolment.objects.get(learner=learner_hanoi, course=course)
    assert first.json()["id"] == enrolment.id
    assert (
        LearningEvent.objects.filter(learner=learner_hanoi, course=course, kind=LearningEvent.Kind.ENROLLED).count()
        == 1
    )


def test_enrolling_again_with_a_new_key_keeps_one_enrolment(app_token, learner_hanoi):
    course = course_make()
    client = with_token(app_token)

    ids = {enrol(client, course.slug, key=f"enrol-{number}").json()["id"] for number in range(2)}

    assert len(ids) == 1
    assert Enrolment.objects.filter(learner=learner_hanoi, course=course).count() == 1


@pytest.mark.parametrize("target", ["draft", "missing"])
def test_a_draft_or_missing_course_is_not_found_and_nothing_is_written(app_token, province_hanoi, target):
    draft = course_make(title="Nháp", province=province_hanoi, is_published=False)
    slug = {"draft": draft.slug, "missing": "khong-co-khoa-hoc-nay"}[target]

    response = enrol(with_token(app_token), slug)

    assert response.status_code == 404
    assert response.json()["type"] == "/api/problems/not-found"
    assert Enrolment.objects.count() == 0


def test_a_course_whose_runs_ended_refuses_the_enrolment(app_token):
    course = course_make()
    today = timezone.localdate()
    course_run_create(course=course, title="Đợt cũ", starts_on=today - timedelta(60), ends_on=today - timedelta(30))

    response = enrol(with_token(app_token), course.slug, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"pointer": "#/course", "detail": "Every run of this course has ended; enrolment is closed."}
    ]
    assert Enrolment.objects.count() == 0


def test_enrolling_needs_an_idempotency_key(app_token):
    course = course_make()

    response = with_token(app_token).post(MY_ENROLMENTS, {"course": course.slug}, format="json")

    assert response.status_code == 400
    assert response.json()["type"] == "/api/problems/idempotency-key-missing"
    assert Enrolment.objects.count() == 0


def test_the_app_token_needs_no_csrf_token_but_a_browser_session_does(app_token, learner_hanoi):
    """X-Session-Token is never sent by a browser on its own: no CSRF token needed. The site's
    session cookie is, so a write with it still needs X-CSRFToken."""
    course = course_make()
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(learner_hanoi)

    refused = enrol(browser, course.slug, key="browser-1")

    assert refused.status_code == 403
    assert refused.json()["type"] == "/api/problems/csrf-failed"
    assert Enrolment.objects.count() == 0
    app = with_token(app_token)
    app.handler.enforce_csrf_checks = True
    assert enrol(app, course.slug, key="app-1").status_code == 201
    assert Enrolment.objects.filter(learner=learner_hanoi, course=course).count() == 1


# --- Signing in with the identity provider's token ----------------------------------------------


@pytest.fixture
def configured_provider(settings):
    """The real provider on 127.0.0.1 that tests/onetouch/test_oidc.py signs in through, configured."""
    with provider_running() as running:
        provider_configure(settings, running.issuer)
        yield running


def test_the_app_cannot_sign_in_by_handing_over_a_providers_token(api_client, configured_provider):
    """POST …/auth/provider/token is refused as not supported: an ID token there carries no nonce of
    ours (docs/decisions/0038). The provider itself is configured and answers the web's sign-in."""
    users_before = User.objects.count()
    body = {"provider": PROVIDER_ID, "process": "login", "token": {"client_id": CLIENT_ID, "id_token": "eyJ.x.y"}}

    response = api_client.post("/_allauth/app/v1/auth/provider/token", body, format="json")

    assert response.status_code == 400
    assert [error["code"] for error in response.json()["errors"]] == ["token_authentication_not_supported"]
    assert "session_token" not in response.content.decode()
    assert User.objects.count() == users_before
    # The web's button still starts a sign-in at the provider.
    web = APIClient().post(f"/accounts/oidc/{PROVIDER_ID}/login/")
    assert web.status_code == 302
    assert web["Location"].startswith(configured_provider.issuer)
