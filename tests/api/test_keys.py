"""API keys: only a digest is kept, the plain key is shown once, and the studio's key pages are scoped."""

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import timezone

from api.models import ApiKey
from api.pure.keys import key_prefix
from api.services.keys import api_key_create, api_key_revoke
from api.urls.studio import urlpatterns as studio_urlpatterns
from tests.api.conftest import with_key

pytestmark = pytest.mark.django_db


def table_dump(table: str) -> str:
    """The table as PostgreSQL writes it out (COPY), in this test's transaction."""
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} TO STDOUT", buffer)  # The table name is ours, not input.
    return buffer.getvalue()


def test_the_plain_key_is_nowhere_in_the_database(admin_hanoi, province_hanoi):
    key, plain = api_key_create(by=admin_hanoi, name="HR", kind="province", valid_days=30, province=province_hanoi)
    secret = plain.removeprefix(key.prefix + "_")
    key.refresh_from_db()
    text_columns = [
        field.attname
        for field in ApiKey._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
    ]
    values = ApiKey.objects.filter(id=key.id).values_list(*text_columns).get()
    assert not any(secret in str(value) or plain in str(value) for value in values)
    dump = table_dump(ApiKey._meta.db_table)
    assert key.prefix in dump  # The dump is the table's, this key's row in it.
    assert secret not in dump and plain not in dump
    assert key.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert key_prefix(plain) == key.prefix


