"""The statistics fold: events into summary counts, exactly once, however the transactions interleave."""

import random
import threading
import time
from collections import Counter

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Max, QuerySet

from courses.models import Lesson
from learners.models import LearningEvent
from learners.services.enrolments import enrolment_cancel, enrolment_create, profile_save
from learners.services.progress import lesson_complete_manually
from reporting.models import (
    COUNTED_KINDS,
    SUMMARY_COUNTS,
    SUMMARY_KEY_FIELDS,
    FillState,
    RecentCount,
    SummaryCount,
    SummaryTotal,
)
from reporting.services.fold import statistics_fold
from reporting.services.rebuild import statistics_rebuild
from tests.factories import course_make, learner_make, lesson_make, run_at_once

# The fold counts only what finished transactions wrote, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def counts() -> dict:
    """Every summary row, rolled-up ones included, by its whole key."""
    return {
        (row.grain, row.period_start, row.province_id, row.commune_id, row.audience_group, row.course_id): (
            row.counts()
        )
        for row in SummaryTotal.objects.all()
    }


def nonzero(row: SummaryTotal) -> dict[str, int]:
    return {kind: n for kind, n in row.counts().items() if n}


def finest() -> QuerySet:
    """The day rows of one province, commune and course: each event is in exactly one."""
    return SummaryTotal.objects.filter(grain="day", province_id__gte=0, commune_id__gte=0, course_id__gte=0)


def kind_totals() -> Counter:
    totals = Counter()
    for row in finest():
        totals.update(nonzero(row))
    return totals


def mark() -> int:
    return FillState.objects.get(statistic=SUMMARY_COUNTS).mark


def events_foldable_wait(timeout: float = 300) -> None:
    """Wait until every event written so far is below the oldest open transaction, so a fold counts it.

    Transaction ids are server-wide: an open write transaction in any database on the server, such
    as another test run's, holds the fold back, and a fold right after a write may find nothing yet.
    """
    newest = LearningEvent.objects.aggregate(newest=Max("xact_id"))["newest"]
    if newest is None:
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            if cursor.fetchone()[0] > newest:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"A transaction on the server stayed open for {timeout} s")
            time.sleep(0.05)


def test_fold_counts_events_written_through_the_services(learner_hanoi, learner_hue, province_hanoi, commune_hanoi):
    """Enrolments and cancellations are counted per day, place, group, course and kind; lessons are not."""
    course = course_make()
    lesson = lesson_make(course=course, kind=Lesson.Kind.TEXT, is_required=False)
    lesson_make(course=course, kind=Lesson.Kind.TEXT, title="Bài bắt buộc")  # keeps the course unfinished
    enrolment_create(learner=learner_hanoi, course=course)
    enrolment_create(learner=learner_hue, course=course)
    lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    enrolment_cancel(learner=learner_hue, course=course)
    assert finest().count() == 0
    events_foldable_wait()

    result = statistics_fold()

    assert result.events == 6  # four changes and two first enrolments ("learner_joined")
    day = LearningEvent.objects.order_by("id").first().occurred_at.astimezone().date()
    hue = learner_hue.profile
    assert {
        (row.period_start, row.province_id, row.commune_id, row.audience_group, row.course_id): nonzero(row)
        for row in finest()
    } == {
        (day, province_hanoi.id, commune_hanoi.id, "public", course.id): {"enrolled": 1, "learner_joined": 1},
        (day, hue.province_id, hue.commune_id, "public", course.id): {
            "enrolled": 1,
            "learner_joined": 1,
            "unenrolled": 1,
        },
    }
    national_month = SummaryTotal.objects.get(
        grain="month",
        period_start=day.replace(day=1),
        province_id=-1,
        commune_id=-1,
        course_id=-1,
        audience_group="public",
    )
    assert national_month.enrolled == 2
    hanoi_all_courses = SummaryTotal.objects.get(
        grain="day",
        period_start=day,
        province_id=province_hanoi.id,
        commune_id=-1,
        course_id=-1,
        audience_group="public",
    )
    assert nonzero(hanoi_all_courses) == {"enrolled": 1, "learner_joined": 1}


