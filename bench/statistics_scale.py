#!/usr/bin/env python
"""How the statistics pipeline scales: rebuild, fold, dashboards and export against millions of events.

    .venv/bin/python bench/statistics_scale.py                          # up to 10,000,000 enrolments
    .venv/bin/python bench/statistics_scale.py --enrolments 1000000     # a quicker run
    .venv/bin/python bench/statistics_scale.py --help

It creates its own PostgreSQL database, loads the administrative units and a catalogue of about
a hundred courses, then grows a synthetic learner population in steps (100,000 enrolments, then
1,000,000, then --enrolments), written straight in SQL with generate_series. Every enrolment
brings its learning events (enrolled, about two lessons, 40% completions, 35% certificates, one
"learner joined" per learner) spread over the last 365 days. After each step it times:

- statistics_rebuild(): every summary count recounted from the whole event log;
- statistics_fold() after 1,000 new events, then seven more times (the first writes today's
  recent rows, the others add to them, as every fold of the hour does: their median), and after
  100,000: it should follow the
  new events, not the history; then statistics_compact(), which moves the recent rows into the
  summary;
- plain GROUP BYs over the events, the floor any recount stands on, the last one by the
  summary's finest key (day, commune, course, group), the groups a rebuild must form;
- the national and the Hà Nội dashboards through Django's test client, each request with another
  URL so the page cache misses (median, p95, SQL queries);
- a national dashboard requested again and again while a second statistics_rebuild() runs in a
  thread: its times against the same page before the rebuild (the rebuild must never block it);
- the cached dashboard (the same URL again before the next fold) against the bare view
  (bench/urls.py), requests per second of each through the same middleware in this process;
- the learner-level CSV export: peak Python memory (tracemalloc) and RSS while consuming it.

It ends with the ratios the project aims at, side by side: fold at the largest history ÷ fold at
the smallest, rebuild ÷ GROUP BY by the finest key, dashboard during a rebuild ÷ normal, cached
dashboard ÷ bare view. It prints its figures and asserts nothing about times. The database is
dropped at the end, also on Ctrl+C. See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
import tracemalloc
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script, so this folder is on sys.path.
from databases import database_drop_at_exit, database_recreate, database_url

REPO = Path(__file__).resolve().parent.parent
EXTRA_COURSES = 86  # on top of the 14 demo courses: about a hundred
TIME_ZONE = "Asia/Ho_Chi_Minh"
HANOI = "01"
FOLD_TRIES = 7  # folds of 1,000 events measured after the first, each with its own new events


# --- Options and environment --------------------------------------------------------------------


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Scale of the statistics pipeline: rebuild, fold, dashboards and export on millions of events.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--enrolments",
        type=int,
        default=10_000_000,
        help="final size; also measured at 100,000 and 1,000,000 on the way",
    )
    parser.add_argument(
        "--steps",
        default="100000,1000000",
        help="sizes measured on the way to --enrolments, comma-separated; empty: only the last size",
    )
    parser.add_argument("--repeat", type=int, default=20, help="measured requests per dashboard (after 2 warm-ups)")
    parser.add_argument("--wait-views", type=float, default=0, help="seconds to wait for the dashboard views to exist")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL with the right to create databases (a superuser: the bulk load skips FK triggers)",
    )
    parser.add_argument("--db-name", default="onetouch_bench_stats", help="database created and dropped by the run")
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"), help="the cache"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database in place at the end")
    parser.add_argument("--no-export", action="store_true", help="skip the export measurements (minutes at 1 M)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only the rebuild, the dashboards, the fold and the compaction (no GROUP BYs, export, second rebuild)",
    )
    args = parser.parse_args()
    if "bench" not in args.db_name:
        parser.error("--db-name must contain 'bench': the run drops and recreates that database")
    if args.enrolments < 1 or args.repeat < 1:
        parser.error("--enrolments and --repeat must be positive")
    try:
        args.steps = sorted({int(size) for size in args.steps.split(",") if size.strip()})
    except ValueError:
        parser.error("--steps must be whole numbers separated by commas")
    return args


def environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "onetouch.settings.test",
        "DATABASE_URL": database_url(args.postgres, args.db_name),
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": "onetouch_bench_stats",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }


# --- Small helpers --------------------------------------------------------------------------------


def sql_run(statement: str, params: list | tuple = ()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def scalar(statement: str, params: list | tuple = ()):
    return sql_run(statement, params)[0][0]


def timed(function, *args, **kwargs) -> tuple[float, object]:
    """Seconds the call took, and what it returned."""
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value


def say(text: str) -> None:
    print(text, flush=True)


def table(model) -> str:
    return model._meta.db_table


# --- The reference data -------------------------------------------------------------------------


def reference_prepare() -> dict[str, int]:
    """Migrate, load the administrative units and the demo courses, add generated courses with a run each."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from courses.demo.catalogue import demo_catalogue_load
    from courses.models import Course, CourseRun
    from onetouch.models import Province
    from onetouch.services.admin_units import admin_units_load

    call_command("migrate", interactive=False, verbosity=0)
    provinces, communes = admin_units_load()
    demo = demo_catalogue_load(with_media=False)
    owners = list(Province.objects.order_by("code"))
    courses = [
        Course(
            title=f"Khóa học số {number + 1}",
            slug=f"bench-course-{number + 1}",
            summary="Khóa học sinh ra cho phép đo.",
            topic="digital_skills",
            is_published=True,
            owner_province=None if number % 3 else owners[number % len(owners)],
        )
        for number in range(EXTRA_COURSES)
    ]
    Course.objects.bulk_create(courses)
    today = timezone.localdate()
    # Half the courses run in dated sessions; enrolments in those carry the run.
    CourseRun.objects.bulk_create(
        CourseRun(
            course=course, title="2025", starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=60)
        )
        for course in Course.objects.order_by("id")[::2]
    )
    return {"provinces": provinces, "communes": communes, "courses": Course.objects.count(), "demo": demo}


