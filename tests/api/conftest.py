"""Fixtures of the API's tests: one key of each kind, a client that sends a key, and in-person days."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey
from api.services.keys import api_key_create, api_key_revoke
from courses.models import Partner
from tests.api.writes import run_make
from tests.factories import day_make


@pytest.fixture
def partner(admin_units) -> Partner:
    return Partner.objects.create(name="Bưu điện Việt Nam", kind=Partner.Kind.POSTAL)


@pytest.fixture
def keys(admin_hanoi, admin_hue, ministry_staff, partner, province_hanoi, province_hue) -> dict[str, str]:
    """The plain text of a key of each kind, and of an expired and a revoked key (both Hà Nội's)."""
    hanoi = {"by": admin_hanoi, "kind": "province", "valid_days": 30, "province": province_hanoi}
    made = {
        "province_a": api_key_create(name="HR Hà Nội", **hanoi),
        "province_b": api_key_create(
            by=admin_hue, name="HR Huế", kind="province", valid_days=30, province=province_hue
        ),
        "partner": api_key_create(by=ministry_staff, name="Bưu điện", kind="partner", valid_days=30, partner=partner),
        "ministry": api_key_create(by=ministry_staff, name="Bộ", kind="ministry", valid_days=30),
        "expired": api_key_create(name="Cũ", **hanoi),
        "revoked": api_key_create(name="Thu hồi", **hanoi),
    }
    ApiKey.objects.filter(id=made["expired"][0].id).update(expires_at=timezone.now() - timedelta(seconds=1))
    api_key_revoke(by=admin_hanoi, key=made["revoked"][0])
    return {name: plain for name, (_key, plain) in made.items()}


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def with_key(client: APIClient, plain: str | None) -> APIClient:
    """The client sends this key from now on (None: no Authorization header)."""
    if plain is None:
        client.credentials()
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.fixture
def days(province_hanoi, province_hue, commune_hanoi, commune_hue, admin_hanoi, admin_hue, partner) -> dict:
    """A Hà Nội day the partner runs (check-in open), a Huế day without it (open too), and a national
    course's day held in Hà Nội in three days."""
    return {
        "hanoi": day_make(
            run_make(province=province_hanoi, title="Hà Nội"), commune_hanoi, admin_hanoi, partners=[partner]
        ),
        "hue": day_make(run_make(province=province_hue, title="Huế"), commune_hue, admin_hue),
        "national_in_hanoi": day_make(
            run_make(title="Toàn quốc"), commune_hanoi, admin_hanoi, starts_in=timedelta(days=3)
        ),
    }
