#!/usr/bin/env python
"""Requests per second of the progress heartbeat against a bare Django view, in one run.

    .venv/bin/python bench/heartbeat.py            # about three minutes on 2 cores (most of it preparing)
    .venv/bin/python bench/heartbeat.py --help

It creates its own PostgreSQL database with a published course holding a one-hour video lesson and
a 20-page slide deck, and `--learners` learners, each enrolled, with a real session (the rows
`django.contrib.auth.login` writes) and the lesson page opened over HTTP: the page creates the
progress row and embeds the signed heartbeat token that the benchmark then sends. The pages are
then dated two hours back in the progress rows (as if the learners had been watching for two
hours), so the server's bound on watched time, twice the time since the page was opened, accepts
an hour of video. Then it loads, round after round, the bare view (GET /bench/bare/), the
heartbeat endpoint (POST, each request a different learner's report: the next ten seconds of the
video from where that learner is, or the next slide) and the bare view that asks who is signed in
(GET /bench/bare-signed-in/ with one learner's cookie: the floor of every signed-in page), with wrk
and a Lua script or with Python threads, and prints the rates, their ratios, the refused reports
(any non-2xx), and the statements a heartbeat and a signed-in request cost at the server (committed
transactions of the benchmark's database, counted by PostgreSQL in pg_stat_database; every
statement outside a transaction is one). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

# Run as a script, so this folder is on sys.path.
from databases import database_name_check, database_options_add, database_recreate, database_url
from load import Request, Result, python_run, wrk_run, wrk_threads
from server import CACHE_PREFIX, bench_scratch, cache_keys_delete, get, gunicorn_serving, log_tail

AIM = 0.5  # the project's aim: a heartbeat at half the bare view's rate or better
HEARTBEAT_PATH = "/learning/heartbeat/"
BARE_PATH = "/bench/bare/"
# The bare view that asks who is signed in (bench/urls.py), with one learner's cookie: the floor of
# every signed-in page, which reads the session and its account.
SIGNED_IN_PATH = "/bench/bare-signed-in/"
VIDEO_SECONDS = 3600.0
SLIDE_PAGES = 20
SLIDES_SHARE = 5  # one learner in five reads the slides, the others watch the video
REPORT_SECONDS = 10  # what a player reports in one heartbeat
LUA = Path(__file__).resolve().parent / "heartbeat.lua"


def options() -> argparse.Namespace:
    cpus = os.cpu_count() or 2
    parser = argparse.ArgumentParser(
        description="Requests/second of the progress heartbeat against a bare Django view (gunicorn, PostgreSQL).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--learners", type=int, default=400, help="learners, each with a session and a progress row")
    parser.add_argument("--seconds", type=float, default=5, help="measured duration of each URL in each round")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured load on a URL before each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over both URLs, interleaved; the median is shown")
    parser.add_argument("--workers", type=int, default=cpus + 1, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--concurrency", type=int, default=8, help="simultaneous connections of the load generator")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    database_options_add(parser, db_name="onetouch_bench_heartbeat")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also run N heartbeats and N bare requests in this process under cProfile and print where the time goes",
    )
    args = parser.parse_args()
    database_name_check(parser, args)
    if args.learners < 1 or args.seconds <= 0 or args.concurrency < 1 or args.rounds < 1:
        parser.error("--learners, --seconds, --concurrency and --rounds must be positive")
    return args


# --- Learners, sessions and lesson pages ----------------------------------------------------------


def learners_prepare(count: int) -> tuple[list[tuple[str, str, bool]], str]:
    """Migrate, make the course and `count` enrolled learners with open sessions.

    Return each learner's (session key, lesson page path, whether it is the slides) and the
    session cookie's name.
    """
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections, transaction

    from courses.models import Lesson
    from courses.services.catalogue import course_create, course_publish
    from courses.services.structure import lesson_create, module_create
    from learners.models import Enrolment
    from learners.services.enrolments import profile_save
    from onetouch.models import Commune, User
    from onetouch.services.admin_units import admin_units_load
    from onetouch.sessions import SessionStore

    call_command("migrate", interactive=False, verbosity=0)
    admin_units_load()
    course = course_create(
        title="Thanh toán không dùng tiền mặt",
        slug="thanh-toan-khong-dung-tien-mat",
        summary="Một giờ video và một bộ trang chiếu.",
        topic="digital_payment",
        audience_codes=["public"],
    )
    module = module_create(course=course, title="Phần 1")
    lessons = {}
    for kind, fields in (
        (Lesson.Kind.VIDEO, {"duration_seconds": VIDEO_SECONDS, "hls_playlist_name": "hls/master.m3u8"}),
        (Lesson.Kind.SLIDES, {"page_count": SLIDE_PAGES, "slides_pdf_name": "slides.pdf"}),
    ):
        lesson = lesson_create(module=module, title=f"Bài {kind}", kind=kind)
        # What an upload and its processing would have left (the files themselves are never fetched).
        Lesson.objects.filter(id=lesson.id).update(
            source=f"lessons/{course.id}/{lesson.id}/source",
            media_prefix=f"lessons/{course.id}/{lesson.id}/r1/",
            processing=Lesson.Processing.READY,
            is_published=True,
            **fields,
        )
        lessons[kind] = lesson.id
    course_publish(course=course)

    communes = list(Commune.objects.select_related("province").order_by("id")[:50])
    password = make_password(None)  # unusable: these learners never type one
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(email=f"hoc.vien.{number}@bench.onetouch.vn", password=password) for number in range(count)]
        )
        for number, user in enumerate(users):
            commune = communes[number % len(communes)]
            profile_save(user=user, audience_group="public", province=commune.province, commune=commune)
        Enrolment.objects.bulk_create([Enrolment(learner=user, course=course) for user in users])

    sessions = []
    backend = settings.AUTHENTICATION_BACKENDS[0]
    for number, user in enumerate(users):
        # The session `django.contrib.auth.login` would have written for this learner.
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        kind = Lesson.Kind.SLIDES if number % SLIDES_SHARE == 0 else Lesson.Kind.VIDEO
        page = f"/learning/courses/{course.slug}/{lessons[kind]}/"
        sessions.append((session.session_key, page, kind == Lesson.Kind.SLIDES))
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest DEBUG=false needs
    connections.close_all()
    return sessions, settings.SESSION_COOKIE_NAME


def tokens_fetch(port: int, sessions: list[tuple[str, str, bool]], cookie_name: str) -> list[dict]:
    """Open each learner's lesson page over HTTP and keep the heartbeat token it embeds."""
    import urllib.request

    learners = []
    for session_key, page, slides in sessions:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{page}", headers={"Cookie": f"{cookie_name}={session_key}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            html = response.read().decode()
        match = re.search(r'data-token="([^"]+)"', html)
        if match is None:
            raise RuntimeError(f"{page} carries no heartbeat token for session {session_key[:6]}…")
        learners.append({"session": session_key, "token": match.group(1), "slides": slides})
    return learners