def ministry_staff_make():
    from onetouch.models import User

    return User.objects.create_user("bench-ministry@example.invalid", role=User.Role.MINISTRY_STAFF, is_staff=True)


# --- Growing the data set ---------------------------------------------------------------------------


def grow(enrolments_from: int, enrolments_to: int) -> None:
    """Add learners, enrolments and their events for enrolment numbers [from, to).

    Enrolment j belongs to learner k = floor(2j/5), so learners alternate three and two courses
    (2.5 on average). Its course is the learner's pseudo-random "favourite" (skewed towards the
    first courses) plus 41 times its position, which keeps (learner, course) unique. Rows are
    written in SQL with FK triggers off (the data is consistent by construction) and the event
    table's secondary indexes dropped during the load.
    """
    from django.db import connection, transaction

    from courses.models import Course, CourseRun
    from learners.models import Enrolment, LearnerProfile, LearningEvent
    from onetouch.models import Commune, User

    learners_from = (2 * enrolments_from + 4) // 5  # the first learner whose first enrolment is >= from
    learners_to = (2 * enrolments_to + 4) // 5
    users, profiles = table(User), table(LearnerProfile)
    enrolments, events = table(Enrolment), table(LearningEvent)
    indexes = event_indexes_drop()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # no FK trigger per row
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(
                f"""CREATE TEMP TABLE IF NOT EXISTS bench_course AS
                    SELECT row_number() OVER (ORDER BY c.id) - 1 AS n, c.id, c.owner_province_id,
                           (SELECT MIN(r.id) FROM {table(CourseRun)} r WHERE r.course_id = c.id) AS run_id
                    FROM {table(Course)} c"""
            )
            cursor.execute(
                f"""CREATE TEMP TABLE IF NOT EXISTS bench_commune AS
                    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, province_id FROM {table(Commune)}"""
            )
            courses = scalar("SELECT COUNT(*) FROM bench_course")
            communes = scalar("SELECT COUNT(*) FROM bench_commune")
            base = user_id_base()
            # Learners: the user and the profile; the commune decides the province.
            cursor.execute(
                f"""INSERT INTO {users} (id, password, is_superuser, email, phone_verified, full_name, role,
                                         is_staff, is_active, date_joined)
                    SELECT %s + k, '!', false, 'learner-' || k || '@bench.invalid', false, '', 'learner',
                           false, true, now() - interval '365 days' * random()
                    FROM generate_series(%s, %s - 1) AS k""",
                [base, learners_from, learners_to],
            )
            cursor.execute(
                f"""INSERT INTO {profiles} (user_id, audience_group, province_id, commune_id, organisation,
                                            position, updated_at)
                    SELECT %s + k,
                           CASE WHEN r < 0.92 THEN 'public' WHEN r < 0.95 THEN 'civil_servant'
                                WHEN r < 0.98 THEN 'digital_team' ELSE 'commune_leader' END,
                           c.province_id, c.id, '', '', now()
                    FROM (SELECT k, random() AS r, floor(random() * %s)::int AS place
                          FROM generate_series(%s, %s - 1) AS k) AS l
                    JOIN bench_commune c ON c.n = l.place""",
                [base, communes, learners_from, learners_to],
            )
            cursor.execute(
                f"""INSERT INTO {enrolments} (learner_id, course_id, course_run_id, is_active, enrolled_at)
                    SELECT u.id, c.id, c.run_id, true,
                           u.date_joined + (now() - u.date_joined) * (j - (5 * k + 1) / 2) * random() / 3
                    FROM (SELECT j, (2 * j) / 5 AS k FROM generate_series(%s, %s - 1) AS j) AS e
                    JOIN {users} u ON u.id = %s + e.k
                    JOIN bench_course c
                      ON c.n = (floor(%s * power(((e.k * 2654435761) %% 1000003) / 1000003.0, 2))::int
                                + 41 * (j - (5 * k + 1) / 2)) %% %s""",
                [enrolments_from, enrolments_to, base, courses, courses],
            )
            cursor.execute(
                f"""INSERT INTO {events} (kind, occurred_at, learner_id, course_id, course_run_id, lesson_id,
                                          course_owner_province_id, province_id, commune_id, audience_group)
                    SELECT 'learner_joined', u.date_joined, u.id, first.course_id, first.course_run_id, NULL,
                           c.owner_province_id, p.province_id, p.commune_id, p.audience_group
                    FROM {users} u
                    JOIN {profiles} p ON p.user_id = u.id
                    JOIN LATERAL (SELECT course_id, course_run_id FROM {enrolments} e
                                  WHERE e.learner_id = u.id ORDER BY e.enrolled_at LIMIT 1) first ON true
                    JOIN {table(Course)} c ON c.id = first.course_id
                    WHERE u.id >= %s + %s AND u.id < %s + %s""",
                [base, learners_from, base, learners_to],
            )
            first_new = scalar(f"SELECT COALESCE(MAX(id), 0) FROM {enrolments}") - (enrolments_to - enrolments_from)
            cursor.execute(
                f"""INSERT INTO {events} (kind, occurred_at, learner_id, course_id, course_run_id, lesson_id,
                                          course_owner_province_id, province_id, commune_id, audience_group)
                    SELECT v.kind, LEAST(v.at, now()), e.learner_id, e.course_id, e.course_run_id, NULL,
                           c.owner_province_id, p.province_id, p.commune_id, p.audience_group
                    FROM (SELECT e.*, (e.id * 7919) %% 100 AS luck FROM {enrolments} e WHERE e.id > %s) e
                    JOIN {profiles} p ON p.user_id = e.learner_id
                    JOIN {table(Course)} c ON c.id = e.course_id
                    CROSS JOIN LATERAL (VALUES
                        ('enrolled', e.enrolled_at, true),
                        ('lesson_completed', e.enrolled_at + interval '1 hour', true),
                        ('lesson_completed', e.enrolled_at + interval '2 days', e.luck < 90),
                        ('lesson_completed', e.enrolled_at + interval '5 days', e.luck %% 10 = 0),
                        ('course_completed', e.enrolled_at + interval '9 days', e.luck < 40),
                        ('certificate_issued', e.enrolled_at + interval '9 days 1 minute', e.luck < 35)
                    ) AS v(kind, at, happened)
                    WHERE v.happened""",
                [first_new],
            )
    finally:
        event_indexes_create(indexes)
    sql_run("SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM " + users + "))", [users])
    sql_run("VACUUM ANALYZE")


