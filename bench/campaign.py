#!/usr/bin/env python
"""The campaign's mix of visitors (bench/locustfile.py) against a bare Django view, in one run.

    .venv/bin/python bench/campaign.py            # about three minutes on 2 cores
    .venv/bin/python bench/campaign.py --help

It creates its own PostgreSQL database and fills it: administrative units, the demo catalogue with
its media, a few thousand generated courses (bench/catalogue_rps.py's catalogue), campaign courses
of video lessons, tens of thousands of generated learners with their enrolments, and the accounts
Locust signs in with. It serves the platform with gunicorn (bench/server.py: DEBUG off, Redis as
the cache, the platform's settings), loads the bare view (bench/urls.py) for a few seconds, then
runs Locust headless with the campaign's users. It prints requests/s, p50/p95/p99 by kind of
request and overall, the errors, gunicorn's (and PostgreSQL's) CPU time per request read from
/proc, and the ratios against the bare view measured in the same run. Everything it made (server,
database, cache keys under its prefix, temporary files) is removed at the end, also on Ctrl+C.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

# Run as a script, so this folder is on sys.path.
from catalogue_rps import SUBJECTS, catalogue_prepare
from databases import database_name_check, database_options_add, database_recreate
from load import python_run, wrk_run
from proxy_cache import nginx_serving
from server import (
    REPO,
    bench_scratch,
    cache_keys_delete,
    cpu_seconds_between,
    get,
    gunicorn_cpu_seconds,
    gunicorn_serving,
    log_tail,
    postgres_backends,
    process_cpu_seconds,
)

CACHE_PREFIX = "onetouch_bench_campaign"
PASSWORD = "bench-campaign-2025"  # noqa: S105 - the generated accounts' password, this run only
# The aims for this mix on the same machine: p95 at most 200 ms, twice today's requests/s.
AIM_P95_MS = 200.0
# Searches people type, without and with diacritics (the catalogue folds both).
SEARCHES = [subject for subject, _topic in SUBJECTS[::2]] + ["chuyen doi so", "vneid", "lua dao", "thanh toan"]


def say(text: str) -> None:
    print(text, flush=True)


# --- Options and environment --------------------------------------------------------------------


def options() -> argparse.Namespace:
    cpus = os.cpu_count() or 2
    parser = argparse.ArgumentParser(
        description="The campaign's mix with Locust against a bare Django view (gunicorn, PostgreSQL, Redis).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--users", type=int, default=200, help="Locust users (70 %% browse, 20 %% watch, 5 + 5 %%)")
    parser.add_argument("--spawn-rate", type=float, default=50, help="Locust users started per second")
    parser.add_argument("--seconds", type=int, default=60, help="Locust's measured time, after the warm-up")
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="Locust's first seconds, not measured: spawning and the watchers' sign-ins (0: measure from the start)",
    )
    parser.add_argument("--think-scale", type=float, default=1.0, help="multiplies every think time of the users")
    parser.add_argument("--bare-seconds", type=float, default=5, help="load on the bare view before Locust")
    parser.add_argument("--bare-concurrency", type=int, default=8, help="connections loading the bare view")
    parser.add_argument("--workers", type=int, default=cpus + 1, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--keepalive", type=int, default=None, help="gunicorn's --keep-alive seconds (gthread)")
    parser.add_argument(
        "--servers",
        nargs="+",
        metavar="CLASS:WORKERS[:THREADS]",
        help="several gunicorn set-ups measured one after the other on the same data (e.g. sync:3 gthread:2:4); "
        "instead of --worker-class, --workers and --threads",
    )
    parser.add_argument("--courses", type=int, default=2000, help="generated catalogue courses (no lessons)")
    parser.add_argument("--enrolments", type=int, default=500_000, help="enrolment_count spread over those courses")
    parser.add_argument("--campaign-courses", type=int, default=12, help="courses of video lessons learners watch")
    parser.add_argument("--learners", type=int, default=50_000, help="generated learners, 2.5 enrolments each")
    parser.add_argument("--accounts", type=int, default=600, help="accounts Locust signs in with")
    parser.add_argument("--profile", type=Path, help="record the gunicorn workers with py-spy into this folder")
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="Locust calls nginx with deploy/nginx.conf in front of gunicorn, as production does (anonymous "
        "pages from nginx's cache); the bare view is still measured on gunicorn",
    )
    database_options_add(parser, db_name="onetouch_bench_campaign")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated data")
    args = parser.parse_args()
    database_name_check(parser, args)
    try:
        args.servers = (
            [server_config(text) for text in args.servers]
            if args.servers
            else [{"worker_class": args.worker_class, "workers": args.workers, "threads": args.threads}]
        )
    except ValueError:
        parser.error("--servers takes CLASS:WORKERS[:THREADS], e.g. sync:3 or gthread:2:4")
    if args.users < 1 or args.seconds < 10 or args.warmup < 0 or args.accounts < args.users:
        parser.error("--users must be >= 1, --seconds >= 10 and --accounts >= --users")
    return args


def server_config(text: str) -> dict:
    worker_class, workers, *threads = text.split(":")
    if not worker_class or len(threads) > 1:
        raise ValueError(text)
    return {"worker_class": worker_class, "workers": int(workers), "threads": int(threads[0]) if threads else 1}


# --- The data -----------------------------------------------------------------------------------


def campaign_prepare(args: argparse.Namespace) -> dict:
    """Add the campaign's video courses, the generated learners and the accounts; return Locust's plan."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, connections

    from courses.models import Audience, Course, Lesson
    from courses.services.catalogue import course_publish
    from courses.services.structure import module_create
    from learners.models import LearnerProfile
    from learners.selectors.progress import lesson_is_open
    from learners.services.enrolments import enrolment_create
    from onetouch.models import AudienceGroup, Commune, User

    rng = random.Random(args.seed)
    video = Lesson.objects.filter(kind=Lesson.Kind.VIDEO, is_published=True).order_by("id").first()
    if video is None:
        raise RuntimeError("the demo's video lesson was not made: install ffmpeg and fonts (scripts/common.sh)")

    # Campaign courses: modules of video lessons sharing the demo video's processed files, each
    # lesson claiming 3 to 12 minutes (the heartbeat's work does not depend on the file).
    public = Audience.objects.get(code=AudienceGroup.PUBLIC)
    campaign, durations = [], {}
    for number in range(args.campaign_courses):
        subject, topic = SUBJECTS[number % len(SUBJECTS)]
        course = Course.objects.create(
            title=f"Tháng tiêu dùng số: {subject} (bài giảng video {number + 1})",
            slug=f"thang-tieu-dung-so-{number + 1}",
            summary="Bài giảng video ngắn của chiến dịch.",
            topic=topic,
        )
        course.audiences.add(public)
        for module_number in range(2):
            module = module_create(course=course, title=f"Phần {module_number + 1}")
            for lesson_number in range(3):
                lesson = Lesson.objects.get(id=video.id)
                lesson.pk = None
                lesson.course, lesson.module, lesson.position = course, module, lesson_number
                lesson.title = f"Video {module_number * 3 + lesson_number + 1}"
                lesson.duration_seconds = float(rng.randrange(180, 721))
                lesson.save()
                durations[str(lesson.id)] = lesson.duration_seconds
        campaign.append(course_publish(course=course))

    # The accounts Locust signs in with: learners with a profile, one password hashed once.
    communes = list(Commune.objects.select_related("province").order_by("code")[::50])
    password = make_password(PASSWORD)
    User.objects.bulk_create(
        User(email=f"bench-learner-{n}@bench.invalid", full_name=f"Học viên {n}", password=password)
        for n in range(args.accounts)
    )
    accounts = list(User.objects.filter(email__endswith="@bench.invalid").order_by("id"))
    LearnerProfile.objects.bulk_create(
        LearnerProfile(user=user, audience_group=AudienceGroup.PUBLIC, province=commune.province, commune=commune)
        for user, commune in ((user, rng.choice(communes)) for user in accounts)
    )
    # Watchers take three campaign courses each; quiz takers the demo courses with a final quiz
    # they may open at once; enrollers start with none.
    watchers = accounts[: max(1, args.accounts // 2)]
    quiz_takers = accounts[len(watchers) : len(watchers) + args.accounts // 4]
    enrollers = accounts[len(watchers) + len(quiz_takers) :]
    say(f"  {len(campaign)} campaign courses, {len(accounts)} accounts; enrolling them")
    for user in watchers:
        for course in rng.sample(campaign, min(3, len(campaign))):
            enrolment_create(learner=user, course=course)
    quizzes = list(
        Lesson.objects.filter(kind=Lesson.Kind.QUIZ, is_published=True, course__is_published=True).select_related(
            "course"
        )
    )
    for user in quiz_takers:
        for lesson in quizzes:
            enrolment_create(learner=user, course=lesson.course)
    open_quizzes = [
        lesson for lesson in quizzes if quiz_takers and lesson_is_open(learner=quiz_takers[0], lesson=lesson)
    ]

    say(f"  generating {args.learners:,} learners and their enrolments")
    generated = learners_generate(args.learners, seed=args.seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    published = list(Course.objects.filter(is_published=True).values_list("slug", "enrolment_count"))
    # Course pages visited: popular courses more often (a few hundred distinct pages).
    browse = [slug for slug, _count in sorted(published, key=lambda pair: -pair[1])[:300]]
    with_lessons = list(
        Course.objects.filter(is_published=True, lessons__is_published=True).values_list("slug", flat=True).distinct()
    )
    connections.close_all()
    return {
        "password": PASSWORD,
        "watchers": [user.email for user in watchers],
        "quiz_takers": [user.email for user in quiz_takers],
        "enrollers": [user.email for user in enrollers] or [user.email for user in watchers],
        "audiences": list(AudienceGroup.values),
        "searches": SEARCHES,
        "browse_courses": browse,
        "enrol_courses": sorted(with_lessons),
        "quiz_lessons": [f"/learning/courses/{lesson.course.slug}/{lesson.id}/" for lesson in open_quizzes],
        "video_seconds": durations,
        "generated_learners": generated,
    }


def learners_generate(count: int, *, seed: int) -> int:
    """Add `count` learners (user and profile) and 2.5 enrolments each over the published courses, in SQL.

    Enrolment rows only: the catalogue's enrolment_count is set by catalogue_rps.py, and no
    events are written (no fold runs during the benchmark).
    """
    from django.db import connection, transaction

    from courses.models import Course
    from learners.models import Enrolment, LearnerProfile
    from onetouch.models import Commune, User

    users, profiles = User._meta.db_table, LearnerProfile._meta.db_table
    enrolments, courses, communes = Enrolment._meta.db_table, Course._meta.db_table, Commune._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute(
            f"""INSERT INTO {users} (password, is_superuser, email, phone_verified, full_name, role, is_staff,
                                     is_active, date_joined)
                SELECT '!', false, 'learner-' || k || '@generated.invalid', false, '', 'learner', false, true,
                       now() - interval '90 days' * random()
                FROM generate_series(1, %s) AS k""",
            [count],
        )
        cursor.execute(f"ANALYZE {users}")  # the plans below join on it: let the planner know its size
        cursor.execute(
            f"""INSERT INTO {profiles} (user_id, audience_group, province_id, commune_id, organisation, position,
                                        updated_at)
                SELECT u.id, 'public', c.province_id, c.id, '', '', now()
                FROM (SELECT id, (random() * (SELECT COUNT(*) - 1 FROM {communes}))::int AS place
                      FROM {users} WHERE email LIKE '%%@generated.invalid') AS u
                JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, province_id FROM {communes}) AS c
                  ON c.n = u.place""",
            [],  # with parameters, "%%" is a literal "%"
        )
        # Two or three courses each, the popular ones more often (the rank is a power of a uniform
        # draw; "+ slot * 0" ties the draw to each row, so it is drawn again for every enrolment).
        cursor.execute(
            f"""CREATE TEMP TABLE bench_rank ON COMMIT DROP AS
                SELECT row_number() OVER (ORDER BY enrolment_count DESC, id) - 1 AS n, id
                FROM {courses} WHERE is_published"""
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_rank (n)")
        cursor.execute("ANALYZE bench_rank")
        cursor.execute("SELECT COUNT(*) FROM bench_rank")
        ranked = cursor.fetchone()[0]
        cursor.execute(
            f"""INSERT INTO {enrolments} (learner_id, course_id, course_run_id, is_active, enrolled_at)
                SELECT DISTINCT ON (u.id, c.id) u.id, c.id, NULL, true, u.date_joined
                FROM (SELECT id, date_joined, floor(power(random() + slot * 0, 3) * %s)::int AS n
                      FROM (SELECT id, date_joined, generate_series(1, 2 + (id %% 2)) AS slot
                            FROM {users} WHERE email LIKE '%%@generated.invalid') AS slots) AS u
                JOIN bench_rank c ON c.n = u.n""",
            [ranked],
        )
    return count


# --- Measurements -------------------------------------------------------------------------------


@dataclass
class Kind:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    average: float


def locust_stats(csv_prefix: Path) -> list[Kind]:
    """Read Locust's <prefix>_stats.csv: one row per kind of request, and the "Aggregated" row last."""

    def number(text: str) -> float:
        return float(text) if text not in ("", "N/A") else 0.0  # N/A: no request of that kind since the reset

    kinds = []
    with open(f"{csv_prefix}_stats.csv", newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if int(row["Request Count"]) == 0 and row["Name"] != "Aggregated":
                continue
            kinds.append(
                Kind(
                    name=row["Name"],
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    rps=number(row["Requests/s"]),
                    p50=number(row["50%"]),
                    p95=number(row["95%"]),
                    p99=number(row["99%"]),
                    average=number(row["Average Response Time"]),
                )
            )
    return kinds


def locust_failures(csv_prefix: Path, limit: int = 10) -> list[str]:
    path = Path(f"{csv_prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as file:
        return [f"{row['Occurrences']} x {row['Name']}: {row['Error'][:160]}" for row in csv.DictReader(file)][:limit]


def postgres_cpu_seconds(database: str) -> dict[int, float]:
    return {pid: process_cpu_seconds(pid) for pid in postgres_backends(database)}


@dataclass
class Window:
    """CPU seconds used by gunicorn and by PostgreSQL's backends of the benchmark's database over a stretch."""

    gunicorn: float
    postgres: float
    seconds: float


class CpuMeter:
    def __init__(self, master_pid: int, database: str) -> None:
        self.master_pid, self.database = master_pid, database

    def start(self) -> None:
        self.started = time.monotonic()
        self.gunicorn = gunicorn_cpu_seconds(self.master_pid)
        self.postgres = postgres_cpu_seconds(self.database)

    def stop(self) -> None:
        self.window = Window(
            gunicorn=cpu_seconds_between(self.gunicorn, gunicorn_cpu_seconds(self.master_pid)),
            postgres=cpu_seconds_between(self.postgres, postgres_cpu_seconds(self.database)),
            seconds=time.monotonic() - self.started,
        )

    def __enter__(self) -> CpuMeter:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def locust_run(
    args: argparse.Namespace, port: int, plan: Path, folder: Path, measure_start: Callable[[], None]
) -> float:
    """Run Locust headless to its end; return its own CPU seconds (it shares the machine's cores).

    Locust runs for --warmup plus --seconds; at the end of the warm-up the locustfile resets its
    statistics and writes a mark, on which `measure_start` is called (at once without a warm-up).
    """
    mark = folder / "measuring"
    command = [
        sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "locustfile.py"),
        "--headless", "-u", str(args.users), "-r", f"{args.spawn_rate:g}", "-t", f"{args.warmup + args.seconds}s",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(folder / "locust"), "--only-summary",
        "--stop-timeout", "5", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    env = {
        **os.environ,
        "BENCH_CAMPAIGN_PLAN": str(plan),
        "BENCH_THINK_SCALE": f"{args.think_scale:g}",
        "BENCH_WARMUP_SECONDS": str(args.warmup),
        "BENCH_MEASURE_MARK": str(mark),
    }
    log = folder / "locust.log"
    with log.open("ab") as output:
        locust = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=output, start_new_session=True)
        measuring = False
        try:
            while True:
                if not measuring and (args.warmup <= 0 or mark.exists()):
                    measure_start()
                    measuring = True
                pid, status, usage = os.wait4(locust.pid, os.WNOHANG)
                if pid:
                    break
                time.sleep(0.05)
        except BaseException:
            os.killpg(locust.pid, signal.SIGTERM)
            locust.wait(timeout=15)
            raise
        locust.returncode = os.waitstatus_to_exitcode(status)
    if locust.returncode != 0 or not measuring:
        raise RuntimeError(f"locust exited with {locust.returncode} (measured: {measuring}):\n{log_tail(log)}")
    return usage.ru_utime + usage.ru_stime


def profilers_start(master_pid: int, folder: Path, seconds: float) -> list[subprocess.Popen]:
    """py-spy on each gunicorn worker for `seconds`, as raw collapsed stacks (one file per worker)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    folder.mkdir(parents=True, exist_ok=True)
    from server import process_children

    return [
        subprocess.Popen(
            [
                py_spy,
                "record",
                "--pid",
                str(worker),
                "--duration",
                str(int(seconds)),
                "--rate",
                "100",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(folder / f"worker-{worker}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for worker in process_children(master_pid)
    ]


# Where a sampled stack spends its time: the first category whose marker one of its frames holds,
# in this order (a query run while a template renders counts as the query).
PROFILE_CATEGORIES = [
    ("password hashing (sign-ins)", ("pbkdf2 (", "argon2/")),
    ("waiting for PostgreSQL (psycopg2)", ("CursorWrapper._execute (", "DatabaseWrapper.is_usable (", "connect (")),
    ("waiting for Redis (cache, sessions)", ("redis/",)),
    ("building SQL (ORM compiler)", ("django/db/models/sql/",)),
    ("rest of the ORM (querysets, model instances)", ("django/db/",)),
    ("template rendering", ("django/template/",)),
    ("forms", ("django/forms/",)),
    ("gzip of responses", ("gzip", "compression.py")),
    ("translations, URL resolving", ("django/utils/translation/", "django/urls/")),
    ("gunicorn (sockets, parsing)", ("gunicorn/",)),
]
PROJECT_FOLDERS = ("courses/", "learners/", "onetouch/", "reporting/", "announcements/", "inperson/", "rosters/")


def profile_samples(folder: Path):
    """(frames, samples) of every stack py-spy recorded (--format raw: "frame;frame;... count")."""
    for path in sorted(folder.glob("worker-*.txt")):
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if count.isdigit():
                yield stack.split(";"), int(count)


def profile_summary(folder: Path, top: int = 12) -> list[str]:
    """Lines telling where the workers' samples went: by category, the hottest leaves, the project's functions."""
    categories, leaves, project, total = {}, {}, {}, 0
    for frames, samples in profile_samples(folder):
        total += samples
        category = next(
            (name for name, markers in PROFILE_CATEGORIES if any(m in frame for frame in frames for m in markers)),
            "other Python (views, middleware, selectors)",
        )
        categories[category] = categories.get(category, 0) + samples
        leaf = re.sub(r":\d+\)$", ")", frames[-1])
        leaves[leaf] = leaves.get(leaf, 0) + samples
        own = {re.sub(r":\d+\)$", ")", f) for f in frames if f.split(" (", 1)[-1].startswith(PROJECT_FOLDERS)}
        for name in {name for name in own if "Middleware" not in name}:  # middleware wraps every request
            project[name] = project.get(name, 0) + samples
    if not total:
        return ["(no samples: is py-spy allowed to attach? it needs ptrace, e.g. root)"]

    def block(title: str, counts: dict, limit: int) -> list[str]:
        ranked = sorted(counts.items(), key=lambda pair: -pair[1])[:limit]
        return [title, *(f"  {samples / total:6.1%}  {name}" for name, samples in ranked)]

    return [
        f"{total:,} samples of busy worker threads",
        *block("By category (each sample once):", categories, len(categories)),
        *block("Hottest functions (self time):", leaves, top),
        *block("The project's functions (inclusive):", project, top),
    ]


@dataclass
class Summary:
    server: str
    bare_rps: float
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    cpu_ms: float
    cpu_ms_without_hashing: float
    bare_cpu_ms: float


def proxy_in_front(args: argparse.Namespace, folder: Path, gunicorn_port: int):
    """nginx in front of gunicorn with --proxy (yields it), else nothing (yields None)."""
    return nginx_serving(folder, gunicorn_port) if args.proxy else nullcontext()


def server_label(args: argparse.Namespace) -> str:
    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    proxy = ", nginx in front" if args.proxy else ""
    return f"{args.workers} {args.worker_class} workers{threads}{proxy}"


def server_measure(args: argparse.Namespace, env: dict, folder: Path, plan_path: Path, hash_ms: float) -> Summary:
    """Start gunicorn as `args` says, load the bare view, then run Locust; print and return the figures."""
    folder.mkdir()
    with gunicorn_serving(args, env, folder) as served:
        server, port, server_log = served.process, served.port, served.log
        say(f"\n=== gunicorn on 127.0.0.1:{port}: {server_label(args)} ===")
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        for path in ["/", "/courses/", f"/courses/{plan['browse_courses'][0]}/", "/accounts/login/"]:
            status, _body, _seconds = get(port, path)  # each must answer 200 before the load
            if status != 200:
                raise RuntimeError(f"{path} answered {status}.\n{log_tail(server_log)}")

        # The yardstick: the bare view through the same gunicorn, middleware and settings.
        bare_url = f"http://127.0.0.1:{port}/bench/bare/"
        measure = wrk_run if shutil.which("wrk") else python_run
        measure(bare_url, 1, args.bare_concurrency)  # warm-up
        with CpuMeter(server.pid, args.db_name) as bare_cpu:
            bare = measure(bare_url, args.bare_seconds, args.bare_concurrency)
        say(f"bare view: {bare.rps:.0f} requests/s ({measure.__name__}, {args.bare_concurrency} connections)")

        say(f"Locust: {args.users} users, {args.spawn_rate:g}/s, {args.warmup} s of warm-up, {args.seconds} s measured")
        profile = args.profile / folder.name if args.profile else None
        mix_cpu, profilers = CpuMeter(server.pid, args.db_name), []

        def measure_start() -> None:
            mix_cpu.start()
            if profile:
                profilers.extend(profilers_start(server.pid, profile, args.seconds))

        with proxy_in_front(args, folder, port) as proxy:
            locust_port = proxy.port if proxy else port
            nginx_before = gunicorn_cpu_seconds(proxy.process.pid) if proxy else {}
            locust_cpu = locust_run(args, locust_port, plan_path, folder, measure_start)
            mix_cpu.stop()
            if proxy:
                nginx_seconds = cpu_seconds_between(nginx_before, gunicorn_cpu_seconds(proxy.process.pid))
                say(f"nginx on 127.0.0.1:{proxy.port} in front (deploy/nginx.conf): {nginx_seconds:.1f} CPU s")
        csv_prefix = folder / "locust"
        for profiler in profilers:
            profiler.wait(timeout=60)
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn died during the load:\n{log_tail(server_log)}")

    summary = report(args, locust_stats(csv_prefix), bare, bare_cpu.window, mix_cpu.window, locust_cpu, hash_ms)
    for line in locust_failures(csv_prefix):
        say(f"  failure: {line}")
    if profile:
        say(f"\nWhere the workers' time went (py-spy on every worker, 100 samples/s; {profile}):")
        for line in profile_summary(profile):
            say(f"  {line}")
    return summary


def summaries_report(summaries: list[Summary]) -> None:
    say("\nServers compared (same data, same mix, one after the other):")
    header = (
        f"{'server':<34} {'bare r/s':>9} {'mix r/s':>8} {'mix/bare':>8} {'p50':>6} {'p95':>6} {'p99':>6} "
        f"{'errors':>6} {'CPU ms':>7} {'w/o hash':>8}"
    )
    say(header)
    for summary in summaries:
        say(
            f"{summary.server:<34} {summary.bare_rps:>9.0f} {summary.rps:>8.1f} {summary.rps / summary.bare_rps:>8.3f} "
            f"{summary.p50:>6.0f} {summary.p95:>6.0f} {summary.p99:>6.0f} {summary.errors:>6} "
            f"{summary.cpu_ms:>7.2f} {summary.cpu_ms_without_hashing:>8.2f}"
        )


def password_hash_ms(times: int = 3) -> float:
    """The CPU time of one password hash with the platform's hasher, in this process (what a sign-in costs)."""
    from django.contrib.auth.hashers import make_password

    samples = []
    for _ in range(times):
        begun = time.process_time()
        make_password(PASSWORD)
        samples.append(1000 * (time.process_time() - begun))
    return sorted(samples)[times // 2]


# --- The run ------------------------------------------------------------------------------------


def main() -> int:
    args = options()

    # Locust speaks plain HTTP to 127.0.0.1: the cookies must not be marked Secure (no other effect).
    plain_http = {"SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false"}
    started = time.monotonic()
    try:
        scratch_made = bench_scratch(args, "onetouch-bench-campaign-", cache_prefix=CACHE_PREFIX, extra_env=plain_http)
        with scratch_made as (scratch, env):
            plan_path = campaign_data_prepare(args, scratch, started)
            hash_ms = password_hash_ms()
            load_before = os.getloadavg()[0]
            summaries = []
            for number, config in enumerate(args.servers):
                if number:
                    cache_keys_delete(args.redis_url, prefix=CACHE_PREFIX)  # each server starts with a cold cache
                server_args = argparse.Namespace(**{**vars(args), **config})
                summaries.append(server_measure(server_args, env, scratch / f"server-{number}", plan_path, hash_ms))
            if len(summaries) > 1:
                summaries_report(summaries)
            print(
                f"\nMachine: {os.cpu_count()} CPUs, shared with the load generator; 1-minute load average "
                f"{load_before:.2f} before the first server started, {os.getloadavg()[0]:.2f} at the end."
            )
            if args.keep_db:
                kept = Path(tempfile.gettempdir()) / f"{args.db_name}-plan.json"
                shutil.copy(plan_path, kept)
                print(f"Kept the database {args.db_name}; Locust's plan is {kept}.")
            print(f"Total run time {time.monotonic() - started:.0f} s.")
            return 0
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"\nBenchmark failed: {error}", file=sys.stderr)
        return 1


def campaign_data_prepare(args: argparse.Namespace, scratch: Path, started: float) -> Path:
    """Make the database, the catalogue and the campaign's learners; write Locust's plan and return its path."""
    print(f"Preparing database {args.db_name} and cache {args.redis_url} (prefix {CACHE_PREFIX}) ...", flush=True)
    database_recreate(args.postgres, args.db_name, create=True)
    cache_keys_delete(args.redis_url, prefix=CACHE_PREFIX)
    loaded = catalogue_prepare(args)
    say(f"  catalogue ready after {time.monotonic() - started:.0f} s")
    plan = campaign_prepare(args)
    plan_path = scratch / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    print(
        f"  {loaded['demo']} demo and {loaded['generated']} generated catalogue courses, {args.campaign_courses} "
        f"campaign courses of {len(plan['video_seconds'])} video lessons, {plan['generated_learners']:,} generated "
        f"learners with their enrolments, {args.accounts} accounts for Locust ({len(plan['watchers'])} watchers, "
        f"{len(plan['quiz_takers'])} quiz takers, {len(plan['enrollers'])} enrollers), "
        f"{len(plan['quiz_lessons'])} open quizzes; took {time.monotonic() - started:.0f} s",
        flush=True,
    )
    return plan_path


def report(
    args, kinds: list[Kind], bare, bare_cpu: Window, mix_cpu: Window, locust_cpu: float, hash_ms: float
) -> Summary:
    overall = next(kind for kind in kinds if kind.name == "Aggregated")
    by_kind = sorted((kind for kind in kinds if kind.name != "Aggregated"), key=lambda kind: kind.name)
    print()
    header = (
        f"{'kind of request':<36} {'requests':>8} {'fails':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for kind in [*by_kind, overall]:
        name = "all requests" if kind is overall else kind.name
        if kind is overall:
            print("-" * len(header))
        print(
            f"{name:<36} {kind.requests:>8} {kind.failures:>5} {kind.rps:>7.1f} "
            f"{kind.p50:>7.0f} {kind.p95:>7.0f} {kind.p99:>7.0f}"
        )
    slowest = sorted(by_kind, key=lambda kind: -kind.p95)[:3]
    print("Highest p95: " + ", ".join(f"{kind.name} {kind.p95:.0f} ms" for kind in slowest))

    mix_requests = overall.requests
    mix_ms = 1000 * mix_cpu.gunicorn / mix_requests if mix_requests else 0.0
    mix_pg_ms = 1000 * mix_cpu.postgres / mix_requests if mix_requests else 0.0
    bare_ms = 1000 * bare_cpu.gunicorn / bare.requests if bare.requests else 0.0
    cores = os.cpu_count() or 1
    print()
    print(f"{'':<40} {'campaign mix':>14} {'bare view':>12} {'mix / bare':>11}")
    print(f"{'requests/s':<40} {overall.rps:>14.1f} {bare.rps:>12.1f} {overall.rps / bare.rps:>11.3f}")
    mix_latency = f"{overall.p50:.0f} / {overall.p95:.0f} / {overall.p99:.0f}"
    bare_latency = f"{bare.latency_ms.get('p50', 0):.1f} / - / {bare.latency_ms.get('p99', 0):.1f}"
    print(f"{'p50 / p95 / p99 ms':<40} {mix_latency:>14} {bare_latency:>12}")
    print(f"{'errors':<40} {overall.failures:>14} {bare.errors:>12}")
    print(f"{'gunicorn CPU ms per request':<40} {mix_ms:>14.2f} {bare_ms:>12.2f} {mix_ms / bare_ms:>11.1f}")
    # Sign-ins hash the password (Argon2id) on purpose: their share of the CPU, told apart.
    sign_ins = sum(kind.requests for kind in by_kind if kind.name.endswith("sign in (POST)"))
    hashing = sign_ins * hash_ms / 1000
    without_ms = 1000 * max(0.0, mix_cpu.gunicorn - hashing) / mix_requests if mix_requests else 0.0
    label = "  without the sign-ins' password hashes"
    print(f"{label:<40} {without_ms:>14.2f} {'':>12} {without_ms / bare_ms:>11.1f}")
    print(f"{'PostgreSQL CPU ms per request':<40} {mix_pg_ms:>14.2f} {'':>12}")
    print(
        f"{'requests/s gunicorn CPU allows on ' + str(cores) + ' cores':<40} "
        f"{1000 * cores / mix_ms if mix_ms else 0:>14.0f} {1000 * cores / bare_ms if bare_ms else 0:>12.0f}"
    )
    print(
        f"\nCPU during the mix ({mix_cpu.seconds:.0f} s): gunicorn {mix_cpu.gunicorn:.1f} s, PostgreSQL backends "
        f"{mix_cpu.postgres:.1f} s, Locust {locust_cpu:.1f} s, of {cores * mix_cpu.seconds:.0f} core-seconds."
    )
    print(
        f"Sign-ins: {sign_ins}, one password hash each ({hash_ms:.0f} ms of CPU, timed in this process): "
        f"about {hashing:.1f} s of gunicorn's {mix_cpu.gunicorn:.1f} s."
    )
    verdict = "meets" if overall.p95 <= AIM_P95_MS else "above"
    print(f"p95 {overall.p95:.0f} ms ({verdict} the aim of {AIM_P95_MS:.0f} ms); errors {overall.failures}.")
    return Summary(
        server=server_label(args),
        bare_rps=bare.rps,
        rps=overall.rps,
        p50=overall.p50,
        p95=overall.p95,
        p99=overall.p99,
        errors=overall.failures,
        cpu_ms=mix_ms,
        cpu_ms_without_hashing=without_ms,
        bare_cpu_ms=bare_ms,
    )


if __name__ == "__main__":
    sys.exit(main())