def test_folding_twice_changes_nothing(learner_hanoi):
    """A second fold with no new events leaves the counts as they were; the mark never goes back.

    (Other transactions on the server, the test's own included, move the snapshot's xmin, so the
    mark may step over an empty range.)
    """
    enrolment_create(learner=learner_hanoi, course=course_make())
    events_foldable_wait()
    statistics_fold()
    before_counts, before_mark = counts(), mark()

    result = statistics_fold()

    assert result.events == 0
    assert counts() == before_counts
    assert mark() >= before_mark


def test_incremental_folds_over_random_data_equal_the_rebuild(province_hanoi, province_hue, commune_hanoi, commune_hue):
    """Several rounds of random activity folded as they come give exactly what a rebuild counts."""
    rng = random.Random(6)
    courses = [course_make() for _ in range(3)]
    lessons = {course.id: lesson_make(course=course, kind=Lesson.Kind.TEXT, is_required=False) for course in courses}
    for course in courses:
        lesson_make(course=course, kind=Lesson.Kind.TEXT, title="Bài bắt buộc")
    communes = [commune_hanoi, commune_hue]
    learners = [
        learner_make(commune=rng.choice(communes), audience_group=rng.choice(["public", "civil_servant"]))
        for _ in range(6)
    ]
    mover = learners[0]
    enrolment_create(learner=mover, course=courses[0])
    for round_number in range(4):
        for _ in range(12):
            learner, course = rng.choice(learners), rng.choice(courses)
            action = rng.choice(["enrol", "enrol", "cancel", "complete"])
            if action == "enrol":
                enrolment_create(learner=learner, course=course)
            elif action == "cancel":
                enrolment_cancel(learner=learner, course=course)
            elif learner.enrolments.filter(course=course, is_active=True).exists():
                lesson_complete_manually(learner=learner, lesson=lessons[course.id])
        # The mover changes province between rounds; earlier events keep the old place.
        commune = communes[round_number % 2]
        profile_save(user=mover, audience_group="public", province=commune.province, commune=commune)
        enrolment_cancel(learner=mover, course=courses[0])
        enrolment_create(learner=mover, course=courses[0])
        events_foldable_wait()
        statistics_fold()
    folded = counts()

    result = statistics_rebuild()

    assert counts() == folded
    assert result.events == LearningEvent.objects.count()
    assert sum(kind_totals().values()) == LearningEvent.objects.filter(kind__in=COUNTED_KINDS).count()
    assert LearningEvent.objects.filter(kind="lesson_completed").exists()  # in the log, not in the summary
    assert kind_totals()["learner_joined"] == LearningEvent.objects.values("learner").distinct().count()
    mover_places = set(finest().filter(course_id=courses[0].id, unenrolled__gt=0).values_list("province_id", flat=True))
    assert {province_hanoi.id, province_hue.id} <= mover_places


def test_two_folds_at_once_double_nothing(learner_hanoi, learner_hue):
    """Two folds started together count each event once: the second waits for the first."""
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    enrolment_create(learner=learner_hue, course=course)
    events_foldable_wait()

    results, errors = run_at_once(statistics_fold)

    assert errors == []
    assert sorted(result.events for result in results) == [0, 4]  # two enrolled, two learner_joined
    assert kind_totals() == Counter({"enrolled": 2, "learner_joined": 2})


def test_two_folds_at_once_the_second_skips_when_told_not_to_wait(learner_hanoi):
    """A fold that must not wait skips while another holds the lock, and counts nothing."""
    enrolment_create(learner=learner_hanoi, course=course_make())
    with transaction.atomic():
        statistics_fold()  # holds the lock until this block ends
        results, errors = run_at_once(lambda: statistics_fold(wait=False), count=1)
    assert errors == []
    assert results[0].skipped and results[0].events == 0


def test_an_event_committed_late_is_counted_once_though_a_later_event_committed_first(learner_hanoi, learner_hue):
    """An event whose id is older but whose transaction commits after a later event's is not skipped."""
    course = course_make()
    written, release = threading.Event(), threading.Event()
    slow_errors = []

    def slow_enrolment() -> None:
        try:
            with transaction.atomic():
                enrolment_create(learner=learner_hanoi, course=course)
                written.set()
                assert release.wait(timeout=30)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            slow_errors.append(error)
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_enrolment)
    slow.start()
    try:
        assert written.wait(timeout=30)
        # Another course: the slow transaction holds its course's row (the enrolment count).
        enrolment_create(learner=learner_hue, course=course_make())
        fast_event = LearningEvent.objects.get(kind="enrolled")  # the slow one is not visible yet
        first = statistics_fold()
    finally:
        release.set()
        slow.join(timeout=30)
    assert slow_errors == []
    slow_event = LearningEvent.objects.get(learner=learner_hanoi, kind="enrolled")
    # A mark on the id would have passed the slow event: it was committed after a higher id was seen.
    assert slow_event.id < fast_event.id
    assert slow_event.xact_id < fast_event.xact_id
    assert first.mark <= slow_event.xact_id  # the first fold left it for later...
    counted_first = kind_totals()["enrolled"]
    assert counted_first == 0  # ...and so the fast one too, whose transaction began after it

    events_foldable_wait()
    second = statistics_fold()

    assert second.events == 4  # each learner's enrolled and learner_joined
    assert kind_totals() == Counter({"enrolled": 2, "learner_joined": 2})
    assert statistics_fold().events == 0