def user_id_base() -> int:
    """Learner k is the user with id base + k; the base is kept from the first step."""
    sql_run("CREATE TABLE IF NOT EXISTS bench_state (base bigint)")
    base = sql_run("SELECT base FROM bench_state")
    if base:
        return base[0][0]
    from onetouch.models import User

    value = scalar(f"SELECT COALESCE(MAX(id), 0) + 1000 FROM {table(User)}")
    sql_run("INSERT INTO bench_state VALUES (%s)", [value])
    return value


def event_indexes_drop() -> list[str]:
    """Drop the event table's secondary indexes; return the statements that recreate them."""
    from learners.models import LearningEvent

    rows = sql_run(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = %s AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        [table(LearningEvent)],
    )
    for name, _definition in rows:
        sql_run(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def event_indexes_create(definitions: list[str]) -> None:
    sql_run("SET maintenance_work_mem = '1GB'")
    for definition in definitions:
        sql_run(definition)


# --- Measurements -----------------------------------------------------------------------------------


@dataclass
class Step:
    enrolments: int
    build_s: float = 0.0
    events: int = 0
    learners: int = 0
    rebuild_s: float = 0.0
    summary_rows: int = 0
    summary_bytes: int = 0
    events_bytes: int = 0
    group_by_s: float = 0.0
    group_by_day_s: float = 0.0
    group_by_finest_s: float = 0.0
    folds: dict[int, float] = field(default_factory=dict)  # new events -> seconds (the second fold of 1,000)
    first_fold_s: float = 0.0  # the first fold of 1,000 after the rebuild: no recent row yet
    compact_s: float = 0.0
    compact_rows: int = 0
    recount_s: tuple[float, float] = (0.0, 0.0)  # the catalogue's enrolment recount: counts moving, then none
    dashboards: dict[str, tuple[float, float, int]] = field(default_factory=dict)  # label -> median, p95, queries
    exports: dict[int, tuple[float, float, float, int]] = field(default_factory=dict)  # rows -> s, peak MB, RSS MB
    # A national page while a rebuild runs: (median ms before, median ms during, slowest ms during, requests)
    during_rebuild: tuple[float, float, float, int] | None = None
    cached_ms: float = 0.0  # the cached national page, ms a request
    revisit_ms: float = 0.0  # the same browser asking again with the page's ETag (304), ms a request
    signed_in_ms: float = 0.0  # the bare view that reads the session and the account, ms a request
    bare_ms: float = 0.0  # the bare view, ms a request
    notes: list[str] = field(default_factory=list)


def counts_measure(step: Step) -> None:
    from learners.models import LearningEvent
    from reporting.models import SummaryCount

    step.events = scalar(f"SELECT COUNT(*) FROM {table(LearningEvent)}")
    step.learners = scalar("SELECT COUNT(*) FROM learners_learnerprofile")
    step.summary_rows = SummaryCount.objects.count()
    # The summary is partitioned by period (docs/decisions/0041): its partitions hold the rows.
    step.summary_bytes = scalar(
        "SELECT SUM(pg_total_relation_size(relid)) FROM pg_partition_tree(%s)", [table(SummaryCount)]
    )
    step.events_bytes = scalar("SELECT pg_total_relation_size(%s)", [table(LearningEvent)])


def settle() -> None:
    """Write out what the steps before left in memory, so that a timed statement does not pay for it.

    Without it the rebuild, timed straight after the data build, shared the disk with gigabytes
    of the build's pages still being written, and the GROUP BY after it with the rebuild's.
    """
    sql_run("CHECKPOINT")


def rebuild_measure(step: Step) -> None:
    from reporting.services.rebuild import statistics_rebuild

    settle()
    step.rebuild_s, result = timed(statistics_rebuild)
    sql_run("VACUUM ANALYZE reporting_summarycount")
    say(f"  rebuild: {result.events:,} events in {step.rebuild_s:.1f} s")


def recount_measure(step: Step) -> None:
    """The catalogue's enrolment recount, the only writer of the courses' counts: once with every
    count to set (the data build writes none), then again with nothing moved, as most runs are."""
    from courses.models import Course
    from courses.services.catalogue import course_enrolment_counts_refresh

    Course.objects.update(enrolment_count=0)
    first_s, changed = timed(course_enrolment_counts_refresh)
    again_s, _unchanged = timed(course_enrolment_counts_refresh)
    step.recount_s = (first_s, again_s)
    say(f"  enrolment recount: {changed} course counts set in {first_s:.1f} s; again, none moved: {again_s:.1f} s")


def group_by_measure(step: Step) -> None:
    """The floor: plain aggregates over every event, as any recount must read them all."""
    from learners.models import LearningEvent
    from reporting.models import COUNTED_KINDS

    events = table(LearningEvent)
    settle()
    step.group_by_s, _rows = timed(sql_run, f"SELECT province_id, kind, COUNT(*) FROM {events} GROUP BY 1, 2")
    step.group_by_day_s, _rows = timed(
        sql_run,
        f"SELECT (occurred_at AT TIME ZONE %s)::date, province_id, kind, COUNT(*) FROM {events} GROUP BY 1, 2, 3",
        [TIME_ZONE],
    )
    # The groups the rebuild must form before anything is written: one per day, place, course and
    # group, about one for every two counted events.
    kinds = ", ".join(f"'{kind}'" for kind in COUNTED_KINDS)
    step.group_by_finest_s, _rows = timed(
        sql_run,
        f"""SELECT COUNT(*) FROM (
               SELECT (occurred_at AT TIME ZONE %s)::date, province_id, commune_id, course_id, audience_group, COUNT(*)
               FROM {events} WHERE kind IN ({kinds}) GROUP BY 1, 2, 3, 4, 5) AS finest""",
        [TIME_ZONE],
    )
    say(
        f"  GROUP BY province, kind: {step.group_by_s:.1f} s; by day too: {step.group_by_day_s:.1f} s; "
        f"by the summary's finest key: {step.group_by_finest_s:.1f} s"
    )


def new_events_write(count: int) -> int:
    """Copy `count` recent events as happening now, in their own committed transaction; return its id."""
    from django.db import transaction

    from learners.models import LearningEvent

    events = table(LearningEvent)
    with transaction.atomic():
        sql_run(
            f"""INSERT INTO {events} (kind, occurred_at, learner_id, course_id, course_run_id, lesson_id,
                                      course_owner_province_id, province_id, commune_id, audience_group)
                SELECT kind, now(), learner_id, course_id, course_run_id, lesson_id,
                       course_owner_province_id, province_id, commune_id, audience_group
                FROM {events} ORDER BY id DESC LIMIT %s""",
            [count],
        )
        return scalar("SELECT pg_current_xact_id()::text::bigint")


def marks_exact() -> None:
    """Let the fold and the rebuild count up to the newest event instead of the server's xmin.

    The mark is the snapshot's xmin, which is server-wide: a transaction left open in any database
    of the server (a test suite next door) holds every new event back, and a fold or rebuild then
    counts nothing. In this database the benchmark is the only writer and commits its events before
    measuring, so the newest transaction id + 1 is exact here.
    """
    from reporting.services import fold, rebuild

    def newest_plus_one() -> int:
        return scalar("SELECT COALESCE(MAX(xact_id), 0) + 1 FROM learners_learningevent")

    fold.fold_mark_now = rebuild.fold_mark_now = newest_plus_one


def fold_measure(step: Step) -> None:
    from reporting.services.compact import statistics_compact
    from reporting.services.fold import statistics_fold

    statistics_fold()  # nothing pending: the rebuild set the mark (and emptied the recent rows)
    new_events_write(1_000)
    step.first_fold_s, result = timed(statistics_fold)
    say(f"  first fold of {result.events:,} new events (no recent row yet): {step.first_fold_s * 1000:.0f} ms")
    # A fold of tens of milliseconds on a shared machine: the median of several.
    tries = []
    for _try in range(FOLD_TRIES):
        new_events_write(1_000)
        seconds, result = timed(statistics_fold)
        tries.append(seconds)
    step.folds[1_000] = statistics.median(tries)
    say(
        f"  fold of {result.events:,} new events over a history of {step.events:,}: median of {FOLD_TRIES} "
        f"{step.folds[1_000] * 1000:.0f} ms ({', '.join(f'{t * 1000:.0f}' for t in tries)})"
    )
    new_events_write(100_000)
    step.folds[100_000], result = timed(statistics_fold)
    say(
        f"  fold of {result.events:,} new events over a history of {step.events:,}: {step.folds[100_000] * 1000:.0f} ms"
    )
    step.compact_s, compacted = timed(statistics_compact)
    step.compact_rows = compacted.rows
    say(f"  compaction: {compacted.rows:,} recent rows into the summary in {step.compact_s * 1000:.0f} ms")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def dashboards_available() -> str | None:
    """Why the dashboards cannot be measured, or None when they can."""
    try:
        from reporting.views import dashboards  # noqa: F401

        return None
    except ImportError as error:
        return f"reporting.views.dashboards does not import ({error})"


def dashboards_measure(step: Step, staff, repeat: int) -> None:
    from datetime import timedelta

    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    reason = dashboards_available()
    if reason:
        step.notes.append(f"dashboards not measured: {reason}")
        say(f"  dashboards not measured: {reason}")
        return
    today = timezone.localdate()
    year = {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat()}
    pages = [
        ("national, last 30 days", reverse("reporting:national"), {}),
        ("national, 1 year", reverse("reporting:national"), year),
        ("Hà Nội, last 30 days", reverse("reporting:province", args=[HANOI]), {}),
        ("Hà Nội, 1 year", reverse("reporting:province", args=[HANOI]), year),
    ]
    client = Client()
    client.force_login(staff)
    for label, url, query in pages:
        for _ in range(2):
            response = client.get(url, query)
            if response.status_code != 200:
                step.notes.append(f"{label}: HTTP {response.status_code}")
                say(f"  {label}: HTTP {response.status_code}, not measured")
                break
        else:
            samples = []
            for number in range(repeat):
                # Every alias: the figures are read on "replica" (the primary itself when there is none).
                with ExitStack() as stack:
                    captures = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
                    # Another URL each time: a cache miss.
                    seconds, _response = timed(client.get, url, {**query, "miss": f"{time.time()}.{number}"})
                samples.append(seconds * 1000)
            queries = [captured for capture in captures for captured in capture.captured_queries]
            step.dashboards[label] = (statistics.median(samples), percentile(samples, 95), len(queries))
            median, p95, count = step.dashboards[label]
            say(f"  {label}: median {median:.0f} ms, p95 {p95:.0f} ms, {count} SQL queries")
            # Where the time goes: the slowest queries of the last request.
            for captured in sorted(queries, key=lambda q: -float(q["time"]))[:2]:
                say(f"      {float(captured['time']) * 1000:6.0f} ms  {' '.join(captured['sql'].split())[:110]}")


def during_rebuild_measure(step: Step, staff) -> None:
    """The national page, each request a cache miss, before and while statistics_rebuild() runs in a thread."""
    import threading

    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from reporting.services.rebuild import statistics_rebuild

    client = Client()
    client.force_login(staff)
    url = reverse("reporting:national")

    def page_ms(number: int) -> float:
        seconds, response = timed(client.get, url, {"miss": f"{time.time()}.{number}"})
        assert response.status_code == 200, response.status_code
        return seconds * 1000

    before = [page_ms(number) for number in range(10)]
    done = threading.Event()

    def rebuild() -> None:
        try:
            statistics_rebuild()
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=rebuild)
    started = time.perf_counter()
    thread.start()
    time.sleep(0.2)
    during = []
    while not done.is_set():
        during.append(page_ms(len(during)))
    thread.join()
    step.during_rebuild = (statistics.median(before), statistics.median(during), max(during), len(during))
    say(
        f"  national page while a rebuild ran ({time.perf_counter() - started:.1f} s): {len(during)} requests, "
        f"median {step.during_rebuild[1]:.0f} ms, slowest {step.during_rebuild[2]:.0f} ms "
        f"(before it: median {step.during_rebuild[0]:.0f} ms)"
    )


