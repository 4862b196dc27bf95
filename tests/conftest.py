"""Shared fixtures: the official administrative units, one person per role and province."""

import pytest
from django.core.cache import cache
from django.db import connections

from onetouch.models import Commune, Province, User
from onetouch.services.admin_units import admin_units_load
from onetouch.services.staff_accounts import staff_account_create
from rosters.models import OldCommune
from rosters.services.addresses import address_mappings_load
from tests.factories import learner_make
from tests.postgres_wire import default_connection_counted

PASSWORD = "mat-khau-dai-123"


def pytest_collection_modifyitems(items):
    """Transactional tests may read through the "replica" alias too (onetouch.db_routers).

    Outside a transaction of the primary, dashboards and exports read through it: in the test
    settings it mirrors the primary's test database, and tests/reporting/test_replica.py points it
    at a real streaming replica. Tests inside a transaction (the plain `db`) never reach it.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        transactional = kwargs.get("transaction") or {"transactional_db", "live_server"} & set(item.fixturenames)
        if transactional and "databases" not in kwargs:
            kwargs.update(transaction=True, databases=["default", "replica"])
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the 34 provinces and 3,321 communes, and the pre-2025 communes mapped onto them
    (about 2 s), once into the test database."""
    with django_db_blocker.unblock():
        admin_units_load()
        address_mappings_load()
    yield
    # The "replica" alias's connection to the test database (a mirror) would keep it from being dropped.
    connections["replica"].close()


@pytest.fixture(autouse=True)
def clean_cache():
    """Each test starts with an empty cache (the real Redis, a database of its own)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files a test stores (the builders' lesson files too) go to a folder of its own, removed with it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def messages_in_english():
    """Service refusals are matched on their English text; the site's default language is Vietnamese."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def in_english(client, settings):
    """The test client has chosen English with the header's language switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def celery_worker_running(transactional_db):
    """A real Celery worker thread consuming every queue of the test Redis broker, emptied first."""
    from celery.contrib.testing.worker import start_worker

    from onetouch.celery import app
    from onetouch.queues import QUEUE_NAMES

    broker_queues_purge()
    with start_worker(
        app, pool="solo", queues=list(QUEUE_NAMES), perform_ping_check=False, shutdown_timeout=10
    ) as worker:
        yield worker


def broker_queues_purge() -> None:
    """Drop every message waiting in any queue of the test broker (other tests' jobs)."""
    from onetouch.celery import app
    from onetouch.queues import QUEUE_NAMES

    with app.connection_for_write() as connection:
        for name in QUEUE_NAMES:
            connection.default_channel.queue_purge(name)


@pytest.fixture
def counted_connection():
    """The default connection goes through a proxy that counts what PostgreSQL receives (tests.postgres_wire)."""
    with default_connection_counted() as proxy:
        yield proxy


@pytest.fixture
def admin_units(django_db_blocker):
    """Make sure the units are there; transactional tests flush them after each test."""
    with django_db_blocker.unblock():
        if not Province.objects.exists():
            admin_units_load()


@pytest.fixture
def address_mappings(admin_units, django_db_blocker):
    """Make sure the pre-2025 communes and their successors are there (transactional tests flush them)."""
    with django_db_blocker.unblock():
        if not OldCommune.objects.exists():
            address_mappings_load()


@pytest.fixture
def province_hanoi(admin_units) -> Province:
    return Province.objects.get(code="01")


@pytest.fixture
def province_hue(admin_units) -> Province:
    return Province.objects.get(code="46")


@pytest.fixture
def commune_hanoi(province_hanoi) -> Commune:
    return Commune.objects.get(name="Phường Hoàn Kiếm")


@pytest.fixture
def commune_hue(province_hue) -> Commune:
    return province_hue.communes.order_by("code").first()


@pytest.fixture
def learner_hanoi(commune_hanoi) -> User:
    return learner_make(commune=commune_hanoi, email="learner.hanoi@example.vn")


@pytest.fixture
def learner_hue(commune_hue) -> User:
    return learner_make(commune=commune_hue, email="learner.hue@example.vn")


@pytest.fixture
def admin_hanoi(province_hanoi) -> User:
    return staff_account_create(
        email="admin.hanoi@example.vn",
        full_name="Quản trị Hà Nội",
        role=User.Role.PROVINCIAL_ADMIN,
        province=province_hanoi,
        password=PASSWORD,
    )


@pytest.fixture
def admin_hue(province_hue) -> User:
    return staff_account_create(
        email="admin.hue@example.vn",
        full_name="Quản trị Huế",
        role=User.Role.PROVINCIAL_ADMIN,
        province=province_hue,
        password=PASSWORD,
    )


@pytest.fixture
def ministry_staff(admin_units) -> User:
    return staff_account_create(
        email="bo@example.vn", full_name="Cán bộ Bộ", role=User.Role.MINISTRY_STAFF, password=PASSWORD
    )


@pytest.fixture
def back_office(in_english, ministry_staff):
    """The back office as the ministry's staff use it, in English."""
    in_english.force_login(ministry_staff)
    return in_english


@pytest.fixture
def partner_trainer(admin_units) -> User:
    return staff_account_create(
        email="doitac@example.vn", full_name="Giảng viên", role=User.Role.PARTNER_TRAINER, password=PASSWORD
    )