def pages_date_back(hours: float) -> int:
    """Date every lesson page's opening `hours` back, as if the learners had been at it that long."""
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE learners_lessonprogress SET opened_at = opened_at - %s * interval '1 hour', "
            "watch_allowance_at = watch_allowance_at - %s * interval '1 hour', "
            "page_shown_at = page_shown_at - %s * interval '1 hour'",
            [hours, hours, hours],
        )
        changed = cursor.rowcount
        cursor.execute("ANALYZE")
    connections.close_all()
    return changed


# --- Load ----------------------------------------------------------------------------------------


def lua_data_write(learners: list[dict], cookie_name: str, path: Path) -> None:
    """One line per learner for heartbeat.lua: cookie, token, kind (v or s), starting second or page."""
    with path.open("w") as out:
        for number, learner in enumerate(learners):
            kind = "s" if learner["slides"] else "v"
            start = number % SLIDE_PAGES + 1 if learner["slides"] else (number * 97) % 3000
            out.write(f"{cookie_name}={learner['session']}\t{learner['token']}\t{kind}\t{start}\n")


class PythonReports:
    """The same reports as heartbeat.lua, for the Python client: each client reports for its own
    share of the learners, each video report with the token of that learner's last answer."""

    def __init__(self, learners: list[dict], cookie_name: str, concurrency: int) -> None:
        self.learners = learners
        self.cookie_name = cookie_name
        # Client k reports for learners k, k + concurrency, …: no two clients report for one learner.
        self.shares = [list(range(client, len(learners), concurrency)) or [0] for client in range(concurrency)]
        self.turns = [0] * concurrency
        self.sent = [0] * concurrency  # the learner each client reported for last
        self.place = [
            number % SLIDE_PAGES + 1 if learner["slides"] else (number * 97) % 3000
            for number, learner in enumerate(learners)
        ]

    def __call__(self, client: int) -> Request:
        share = self.shares[client]
        number = self.sent[client] = share[self.turns[client] % len(share)]
        self.turns[client] += 1
        learner = self.learners[number]
        if learner["slides"]:
            page = self.place[number] = self.place[number] % SLIDE_PAGES + 1
            report = {"token": learner["token"], "page": page}
        else:
            start = self.place[number]
            self.place[number] = (start + REPORT_SECONDS) % 3500
            report = {"token": learner["token"], "intervals": [[start, start + REPORT_SECONDS]]}
            report["position"] = start + REPORT_SECONDS
        headers = {"Cookie": f"{self.cookie_name}={learner['session']}", "Content-Type": "text/plain"}
        return "POST", HEARTBEAT_PATH, headers, json.dumps(report).encode()

    def answered(self, client: int, status: int, body: bytes) -> None:
        """Keep the answer's token for that learner's next report, as static/js/player.js does."""
        if status == 200 and (token := json.loads(body).get("token")):
            self.learners[self.sent[client]]["token"] = token


