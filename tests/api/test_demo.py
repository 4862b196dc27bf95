"""The demo's API key: made through the key service for the Hà Nội admin, it reads Hà Nội's courses; a new
start of the demo revokes the key printed before."""

import pytest
from django.core.management import call_command

from api.demo.keys import DEMO_KEY_NAME, demo_api_key_make
from api.models import ApiKey
from courses.demo.catalogue import demo_catalogue_load
from learners.demo.accounts import demo_accounts_load
from tests.api.conftest import with_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded(admin_units):
    demo_catalogue_load(with_media=False)
    demo_accounts_load()


def test_the_demo_key_reads_as_the_hanoi_province_and_is_kept_only_as_a_digest(demo_loaded, api_client):
    plain = demo_api_key_make()

    key = ApiKey.objects.get(name=DEMO_KEY_NAME)
    assert (key.kind, key.province.code, key.created_by.email) == ("province", "01", "quantri.hanoi@demo.onetouch.vn")
    assert plain not in {key.prefix, key.key_hash}
    courses = with_key(api_client, plain).get("/api/v1/courses/", {"province": "01"})
    assert courses.status_code == 200
    assert "chuyen-doi-so-xa-ha-noi" in {course["slug"] for course in courses.json()["results"]}


def test_starting_the_demo_again_revokes_the_key_printed_before(demo_loaded, api_client, capsys):
    first = demo_api_key_make()
    call_command("load_demo_api_key")

    printed = capsys.readouterr().out
    second = printed.split("Bearer ")[1].split("'")[0]
    assert second != first
    assert "/api/docs/" in printed
    assert with_key(api_client, first).get("/api/v1/courses/").status_code == 401
    assert with_key(api_client, second).get("/api/v1/courses/").status_code == 200
    assert ApiKey.objects.filter(name=DEMO_KEY_NAME, revoked_at__isnull=True).count() == 1