def cached_measure(step: Step, staff, rounds: int = 5, requests: int = 100) -> None:
    """The national page served again from the cache, against the bare view: ms a request of each.

    "Again" two ways: the whole page from the server's cache (as another viewer of the same scope
    gets it), and the same browser asking with the page's ETag (a reload: 304, no body). All go
    through the same middleware in this process (Django's test client, gzip asked for as a browser
    does), taking turns in rounds so a busy moment of the machine hits them alike.
    """
    from django.test import Client, override_settings
    from django.urls import reverse

    client = Client(headers={"accept-encoding": "gzip, deflate"})
    client.force_login(staff)
    # The test settings read the fold stamp on every request; production trusts it for a second.
    with override_settings(ROOT_URLCONF="bench.urls", FOLD_STAMP_TRUST_SECONDS=1.0):
        url, bare, signed_in = reverse("reporting:national"), reverse("bench_bare"), reverse("bench_bare_signed_in")
        assert client.get(url).status_code == 200  # now in the cache, and the browser has its CSRF cookie
        etag = client.get(url)["ETag"]
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
        assert client.get(signed_in).content == b"ok"
        cached, revisits, plain, plain_signed_in = [], [], [], []
        for _ in range(rounds):
            seconds, _ = timed(lambda: [client.get(url) for _ in range(requests)])
            cached.append(seconds * 1000 / requests)
            seconds, _ = timed(lambda: [client.get(url, headers={"if-none-match": etag}) for _ in range(requests)])
            revisits.append(seconds * 1000 / requests)
            seconds, _ = timed(lambda: [client.get(bare) for _ in range(requests)])
            plain.append(seconds * 1000 / requests)
            seconds, _ = timed(lambda: [client.get(signed_in) for _ in range(requests)])
            plain_signed_in.append(seconds * 1000 / requests)
    step.cached_ms, step.bare_ms = statistics.median(cached), statistics.median(plain)
    step.revisit_ms, step.signed_in_ms = statistics.median(revisits), statistics.median(plain_signed_in)
    say(
        f"  cached national page: {step.cached_ms:.2f} ms a request, the same browser's revisit (304) "
        f"{step.revisit_ms:.2f} ms, bare view {step.bare_ms:.2f} ms (reading who is signed in "
        f"{step.signed_in_ms:.2f} ms): requests/s ratios {step.bare_ms / step.cached_ms:.2f} and "
        f"{step.bare_ms / step.revisit_ms:.2f}"
    )