def profile_in_process(learners: list[dict], cookie_name: str, count: int) -> None:
    """Send `count` heartbeats and `count` bare requests through Django's WSGI handler here, under cProfile.

    The same handler, settings and middleware as gunicorn's workers, without the network: what
    each request costs in Python, and where.
    """
    import cProfile
    import io
    import pstats

    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    handler = WSGIHandler()
    factory = RequestFactory(SERVER_NAME="127.0.0.1")
    reports = PythonReports(learners, cookie_name, 1)
    statuses: list[str] = []

    def send(method: str, path: str, headers: dict[str, str], body: bytes | None) -> None:
        extra = {"HTTP_COOKIE": headers["Cookie"]} if "Cookie" in headers else {}
        request = factory.generic(method, path, body or b"", content_type="text/plain", **extra)
        response = handler(request.environ, lambda status, _headers: statuses.append(status))
        answer = b"".join(response)
        response.close()
        if path == HEARTBEAT_PATH:
            reports.answered(0, int(statuses[-1].split()[0]), answer)

    for label, next_request in (
        ("bare view", lambda: ("GET", BARE_PATH, {}, None)),
        ("heartbeat", lambda: reports(0)),
    ):
        for _ in range(50):  # warm: first requests import, compile and connect
            send(*next_request())
        statuses.clear()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(count):
            send(*next_request())
        profiler.disable()
        per_request = (time.perf_counter() - started) / count * 1000
        refused = sum(not status.startswith("200") for status in statuses)
        print(f"\nIn-process {label}: {per_request:.2f} ms a request under cProfile ({refused} not 200)")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print("\n".join(out.getvalue().splitlines()[4:34]))


def server_transactions(postgres: str, db_name: str) -> int:
    """Committed transactions of the benchmark's database so far, as PostgreSQL counts them."""
    import psycopg2

    # A busy backend reports its counts at most once a second; one that went idle with counts not yet
    # reported, up to 10 s later (PGSTAT_IDLE_INTERVAL, PostgreSQL 15). Waiting less counts too few.
    time.sleep(11)
    connection = psycopg2.connect(database_url(postgres, "postgres"))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", [db_name])
            return cursor.fetchone()[0]
    finally:
        connection.close()


def main() -> int:
    args = options()
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk); use --client python", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        with bench_scratch(args, "onetouch-bench-heartbeat-") as (scratch, env):
            print(f"Preparing database {args.db_name}, cache {args.redis_url} (prefix {CACHE_PREFIX}) ...", flush=True)
            database_recreate(args.postgres, args.db_name, create=True)
            cache_keys_delete(args.redis_url)
            sessions, cookie_name = learners_prepare(args.learners)
            with gunicorn_serving(args, env, scratch) as server:
                learners = tokens_fetch(server.port, sessions, cookie_name)
                dated = pages_date_back(2)
                slides = sum(learner["slides"] for learner in learners)
                print(
                    f"  {len(learners)} learners signed in, lesson pages opened ({len(learners) - slides} on the "
                    f"video, {slides} on the slides), {dated} progress rows; took {time.monotonic() - started:.1f} s",
                    flush=True,
                )
                print(
                    f"gunicorn on 127.0.0.1:{server.port}: {args.workers} workers ({args.worker_class}, "
                    f"{args.threads} thread(s)); load: {client}, {args.concurrency} connections, "
                    f"{args.warmup:g} s warm-up + {args.seconds:g} s x {args.rounds} round(s) per URL",
                    flush=True,
                )
                data = scratch / "heartbeat-learners.tsv"
                lua_data_write(learners, cookie_name, data)
                reports = PythonReports(learners, cookie_name, args.concurrency)
                os.environ["HEARTBEAT_LEARNERS"] = str(data)  # read by heartbeat.lua in each wrk thread
                os.environ["HEARTBEAT_THREADS"] = str(wrk_threads(args.concurrency))  # each its own learners
                if args.profile:
                    profile_in_process(learners, cookie_name, args.profile)

                signed_in = {"Cookie": f"{cookie_name}={learners[0]['session']}"}

                def measure(path: str, seconds: float) -> Result:
                    url = server.url(path)
                    if path in (BARE_PATH, SIGNED_IN_PATH):
                        headers = signed_in if path == SIGNED_IN_PATH else None
                        return (
                            wrk_run(url, seconds, args.concurrency, headers=headers)
                            if client == "wrk"
                            else python_run(url, seconds, args.concurrency, headers=headers)
                        )
                    if client == "wrk":
                        return wrk_run(url, seconds, args.concurrency, script=str(LUA))
                    return python_run(url, seconds, args.concurrency, next_request=reports, answered=reports.answered)

                for path, headers in ((BARE_PATH, None), (SIGNED_IN_PATH, signed_in)):
                    status, body, _seconds = get(server.port, path, headers=headers)
                    if (status, body) != (200, b"ok"):  # the signed-in view answers "anonymous" to nobody
                        raise RuntimeError(f"{path} answered {status} {body[:40]!r}.\n{log_tail(server.log)}")
                runs: dict[str, list[Result]] = {BARE_PATH: [], HEARTBEAT_PATH: [], SIGNED_IN_PATH: []}
                for _round in range(args.rounds):
                    for path in runs:
                        if args.warmup > 0:
                            measure(path, args.warmup)
                        runs[path].append(measure(path, args.seconds))
                        server.check_alive()
                # Counted apart from the rates, which the waits for PostgreSQL's counts would interrupt.
                statements: dict[str, float] = {}
                before = server_transactions(args.postgres, args.db_name)
                for path in (HEARTBEAT_PATH, SIGNED_IN_PATH):
                    result = measure(path, args.seconds)
                    after = server_transactions(args.postgres, args.db_name)
                    statements[path] = (after - before) / max(1, result.requests)
                    before = after
            report(args, client, runs, statements)
            print(f"\nTotal run time {time.monotonic() - started:.0f} s; the machine may have been shared.")
            return 0
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"\nBenchmark failed: {error}", file=sys.stderr)
        return 1