def test_a_fold_that_fails_after_the_sums_leaves_counts_and_mark_unchanged(learner_hanoi, learner_hue):
    """Rolled back after adding its sums, a fold leaves nothing behind, and the next fold counts it all."""
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    events_foldable_wait()
    statistics_fold()
    enrolment_create(learner=learner_hue, course=course)
    events_foldable_wait()
    before = (counts(), mark())
    assert kind_totals()["enrolled"] == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        assert statistics_fold().events == 2  # learner_hue's enrolled and learner_joined
        assert kind_totals()["enrolled"] == 2  # the sums were written inside the transaction
        raise RuntimeError("crash after the sums")

    assert (counts(), mark()) == before
    assert statistics_fold().events == 2
    assert kind_totals() == Counter({"enrolled": 2, "learner_joined": 2})


def test_rebuild_command_recounts_from_the_event_log(learner_hanoi):
    """rebuild_statistics replaces drifted counts by what the event log says."""
    from django.core.management import call_command

    enrolment_create(learner=learner_hanoi, course=course_make())
    events_foldable_wait()
    statistics_fold()
    RecentCount.objects.update(enrolled=99, learner_joined=99)  # the fold writes the recent rows

    call_command("rebuild_statistics", verbosity=0)

    assert kind_totals() == Counter({"enrolled": 1, "learner_joined": 1})
    assert SummaryCount.objects.filter(grain="month", province_id=-1, commune_id=-1, course_id=-1).count() == 1
    assert set(SummaryCount.objects.values_list("enrolled", "learner_joined")) == {(1, 1)}
    assert not RecentCount.objects.exists()  # all in the fresh summary, nothing twice
    assert statistics_fold().events == 0


def test_course_run_counts_are_folded_and_rebuilt_alike(learner_hanoi, learner_hue, province_hanoi):
    """Enrolments and completions of a course run are counted per run, per province and for the country."""
    from datetime import timedelta

    from django.utils import timezone

    from courses.models import CourseRun
    from reporting.models import RunCount

    course = course_make()
    today = timezone.localdate()
    run = CourseRun.objects.create(
        course=course, title="Đợt 1", starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30)
    )
    enrolment_create(learner=learner_hanoi, course=course)
    enrolment_create(learner=learner_hue, course=course)
    enrolment_cancel(learner=learner_hue, course=course)
    events_foldable_wait()
    statistics_fold()

    def run_counts() -> dict:
        return {(r.province_id, r.kind): r.count for r in RunCount.objects.filter(course_run_id=run.id)}

    folded = run_counts()
    assert folded[(province_hanoi.id, "enrolled")] == 1
    assert folded[(-1, "enrolled")] == 2
    assert folded[(-1, "unenrolled")] == 1
    assert (-1, "learner_joined") not in folded  # only what a run's completion rate needs
    statistics_rebuild()
    assert run_counts() == folded


def test_every_run_count_kind_is_a_kind_of_event():
    """RUN_COUNT_KINDS is written as text (the index needs it before LearningEvent exists): a misspelt
    kind would match no event and quietly count nothing."""
    from learners.models import RUN_COUNT_KINDS

    assert set(RUN_COUNT_KINDS) <= set(LearningEvent.Kind.values)
    assert len(set(RUN_COUNT_KINDS)) == len(RUN_COUNT_KINDS)


