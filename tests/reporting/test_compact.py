"""The fold writes the recent rows, the compaction moves them into the summary: no figure changes, none twice."""

import re
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from learners.models import LearningEvent
from learners.services.enrolments import enrolment_cancel, enrolment_create
from reporting.models import COUNTED_KINDS, RecentCount, SummaryCount, Target
from reporting.services.compact import statistics_compact
from reporting.services.fold import statistics_fold
from reporting.services.rebuild import statistics_rebuild
from tests.factories import course_make, learner_make
from tests.reporting.test_dashboards import HANOI, NATIONAL, fold_everything, measure
from tests.reporting.test_services_fold import events_foldable_wait

# The fold and the compaction count only what committed transactions wrote.
pytestmark = pytest.mark.django_db(transaction=True)


def event_totals() -> Counter:
    """What the event log says, per counted kind."""
    return Counter(
        dict(Counter(LearningEvent.objects.filter(kind__in=COUNTED_KINDS).values_list("kind", flat=True)).most_common())
    )


def finest_totals(model) -> Counter:
    """The counted kinds of the finest rows (one place, one course, a day) of `model`: each event is in one."""
    totals = Counter()
    for row in model.objects.filter(grain="day", province_id__gte=0, commune_id__gte=0, course_id__gte=0):
        totals.update({kind: n for kind, n in row.counts().items() if n})
    return totals


def pages(client) -> dict[str, str]:
    """Every section of the national and Hà Nội pages, several filters, freshly built (no cached page)."""
    today = timezone.localdate()
    queries = [
        {},
        {"start": today.replace(day=1), "end": today, "trend": "day"},
        {"start": today - timedelta(days=400), "end": today, "trend": "month", "units": "now"},
        {"start": today, "end": today, "audience_group": "public"},
    ]
    html = {}
    for url in (NATIONAL, HANOI):
        for query in queries:
            cache.clear()
            page = client.get(url, query)
            assert page.status_code == 200
            # The sign-out form's token is new in every response, and "figures as of" is the time of the
            # last fold or rebuild, to the minute (a slow run crosses one); nothing else may differ.
            text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.content.decode())
            html[f"{url} {query}"] = re.sub(r"\d{1,2}:\d{2}, \d{1,2}/\d{1,2}/\d{4}", "", text)  # "H:i, d/m/Y"
    return html


@pytest.fixture
def enrolments(learner_hanoi, learner_hue):
    """Two courses, enrolments in Hà Nội and Huế, one cancelled, and a target on enrolments."""
    today = timezone.localdate()
    Target.objects.create(
        name="Enrolments this month", measure="enrolled", starts_on=today.replace(day=1), ends_on=today, goal=10
    )
    first, second = course_make(), course_make()
    for learner in (learner_hanoi, learner_hue):
        enrolment_create(learner=learner, course=first)
    enrolment_create(learner=learner_hanoi, course=second)
    enrolment_cancel(learner=learner_hue, course=first)
    return first, second


def test_the_fold_writes_recent_rows_that_the_pages_show_before_any_compaction(client, ministry_staff, enrolments):
    """Folded figures are in the recent rows only, and the dashboards show them with the summary's."""
    client.force_login(ministry_staff)
    fold_everything()

    assert not SummaryCount.objects.exists()
    assert (
        finest_totals(RecentCount) == event_totals() == Counter({"enrolled": 3, "learner_joined": 2, "unenrolled": 1})
    )
    html = client.get(NATIONAL).content.decode()
    assert (measure(html, "learners"), measure(html, "enrolments")) == ("2", "3")
    assert measure(html, "enrolments", row='data-place="01"') == "2"


def test_compaction_moves_the_rows_without_changing_any_figure(client, ministry_staff, enrolments, learner_hanoi):
    """Every section of both pages is the same before and after, and after a row is in both tables."""
    client.force_login(ministry_staff)
    fold_everything()
    before = pages(client)

    result = statistics_compact()

    assert result.rows > 0 and not RecentCount.objects.exists()
    assert finest_totals(SummaryCount) == event_totals()
    assert pages(client) == before
    # New events on the same day, place and course: their keys are now in the summary and again
    # in the recent rows; the pages add both.
    enrolment_create(learner=learner_make(commune=learner_hanoi.profile.commune), course=enrolments[0])
    fold_everything()
    assert RecentCount.objects.exists()
    both = pages(client)
    assert measure(both[f"{NATIONAL} {{}}"], "enrolments") == "4"
    statistics_compact(batch_rows=3)  # several batches, each its own transaction
    assert not RecentCount.objects.exists()
    assert pages(client) == both
    assert finest_totals(SummaryCount) == event_totals()


def test_folds_during_a_compaction_count_nothing_twice_or_lose_anything(learner_hanoi, learner_hue):
    """Folds run while a compaction moves rows a batch at a time; at the end every event is counted once."""
    course = course_make()
    for learner in (learner_hanoi, learner_hue):
        enrolment_create(learner=learner, course=course)
    events_foldable_wait()
    statistics_fold()
    errors, done = [], threading.Event()

    def compact_again_and_again() -> None:
        try:
            while not done.is_set():
                statistics_compact(batch_rows=1)  # one row per transaction: many chances to interleave
        except Exception as error:  # noqa: BLE001 - reported to the test: a thread cannot fail it
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=compact_again_and_again)
    thread.start()
    try:
        for _round in range(5):
            learner = learner_make(commune=learner_hanoi.profile.commune)
            enrolment_create(learner=learner, course=course)
            enrolment_create(learner=learner, course=course_make())
            events_foldable_wait()
            statistics_fold()
    finally:
        done.set()
        thread.join(120)

    assert errors == []
    statistics_compact()
    assert finest_totals(SummaryCount) == event_totals() == Counter({"enrolled": 12, "learner_joined": 7})


def test_a_rebuild_empties_the_recent_rows_and_the_figures_stay_right(
    client, ministry_staff, enrolments, learner_hanoi
):
    """Rows in the summary and in the recent table, then a rebuild: one count of each event, recent rows gone."""
    client.force_login(ministry_staff)
    fold_everything()
    statistics_compact()
    enrolment_create(learner=learner_make(commune=learner_hanoi.profile.commune), course=enrolments[1])
    fold_everything()
    assert RecentCount.objects.exists() and SummaryCount.objects.exists()
    before = pages(client)

    statistics_rebuild()

    assert not RecentCount.objects.exists()
    assert finest_totals(SummaryCount) == event_totals()
    assert pages(client) == before
    assert statistics_fold().events == 0
    enrolment_create(learner=learner_make(commune=learner_hanoi.profile.commune), course=enrolments[1])
    fold_everything()
    assert finest_totals(SummaryCount) + finest_totals(RecentCount) == event_totals()
    assert measure(client.get(NATIONAL).content.decode(), "enrolments") == "5"