def report(args: argparse.Namespace, client: str, runs: dict[str, list[Result]], statements: dict[str, float]) -> None:
    def median_result(results: list[Result]) -> Result:
        return sorted(results, key=lambda r: r.rps)[(len(results) - 1) // 2]

    chosen = {path: median_result(results) for path, results in runs.items()}
    bare_rps = chosen[BARE_PATH].rps
    print()
    header = (
        f"{'URL':<24} {'req/s':>8} {'requests':>9} {'errors':>6} "
        f"{'avg ms':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'vs bare':>8}"
    )
    print(header)
    print("-" * len(header))
    for path, result in chosen.items():
        lat = result.latency_ms
        print(
            f"{path:<24} {result.rps:>8.1f} {result.requests:>9} {result.errors:>6} "
            f"{lat.get('avg', 0):>7.2f} {lat.get('p50', 0):>7.2f} {lat.get('p90', 0):>7.2f} {lat.get('p99', 0):>7.2f} "
            f"{result.rps / bare_rps if bare_rps else 0.0:>8.2f}"
        )
    for path, results in runs.items():
        print(f"  rounds of {path}: " + ", ".join(f"{r.rps:.1f}" for r in results) + " req/s")
    ratio = chosen[HEARTBEAT_PATH].rps / bare_rps if bare_rps else 0.0
    # Each heartbeat round ran right after a bare round: their ratio is the least skewed by other
    # work on the machine, which moves the rates themselves from round to round.
    pairs = [h.rps / b.rps for b, h in zip(runs[BARE_PATH], runs[HEARTBEAT_PATH], strict=True) if b.rps]
    print("  ratio of each round (heartbeat ÷ the bare round just before it): " + ", ".join(f"{r:.2f}" for r in pairs))
    errors = sum(r.errors for r in runs[HEARTBEAT_PATH])
    total = sum(r.requests for r in runs[HEARTBEAT_PATH])
    print(f"\nRatio heartbeat / bare view: {ratio:.2f}  ({'meets' if ratio >= AIM else 'below'} the aim of {AIM:.2f})")
    print(f"Heartbeats refused or failed (non-2xx, socket errors) in all rounds: {errors} of {total}")
    print(
        "Statements per heartbeat at the server (pg_stat_database transactions ÷ requests): "
        f"{statements[HEARTBEAT_PATH]:.2f}"
    )
    signed_in_ratio = chosen[SIGNED_IN_PATH].rps / bare_rps if bare_rps else 0.0
    print(f"\nThe bare view that asks who is signed in (a signed-in page's floor) / bare view: {signed_in_ratio:.2f}")
    signed_in_statements = statements[SIGNED_IN_PATH]
    print(f"Statements per signed-in request at the server (the session and its account): {signed_in_statements:.2f}")
    if client == "python":
        print("\nLoad generator: Python threads; the client shares the CPU and the GIL, so these rates are")
        print("lower bounds. With wrk installed (apt-get install -y wrk) the default client gives closer figures.")


if __name__ == "__main__":
    sys.exit(main())