def export_generator():
    """The learner-level CSV generator (reporting.selectors.exports.learner_rows_csv), or why there is none."""
    try:
        from reporting.selectors.exports import LearnerQuery, learner_rows_csv
    except ImportError as error:
        return None, f"reporting.selectors.exports.learner_rows_csv does not import ({error})"
    return (LearnerQuery, learner_rows_csv), None


def rss_mb() -> float:
    """The resident set size now, from /proc (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def export_measure(step: Step, rows: int) -> None:
    generator, reason = export_generator()
    if generator is None:
        step.notes.append(f"export not measured: {reason}")
        say(f"  export not measured: {reason}")
        return
    chunks = export_chunks(generator, rows)
    tracemalloc.start()
    rss_before = rss_mb()
    rss_peak = rss_before
    started = time.perf_counter()
    lines = 0
    for number, chunk in enumerate(chunks):
        lines += chunk.count("\n") if isinstance(chunk, str) else chunk.count(b"\n")
        if number % 1000 == 0:
            rss_peak = max(rss_peak, rss_mb())
        if lines > rows:
            break
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = max(rss_peak, rss_mb())
    step.exports[rows] = (seconds, peak / 2**20, rss_peak - rss_before, lines - 1)
    say(
        f"  export of {lines - 1:,} learner rows: {seconds:.1f} s, tracemalloc peak {peak / 2**20:.1f} MB, "
        f"RSS growth {rss_peak - rss_before:.1f} MB"
    )


def export_chunks(generator, rows: int):
    """The national learner-level export of the last year, as CSV byte chunks."""
    from datetime import timedelta

    from django.utils import timezone

    from onetouch.models import User

    query_class, csv_generator = generator
    today = timezone.localdate()
    query = query_class(province_id=None, start=today - timedelta(days=364), end=today)
    # Ministry staff read every course; the viewer is never saved.
    return iter(csv_generator(query, viewer=User(role=User.Role.MINISTRY_STAFF)))


# --- The run --------------------------------------------------------------------------------------


def report(steps: list[Step], machine: str) -> None:
    say("\n=== Figures ===")
    say(machine)
    header = f"{'':44}" + "".join(f"{step.enrolments:>16,}" for step in steps)
    say(header)
    say("-" * len(header))

    def line(label: str, values: list[str]) -> None:
        say(f"{label:<44}" + "".join(f"{value:>16}" for value in values))

    line("enrolments", [f"{s.enrolments:,}" for s in steps])
    line("learners", [f"{s.learners:,}" for s in steps])
    line("learning events", [f"{s.events:,}" for s in steps])
    line("events table + indexes (MB)", [f"{s.events_bytes / 2**20:,.0f}" for s in steps])
    line("data build, cumulative step (s)", [f"{s.build_s:.0f}" for s in steps])
    line("statistics_rebuild() (s)", [f"{s.rebuild_s:.1f}" for s in steps])
    line("summary count rows", [f"{s.summary_rows:,}" for s in steps])
    line("reporting_summarycount size (MB)", [f"{s.summary_bytes / 2**20:,.0f}" for s in steps])
    line("GROUP BY province, kind (s)", [f"{s.group_by_s:.1f}" for s in steps])
    line("GROUP BY day, province, kind (s)", [f"{s.group_by_day_s:.1f}" for s in steps])
    line("GROUP BY day, commune, course, group (s)", [f"{s.group_by_finest_s:.1f}" for s in steps])
    line("first fold of 1,000 new events (ms)", [f"{s.first_fold_s * 1000:.0f}" for s in steps])
    for index, label in enumerate(("fold of 1,000 new events (ms)", "fold of 100,000 new events (ms)")):
        values = []
        for s in steps:
            folds = sorted(s.folds.items())
            values.append(f"{folds[index][1] * 1000:.0f}" if len(folds) > index else "-")
        line(label, values)
    line("compaction: recent rows, ms", [f"{s.compact_rows:,}, {s.compact_s * 1000:.0f}" for s in steps])
    line("enrolment recount: counts set / none moved (s)", ["{:.1f} / {:.1f}".format(*s.recount_s) for s in steps])
    labels = sorted({label for s in steps for label in s.dashboards}, key=lambda x: (not x.startswith("nat"), x))
    for label in labels:
        line(
            f"{label}: median / p95 ms (queries)",
            ["{:.0f} / {:.0f} ({})".format(*s.dashboards[label]) if label in s.dashboards else "-" for s in steps],
        )
    for rows in sorted({rows for s in steps for rows in s.exports}):
        line(
            f"export {rows:,} rows: s / peak MB / RSS+ MB",
            ["{:.0f} / {:.1f} / {:.0f}".format(*s.exports[rows][:3]) if rows in s.exports else "-" for s in steps],
        )
    line(
        "national page before / during rebuild (ms)",
        ["{:.0f} / {:.0f}".format(*s.during_rebuild[:2]) if s.during_rebuild else "-" for s in steps],
    )
    line("  slowest during rebuild (ms), requests", [
        "{2:.0f}, {3}".format(*s.during_rebuild) if s.during_rebuild else "-" for s in steps
    ])  # fmt: skip
    line(
        "cached national page / 304 revisit / bare (ms)",
        [f"{s.cached_ms:.2f} / {s.revisit_ms:.2f} / {s.bare_ms:.2f}" for s in steps],
    )
    line("bare view reading who is signed in (ms)", [f"{s.signed_in_ms:.2f}" for s in steps])
    say("\n=== Ratios (aims of issue 17) ===")
    small, large = steps[0], steps[-1]
    fold_small, fold_large = small.folds.get(1_000), large.folds.get(1_000)
    if fold_small and fold_large:
        say(
            f"fold of 1,000 events, history {large.events:,} ÷ {small.events:,}: "
            f"{fold_large * 1000:.0f} ms ÷ {fold_small * 1000:.0f} ms = {fold_large / fold_small:.2f} (aim ≤ 1.5)"
        )
    if small.first_fold_s and large.first_fold_s:
        say(
            f"first fold of 1,000 events after a compaction, same histories: {large.first_fold_s * 1000:.0f} ms ÷ "
            f"{small.first_fold_s * 1000:.0f} ms = {large.first_fold_s / small.first_fold_s:.2f}"
        )
    for s in steps:
        if s.group_by_finest_s:
            say(
                f"rebuild ÷ GROUP BY by the finest key at {s.enrolments:,} enrolments: {s.rebuild_s:.1f} s ÷ "
                f"{s.group_by_finest_s:.1f} s = {s.rebuild_s / s.group_by_finest_s:.2f} (aim ≤ 4)"
            )
        if s.during_rebuild:
            before, during, slowest, _count = s.during_rebuild
            say(
                f"national page during ÷ before a rebuild at {s.enrolments:,}: median {during:.0f} ÷ {before:.0f} ms "
                f"= {during / before:.2f}, slowest {slowest:.0f} ms (aim: never waits)"
            )
        if s.cached_ms:
            say(
                f"cached dashboard ÷ bare view, requests/s at {s.enrolments:,}: {s.bare_ms:.2f} ms ÷ "
                f"{s.cached_ms:.2f} ms = {s.bare_ms / s.cached_ms:.2f} (aim ≥ 0.3); the same browser's revisit "
                f"(304): {s.bare_ms / s.revisit_ms:.2f}"
            )
            say(
                f"  the same against the bare view that reads who is signed in ({s.signed_in_ms:.2f} ms, the floor of "
                f"any signed-in page): {s.signed_in_ms / s.cached_ms:.2f} and {s.signed_in_ms / s.revisit_ms:.2f}"
            )
    for s in steps:
        for note in s.notes:
            say(f"note at {s.enrolments:,}: {note}")


def dashboards_wait(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while dashboards_available() and time.monotonic() < deadline:
        say("  waiting for reporting/views/dashboards.py ...")
        time.sleep(60)


def main() -> int:
    args = options()

    def stop_on_term(signum, frame):  # a TERM is handled like Ctrl+C: clean up, then leave
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored (cmd &)
    os.environ.update(environment(args))
    sys.path.insert(0, str(REPO))
    started = time.monotonic()
    steps: list[Step] = []
    try:
        say(f"Preparing database {args.db_name} ...")
        database_recreate(args.postgres, args.db_name, create=True)
        import django

        django.setup()
        marks_exact()
        loaded = reference_prepare()
        staff = ministry_staff_make()
        say(
            f"  {loaded['provinces']} provinces, {loaded['communes']} communes, {loaded['courses']} courses "
            f"({loaded['demo']} demo); {time.monotonic() - started:.0f} s"
        )
        sizes = [size for size in args.steps if size < args.enrolments] + [args.enrolments]
        done = 0
        for size in sizes:
            step = Step(enrolments=size)
            steps.append(step)
            say(f"\nGrowing to {size:,} enrolments ...")
            step.build_s, _ = timed(grow, done, size)
            done = size
            counts_measure(step)
            say(f"  {step.learners:,} learners, {step.events:,} events; built in {step.build_s:.0f} s")
            rebuild_measure(step)
            counts_measure(step)
            if not args.quick:
                group_by_measure(step)
                recount_measure(step)
            if args.wait_views:
                dashboards_wait(args.wait_views)
            dashboards_measure(step, staff, args.repeat)
            if not dashboards_available() and not args.quick:
                during_rebuild_measure(step, staff)
                cached_measure(step, staff)
            for rows in (100_000, 1_000_000):
                if rows <= step.enrolments and not args.no_export and not args.quick:
                    export_measure(step, rows)
            fold_measure(step)  # last: its new events would otherwise be in the other figures
        load = os.getloadavg()
        report(steps, f"Machine: {os.cpu_count()} CPUs; load average at the end {load[0]:.2f}.")
        say(f"\nTotal run time {time.monotonic() - started:.0f} s.")
        return 0
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        if steps:
            report(steps, "Interrupted: figures so far.")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        if not args.keep_db:
            database_drop_at_exit(args.postgres, args.db_name)


if __name__ == "__main__":
    sys.exit(main())
