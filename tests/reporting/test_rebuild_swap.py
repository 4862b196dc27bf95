"""A rebuild builds fresh tables and swaps them in: pages go on answering with the old figures meanwhile."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from reporting.models import ALL, RunCount, SummaryCount, SummaryTotal
from reporting.services.fold import statistics_fold
from reporting.services.rebuild import statistics_rebuild
from tests.reporting.test_dashboards import measure
from tests.reporting.test_selectors import counts_add

NATIONAL = reverse("reporting:national")

# The rebuild commits for real and runs in a thread of its own, on its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


def rebuild_held_open() -> tuple[threading.Event, threading.Event, threading.Thread, list]:
    """Start a rebuild in a thread that stops once its new counts are built, before the swap.

    Returns (built, release, thread, errors): `built` is set when the rebuild waits, setting
    `release` lets it swap and commit.
    """
    built, release, errors = threading.Event(), threading.Event(), []

    def hold() -> None:
        built.set()
        assert release.wait(60), "the test never released the rebuild"

    def run() -> None:
        try:
            statistics_rebuild(before_swap=hold)
        except Exception as error:  # noqa: BLE001 - reported to the test: a thread cannot fail it
            errors.append(error)
            built.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return built, release, thread, errors


def constraint_names(model) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", [model._meta.db_table])
        return {name for (name,) in cursor.fetchall()}


def persistence() -> set[tuple[str, str]]:
    """The summary's table, indexes and sequence with their persistence ("p": logged, crash-safe)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, relpersistence FROM pg_class WHERE relname LIKE 'reporting_summarycount%'")
        return set(cursor.fetchall())


def test_a_dashboard_answers_with_the_old_figures_without_waiting_during_a_rebuild(client, ministry_staff):
    """Held open at its slowest point, a rebuild lets a page read the old figures; after the swap, the new ones.

    The page's connection gives up on any lock after 100 ms: with the old TRUNCATE it failed here.
    No event was written, so the recount finds nothing where the old rows said 7 enrolments.
    """
    today = timezone.localdate()
    counts_add(start=today - timedelta(days=2), end=today - timedelta(days=2), per_day=7)
    keys_before = constraint_names(SummaryCount), constraint_names(RunCount)
    relations_before = persistence()
    client.force_login(ministry_staff)
    assert measure(client.get(NATIONAL).content.decode(), "enrolments") == "7"
    built, release, thread, errors = rebuild_held_open()
    try:
        assert built.wait(60)
        assert errors == []
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '100ms'")
            cursor.execute("SET statement_timeout = '2s'")

        during = client.get(NATIONAL, {"measure": "learners"})  # another URL: not the cached page
        # The fold meanwhile skips: the rebuild holds the fold's lock until its swap is committed.
        fold_during = statistics_fold(wait=False)
    finally:
        release.set()
        thread.join(60)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")
        cursor.execute("SET statement_timeout = 0")
    after = client.get(NATIONAL, {"measure": "learners"})

    assert errors == []
    assert during.status_code == 200
    assert measure(during.content.decode(), "enrolments") == "7"
    assert fold_during.skipped
    assert measure(after.content.decode(), "enrolments") == "0"
    assert not SummaryTotal.objects.filter(enrolled__gt=0).exists()
    # The swapped-in tables carry the names the migrations gave: a second rebuild and a fold work.
    assert (constraint_names(SummaryCount), constraint_names(RunCount)) == keys_before
    assert persistence() == relations_before  # built unlogged, swapped in logged, same names
    statistics_rebuild()
    counts_add(start=today, end=today, per_day=2)  # the identity goes on numbering new rows
    assert SummaryCount.objects.filter(grain="day", province_id=ALL, enrolled=2).count() == 1
    assert statistics_fold().events == 0


def test_the_swap_waits_its_turn_behind_a_long_read_without_failing():
    """A page's transaction still reading the old summary when the swap comes: the swap tries again, then succeeds.

    Each try gives up after 200 ms so the pages queued behind it go through; the read here lasts
    about a second, several tries.
    """
    today = timezone.localdate()
    counts_add(start=today, end=today, per_day=5)
    reading, errors = threading.Event(), []

    def long_read() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                assert SummaryTotal.objects.filter(enrolled=5).exists()  # as the pages read
                reading.set()
                threading.Event().wait(1.0)
        except Exception as error:  # noqa: BLE001 - reported to the test: a thread cannot fail it
            errors.append(error)
            reading.set()
        finally:
            connections.close_all()

    reader = threading.Thread(target=long_read)
    reader.start()
    assert reading.wait(30)

    statistics_rebuild()
    reader.join(30)

    assert errors == []
    assert not SummaryTotal.objects.filter(enrolled=5).exists()
