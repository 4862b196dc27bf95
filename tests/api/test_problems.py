"""Every error of the API is an RFC 9457 problem, in English or Vietnamese (the default)."""

import pytest
from django.urls import reverse

from tests.api.conftest import with_key

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"/api/problems/{kind}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


# (what is done, status, kind, English title, Vietnamese title)
CASES = [
    ("missing_route", 404, "not-found", "Not found", "Không tìm thấy"),
    ("missing_course", 404, "not-found", "Not found", "Không tìm thấy"),
    ("no_key", 401, "not-authenticated", "Authentication required", "Cần xác thực"),
    ("expired_key", 401, "key-expired", "API key expired", "Khóa API đã hết hạn"),
    ("revoked_key", 401, "key-revoked", "API key revoked", "Khóa API đã bị thu hồi"),
    ("wrong_key", 401, "key-invalid", "Invalid API key", "Khóa API không hợp lệ"),
    ("wrong_method", 405, "method-not-allowed", "Method not allowed", "Phương thức không được phép"),
    ("bad_filter", 400, "invalid-request", "The request is not valid", "Yêu cầu không hợp lệ"),
    ("session_write_without_csrf", 403, "csrf-failed", "CSRF check failed", "Kiểm tra CSRF không thành công"),
]


def do(case: str, api_client, keys, learner) -> object:
    get = api_client.get
    match case:
        case "missing_route":
            return with_key(api_client, keys["province_a"]).get("/api/v2/courses/")
        case "missing_course":
            return with_key(api_client, keys["province_a"]).get(reverse("api:course_detail", args=["khong-co"]))
        case "no_key":
            return get(reverse("api:course_list"))
        case "expired_key":
            return with_key(api_client, keys["expired"]).get(reverse("api:course_list"))
        case "revoked_key":
            return with_key(api_client, keys["revoked"]).get(reverse("api:course_list"))
        case "wrong_key":
            return with_key(api_client, "ot_0123456789ab_" + "x" * 43).get(reverse("api:course_list"))
        case "wrong_method":
            return with_key(api_client, keys["province_a"]).delete(reverse("api:course_list"))
        case "bad_filter":
            return with_key(api_client, keys["province_a"]).get(reverse("api:course_list"), {"audience": "aliens"})
        case "session_write_without_csrf":
            api_client.handler.enforce_csrf_checks = True
            api_client.force_login(learner)
            return api_client.post(reverse("api:course_list"), {}, format="json")
    raise AssertionError(case)


@pytest.mark.parametrize(("case", "status", "kind", "english", "vietnamese"), CASES)
@pytest.mark.parametrize("language", ["en", "vi", None])
def test_each_error_is_a_problem_in_the_requesters_language(
    api_client, keys, learner_hanoi, case, status, kind, english, vietnamese, language
):
    if language:
        api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    body = assert_problem(do(case, api_client, keys, learner_hanoi), status, kind)
    assert body["title"] == (english if language == "en" else vietnamese)


def test_a_405_names_the_methods_allowed(api_client, keys):
    response = with_key(api_client, keys["province_a"]).post(reverse("api:course_list"), {}, format="json")
    assert_problem(response, 405, "method-not-allowed")
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_a_post_to_an_address_that_does_not_exist_is_the_404_problem(api_client, keys):
    """Not Django's HTML page of a CSRF failure: a day id that is not a number names no day."""
    api_client.handler.enforce_csrf_checks = True
    response = with_key(api_client, keys["ministry"]).post("/api/v1/days/true/attendance/", {}, format="json")
    assert_problem(response, 404, "not-found")


def test_invalid_filters_name_each_parameter(api_client, keys):
    response = with_key(api_client, keys["province_a"]).get(
        reverse("api:course_list"), {"audience": "aliens", "sort": "random"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    body = assert_problem(response, 400, "invalid-request")
    assert {error["parameter"] for error in body["errors"]} == {"audience", "sort"}
    assert all(error["detail"] for error in body["errors"])


@pytest.mark.urls("tests.api.urls_echo")
class TestBodies:
    def test_malformed_json(self, api_client, keys):
        response = with_key(api_client, keys["province_a"]).post(
            "/api/v1/echo/", b'{"email": "a@b.vn",', content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
        body = assert_problem(response, 400, "malformed-json")
        assert body["title"] == "The body is not valid JSON"

    def test_malformed_json_in_vietnamese(self, api_client, keys):
        response = with_key(api_client, keys["province_a"]).post(
            "/api/v1/echo/", b"{nope", content_type="application/json"
        )
        assert assert_problem(response, 400, "malformed-json")["title"] == "Nội dung gửi lên không phải JSON hợp lệ"

    def test_not_json(self, api_client, keys):
        response = with_key(api_client, keys["province_a"]).post(
            "/api/v1/echo/", b"email=a", content_type="application/x-www-form-urlencoded"
        )
        assert_problem(response, 415, "unsupported-media-type")

    @pytest.mark.parametrize("language", ["en", "vi"])
    def test_unknown_fields_and_wrong_types_are_named(self, api_client, keys, language):
        response = with_key(api_client, keys["province_a"]).post(
            "/api/v1/echo/",
            {"email": "a@b.vn", "count": "many", "emial": "typo"},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        body = assert_problem(response, 400, "invalid-request")
        assert [error["pointer"] for error in body["errors"]] == ["#/emial"]
        assert body["errors"][0]["detail"] == {"en": "Unknown field.", "vi": "Trường không xác định."}[language]

    def test_wrong_types_are_named_with_a_pointer(self, api_client, keys):
        response = with_key(api_client, keys["province_a"]).post(
            "/api/v1/echo/", {"email": "not-an-email", "count": "many"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        body = assert_problem(response, 400, "invalid-request")
        assert {error["pointer"] for error in body["errors"]} == {"#/email", "#/count"}

    def test_a_valid_body_passes(self, api_client, keys):
        response = with_key(api_client, keys["province_a"]).post(
            "/api/v1/echo/", {"email": "a@b.vn", "count": 2}, format="json"
        )
        assert response.status_code == 200
        assert response.json() == {"email": "a@b.vn", "count": 2}


@pytest.mark.urls("tests.api.urls_echo")
@pytest.mark.parametrize(("language", "title"), [("en", "Server error"), ("vi", "Lỗi máy chủ")])
def test_an_unexpected_error_is_a_logged_500_problem(keys, caplog, language, title):
    from rest_framework.test import APIClient

    client = with_key(APIClient(raise_request_exception=False), keys["province_a"])
    response = client.get("/api/v1/broken/", HTTP_ACCEPT_LANGUAGE=language)
    body = assert_problem(response, 500, "server-error")
    assert body["title"] == title and "a bug" not in body["detail"]
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.urls("tests.api.urls_echo")
def test_djangos_own_permission_denied_is_a_403_problem(api_client, keys):
    """A selector or service may raise Django's PermissionDenied rather than DRF's: the same problem."""
    response = with_key(api_client, keys["province_a"]).get("/api/v1/refusing/")
    assert_problem(response, 403, "permission-denied")