def test_the_run_counts_are_read_from_their_index_alone():
    """A recount reads the run kinds' events from their partial index, never the whole log: the
    index's kinds and the statement's must stay the same (learners.models.RUN_COUNT_KINDS)."""
    from reporting.services.fold_sql import EventRange, run_delta_sql

    events = EventRange.of(None, 10**12)
    with transaction.atomic(), connection.cursor() as cursor:
        # The test database is small: tell the planner that reading the table is not an option.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {run_delta_sql(events)}", events.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using learningevent_run_counts" in plan, plan


def test_a_rebuild_builds_each_period_part_on_a_connection_of_its_own(learner_hanoi, learner_hue):
    """Events over four months: two partitions, each built by another connection, hold what the fold counted.

    Outside any transaction of its caller, the rebuild builds each partition of the fresh summary
    on a connection of its own, at once; months are never split, and every id stays unique.
    """
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.db.backends.signals import connection_created

    courses = [course_make(title=f"Khóa {number}") for number in range(4)]
    for course in courses:
        enrolment_create(learner=learner_hanoi, course=course)
        enrolment_create(learner=learner_hue, course=course)
    # One course's enrolments a month, mid-month on Vietnam's calendar.
    first = datetime(2026, 3, 15, 10, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    for months_back, course in enumerate(courses):
        LearningEvent.objects.filter(course=course).update(occurred_at=first - timedelta(days=31 * months_back))
    events_foldable_wait()
    statistics_fold()
    folded = counts()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE learners_learningevent")  # the split follows PostgreSQL's statistics of the log
    migrated_indexes = summary_indexes()
    assert [name for name, _definition in migrated_indexes] == [
        "reporting_summarycount_pkey",
        "reporting_summarycount_pkey_p0",
        "reporting_summarycount_pkey_p1",
    ]
    key = (
        "PRIMARY KEY (province_id, commune_id, course_id, grain, period_start, audience_group) INCLUDE (learner_joined"
    )
    assert all(key in definition for _name, definition in migrated_indexes), migrated_indexes
    opened_by = []
    connection_created.connect(record := lambda sender, connection, **kwargs: opened_by.append(threading.get_ident()))
    try:
        statistics_rebuild()
    finally:
        connection_created.disconnect(record)

    assert counts() == folded
    assert len([ident for ident in opened_by if ident != threading.get_ident()]) == 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relpersistence, pg_get_expr(c.relpartbound, c.oid), "
            "(SELECT COUNT(DISTINCT date_trunc('month', period_start)) FROM reporting_summarycount s "
            "WHERE s.tableoid = c.oid) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'reporting_summarycount'::regclass ORDER BY c.relname"
        )
        partitions = cursor.fetchall()
    assert [(name, persistence) for name, persistence, _bounds, _months in partitions] == [
        ("reporting_summarycount_p0", "p"),
        ("reporting_summarycount_p1", "p"),
    ]
    months = SummaryCount.objects.dates("period_start", "month")
    assert len(months) >= 4
    # Each partition holds some of the months, each month whole in one of them.
    assert all(held for *_rest, held in partitions), partitions
    assert sum(held for *_rest, held in partitions) == len(months), partitions
    # The key is the primary key, the one index of the table and of each part, as migration 0010 made it.
    assert summary_indexes() == migrated_indexes
    row = SummaryCount.objects.filter(grain="day").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        SummaryCount.objects.create(**{field: getattr(row, field) for field in SUMMARY_KEY_FIELDS})


def summary_indexes() -> list[tuple[str, str]]:
    """Every index of the summary and its partitions: its name, and its constraint's definition if it has one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_constraintdef(k.oid) FROM pg_index x "
            "JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid "
            "LEFT JOIN pg_constraint k ON k.conindid = x.indexrelid "
            "WHERE c.relname LIKE 'reporting\\_summarycount%' ORDER BY i.relname"
        )
        return cursor.fetchall()


def test_a_rebuild_drops_the_parts_a_failed_rebuild_with_more_parts_left_behind(learner_hanoi):
    """A part committed by an earlier rebuild that failed, numbered past today's parts, goes with the next rebuild."""
    enrolment_create(learner=learner_hanoi, course=course_make())
    events_foldable_wait()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE reporting_summarycount_p5_new (LIKE reporting_summarycount)")

    statistics_rebuild()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE 'reporting\\_summarycount\\_p%'"
        )
        assert sorted(name for (name,) in cursor.fetchall()) == [
            "reporting_summarycount_p0",
            "reporting_summarycount_p1",
        ]
    assert kind_totals() == Counter({"enrolled": 1, "learner_joined": 1})