def test_a_key_with_a_known_prefix_and_a_wrong_secret_is_refused(api_client, keys):
    forged = keys["province_a"][:-4] + "AAAA"
    response = with_key(api_client, forged).get(reverse("api:course_list"))
    assert response.status_code == 401
    assert response.json()["type"] == "/api/problems/key-invalid"


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer ot_nothexdigits_x", "Bearer " + "x" * 60])
def test_malformed_keys_answer_401(api_client, header, keys):
    response = api_client.get(reverse("api:course_list"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_using_a_key_notes_when_it_was_last_used(api_client, keys):
    key = ApiKey.objects.get(name="HR Hà Nội")
    assert key.last_used_at is None
    with_key(api_client, keys["province_a"]).get(reverse("api:course_list"))
    key.refresh_from_db()
    assert key.last_used_at is not None
    first = key.last_used_at
    with_key(api_client, keys["province_a"]).get(reverse("api:course_list"))
    key.refresh_from_db()
    assert key.last_used_at == first  # Within a minute: not written again.


# --- The studio's pages ----------------------------------------------------------------------------

STUDIO_KEY_URLS = [("list", "get"), ("create", "get"), ("revoke", "post")]


def studio_key_url(name: str, key: ApiKey) -> str:
    return reverse(f"api_keys:{name}", args=[key.id] if name == "revoke" else [])


def test_every_studio_key_url_is_in_the_table():
    assert {p.name for p in studio_urlpatterns if isinstance(p, URLPattern)} == {name for name, _ in STUDIO_KEY_URLS}


@pytest.mark.parametrize("person", ["learner_hue", "partner_trainer"])
@pytest.mark.parametrize(("name", "method"), STUDIO_KEY_URLS)
def test_learners_and_partner_trainers_are_forbidden_the_key_pages(client, request, keys, person, name, method):
    client.force_login(request.getfixturevalue(person))
    key = ApiKey.objects.get(name="HR Hà Nội")
    response = getattr(client, method)(studio_key_url(name, key))
    assert response.status_code == 403
    assert ApiKey.objects.get(id=key.id).revoked_at is None


def test_a_provincial_admin_makes_a_key_of_their_province_and_sees_it_once(client, admin_hanoi, province_hanoi):
    client.force_login(admin_hanoi)
    form = client.get(reverse("api_keys:create"))
    assert "kind" not in form.context["form"].fields  # Nothing to choose: their province's key.
    response = client.post(reverse("api_keys:create"), {"name": "Hệ thống nhân sự", "valid_days": 90})
    assert response.status_code == 200
    plain = response.context["plain"]
    assert plain in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    key = ApiKey.objects.get()
    assert (key.kind, key.province, key.created_by) == ("province", province_hanoi, admin_hanoi)
    assert (key.expires_at - timezone.now()).days in (89, 90)
    listing = client.get(reverse("api_keys:list")).content.decode()
    assert key.prefix in listing and plain not in listing


def test_a_provincial_admin_sees_and_revokes_only_their_provinces_keys(client, keys, admin_hanoi, admin_hue):
    hanoi_key = ApiKey.objects.get(name="HR Hà Nội")
    hue_key = ApiKey.objects.get(name="HR Huế")
    client.force_login(admin_hue)
    listing = client.get(reverse("api_keys:list")).content.decode()
    assert hue_key.prefix in listing and hanoi_key.prefix not in listing
    # Another province's key, a partner's and the ministry's: 404 like a key that does not exist.
    for key in ApiKey.objects.exclude(province=hue_key.province):
        assert client.post(reverse("api_keys:revoke", args=[key.id])).status_code == 404
    assert client.post(reverse("api_keys:revoke", args=[999_999])).status_code == 404
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exclude(name="Thu hồi").exists()

    assert client.post(reverse("api_keys:revoke", args=[hue_key.id])).status_code == 302
    hue_key.refresh_from_db()
    assert (hue_key.revoked_at is not None, hue_key.revoked_by) == (True, admin_hue)


def test_a_revoked_key_answers_401_from_the_next_request(api_client, client, keys, admin_hanoi):
    with_key(api_client, keys["province_a"])
    assert api_client.get(reverse("api:course_list")).status_code == 200
    client.force_login(admin_hanoi)
    client.post(reverse("api_keys:revoke", args=[ApiKey.objects.get(name="HR Hà Nội").id]))
    response = api_client.get(reverse("api:course_list"))
    assert response.status_code == 401
    assert response.json()["type"] == "/api/problems/key-revoked"


def test_ministry_staff_make_keys_of_every_kind_and_see_them_all(client, keys, ministry_staff, partner):
    client.force_login(ministry_staff)
    response = client.post(
        reverse("api_keys:create"), {"name": "Đối tác", "valid_days": 30, "kind": "partner", "partner": partner.id}
    )
    assert response.status_code == 200
    assert ApiKey.objects.filter(name="Đối tác", kind="partner", partner=partner).exists()
    listing = client.get(reverse("api_keys:list")).content.decode()
    assert all(key.prefix in listing for key in ApiKey.objects.all())


def test_a_partner_key_without_its_partner_is_refused(client, ministry_staff):
    client.force_login(ministry_staff)
    response = client.post(reverse("api_keys:create"), {"name": "Đối tác", "valid_days": 30, "kind": "partner"})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_a_provincial_admin_cannot_make_another_kind_of_key(admin_hanoi, province_hue, messages_in_english):
    with pytest.raises(ValidationError):
        api_key_create(by=admin_hanoi, name="x", kind="ministry", valid_days=30)
    with pytest.raises(ValidationError):
        api_key_create(by=admin_hanoi, name="x", kind="province", valid_days=30, province=province_hue)
    assert not ApiKey.objects.exists()


def test_the_back_office_lists_keys_without_digests_and_revokes_them(back_office, keys):
    response = back_office.get(reverse("admin:api_apikey_changelist"))
    assert response.status_code == 200
    key = ApiKey.objects.get(name="HR Huế")
    assert key.prefix in response.content.decode() and key.key_hash not in response.content.decode()
    back_office.post(
        reverse("admin:api_apikey_changelist"), {"action": "revoke", "_selected_action": [key.id]}, follow=True
    )
    key.refresh_from_db()
    assert key.revoked_at is not None


def studio_list_statements(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("api_keys:list")).status_code == 200
    return len(queries)


def test_the_key_list_reads_the_same_number_of_statements_at_two_sizes(
    client, ministry_staff, partner, province_hue, django_assert_max_num_queries
):
    client.force_login(ministry_staff)

    def make(count: int) -> None:
        for number in range(count):
            api_key_create(by=ministry_staff, name=f"P{number}", kind="partner", valid_days=30, partner=partner)
            key, _plain = api_key_create(
                by=ministry_staff, name=f"H{number}", kind="province", valid_days=30, province=province_hue
            )
            api_key_revoke(by=ministry_staff, key=key)

    make(2)
    small = studio_list_statements(client)
    make(20)
    with django_assert_max_num_queries(small):
        large = studio_list_statements(client)
    assert large == small
