#!/usr/bin/env python
"""Requests per second of the course catalogue against a bare Django view, in one run.

    .venv/bin/python bench/catalogue_rps.py            # about a minute and a half on 2 cores
    .venv/bin/python bench/catalogue_rps.py --help

It creates its own PostgreSQL database, fills it (administrative units, the demo catalogue and
a few thousand generated published courses), serves the platform with gunicorn on 127.0.0.1 and
a free port, with Redis as the cache, and loads each URL for a fixed time with wrk (or with a
Python keep-alive client when wrk is not installed). The bare view (bench/urls.py) goes through
the same gunicorn, settings and middleware, so catalogue/bare is the cost of the catalogue
itself. Everything it made (server, database, cache keys, temporary files) is removed at the end,
also on Ctrl+C. See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import time
from datetime import timedelta

# Run as a script, so this folder is on sys.path.
from databases import database_name_check, database_options_add, database_recreate
from load import Result, python_run, wrk_run
from server import (
    CACHE_PREFIX,
    bench_scratch,
    cache_keys_delete,
    get,
    gunicorn_serving,
    log_tail,
)

AIM = 0.5  # the project's aim: the catalogue at half the bare view's rate or better

URLS = [
    ("bare view", "/bench/bare/"),
    ("catalogue, page 1", "/courses/"),
    ("catalogue, search", "/courses/?q=chuyen+doi+so&audience=public&sort=popular"),
]


# --- Options and environment --------------------------------------------------------------------


def options() -> argparse.Namespace:
    return options_parse(
        "Requests/second of the course catalogue against a bare Django view (gunicorn, PostgreSQL, Redis)."
    )


def options_parse(description: str, default_db_name: str = "onetouch_bench") -> argparse.Namespace:
    """The options of a benchmark of the generated catalogue (this one and bench/proxy_cache.py)."""
    cpus = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--courses", type=int, default=2000, help="generated published courses, on top of the demo")
    parser.add_argument(
        "--enrolments", type=int, default=500_000, help="total enrolments spread over the generated courses (Zipf-like)"
    )
    parser.add_argument("--seconds", type=float, default=6, help="measured duration of each URL in each round")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured load on a URL before each measurement")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds over all URLs, interleaved; the median round is shown"
    )
    parser.add_argument("--workers", type=int, default=cpus + 1, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--concurrency", type=int, default=8, help="simultaneous connections of the load generator")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    database_options_add(parser, db_name=default_db_name)
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated catalogue")
    parser.add_argument(
        "--miss-samples", type=int, default=5, help="single requests timed on a real cache miss, per URL"
    )
    args = parser.parse_args()
    database_name_check(parser, args)
    if args.courses < 0 or args.enrolments < 0 or args.seconds <= 0 or min(args.concurrency, args.rounds) < 1:
        parser.error("--courses/--enrolments must be >= 0; --seconds, --concurrency and --rounds positive")
    if args.miss_samples < 1:
        parser.error("--miss-samples must be positive")
    return args


# --- Database and cache ---------------------------------------------------------------------------


# --- The catalogue ------------------------------------------------------------------------------

SUBJECTS = [
    ("Chuyển đổi số", "digital_transformation"),
    ("Chuyển đổi số trong nông nghiệp", "digital_transformation"),
    ("Dịch vụ công trực tuyến", "public_services"),
    ("Định danh điện tử VNeID", "public_services"),
    ("Thanh toán không dùng tiền mặt", "digital_payment"),
    ("Ví điện tử và Mobile Money", "digital_payment"),
    ("Thương mại điện tử", "online_shopping"),
    ("Bán nông sản trên sàn thương mại điện tử", "online_shopping"),
    ("An toàn thông tin", "cyber_safety"),
    ("Phòng chống lừa đảo trực tuyến", "cyber_safety"),
    ("Nền tảng số của địa phương", "local_platforms"),
    ("Ứng dụng công dân số", "local_platforms"),
    ("Chính phủ số", "digital_government"),
    ("Chữ ký số và văn bản điện tử", "digital_government"),
    ("Kỹ năng số", "digital_skills"),
    ("Sử dụng điện thoại thông minh", "digital_skills"),
]
AUDIENCES = [
    ("cho lãnh đạo Ủy ban nhân dân cấp xã", ["commune_leader"]),
    ("cho Tổ công nghệ số cộng đồng", ["digital_team"]),
    ("cho cán bộ, công chức, viên chức", ["civil_servant"]),
    ("cho người dân", ["public"]),
    ("cho người cao tuổi", ["public"]),
    ("cho hộ kinh doanh và hợp tác xã", ["public", "digital_team"]),
    ("cho đoàn viên thanh niên", ["public", "digital_team"]),
    ("cho cán bộ thôn, tổ dân phố", ["civil_servant", "digital_team"]),
]
ANGLES = [
    "những điều cần biết",
    "thực hành từng bước",
    "tình huống thường gặp",
    "hỏi và đáp",
    "hướng dẫn nhanh",
    "bài tập tình huống",
    "kinh nghiệm triển khai",
]
SUMMARIES = [
    "Học qua video ngắn và bài tập thực hành trên điện thoại, có kiểm tra cuối khóa.",
    "Các bước làm cụ thể, ví dụ gần gũi và câu hỏi ôn tập sau mỗi bài.",
    "Tài liệu chuẩn của Bộ, cập nhật theo quy định mới nhất năm 2025.",
    "Khóa học ngắn, học mọi lúc, mọi nơi, được cấp giấy chứng nhận khi hoàn thành.",
    "Xây dựng cùng các doanh nghiệp bưu chính, viễn thông và thanh toán.",
]
DESCRIPTIONS = [
    "Khóa học giúp người học nắm vững kiến thức nền tảng và áp dụng ngay vào công việc hằng ngày.",
    "Mỗi bài học gồm video, tài liệu đọc và bài tập tình huống, có hỗ trợ của Tổ công nghệ số cộng đồng.",
    "Nội dung bám sát nhiệm vụ chuyển đổi số cấp xã sau sắp xếp đơn vị hành chính năm 2025.",
    "Người học được hướng dẫn từng bước, từ cài đặt ứng dụng đến sử dụng an toàn và hiệu quả.",
]


def catalogue_database_prepare(args: argparse.Namespace) -> dict[str, int]:
    """A new database and an empty cache for this run, then the catalogue in it; return what was loaded."""
    print(f"Preparing database {args.db_name} and cache {args.redis_url} (prefix {CACHE_PREFIX}) ...", flush=True)
    database_recreate(args.postgres, args.db_name, create=True)
    cache_keys_delete(args.redis_url)
    return catalogue_prepare(args)


def catalogue_prepare(args: argparse.Namespace) -> dict[str, int]:
    """Migrate, load the reference and demo data, then bulk-create the generated courses."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from courses.demo.catalogue import demo_catalogue_load
    from courses.models import Course
    from courses.pure.search import fold
    from courses.services.catalogue import audience_list_for_codes, course_search_text
    from onetouch.models import AudienceGroup, Province
    from onetouch.services.admin_units import admin_units_load

    call_command("migrate", interactive=False, verbosity=0)
    provinces_loaded, communes_loaded = admin_units_load()
    demo_loaded = demo_catalogue_load()

    rng = random.Random(args.seed)
    audience_ids = {a.code: a.id for a in audience_list_for_codes(AudienceGroup.values)}
    provinces = list(Province.objects.all())
    now = timezone.now()
    # Enrolments follow a Zipf-like law: a few courses hold most learners, most courses few.
    weights = [1 / rank**1.1 for rank in range(1, args.courses + 1)]
    rng.shuffle(weights)
    total_weight = sum(weights) or 1
    courses, audiences_of = [], []
    for number in range(args.courses):
        subject, topic = rng.choice(SUBJECTS)
        for_whom, codes = rng.choice(AUDIENCES)
        title = f"{subject} {for_whom}: {rng.choice(ANGLES)} (phần {number % 12 + 1})"
        course = Course(
            title=title,
            slug=f"{slugify(fold(title))[:170]}-{number}",
            summary=rng.choice(SUMMARIES),
            description=" ".join(rng.sample(DESCRIPTIONS, 2)),
            topic=topic,
            level=rng.choices(["basic", "intermediate", "advanced"], weights=[6, 3, 1])[0],
            format=rng.choices(["online", "blended"], weights=[4, 1])[0],
            owner_province=None if rng.random() < 0.4 else rng.choice(provinces),
            estimated_hours=rng.choice(["1", "1.5", "2", "3", "4", "6", "8"]),
            is_published=True,
            enrolment_count=round(args.enrolments * weights[number] / total_weight),
        )
        course.search_text = course_search_text(course)
        courses.append(course)
        extra = [rng.choice(AudienceGroup.values)] if rng.random() < 0.3 else []
        audiences_of.append(sorted(set(codes + extra)))

    Through = Course.audiences.through
    with transaction.atomic():
        Course.objects.bulk_create(courses, batch_size=500)
        # created_at is set by auto_now_add on insert; spread it over two years afterwards.
        for course in courses:
            course.created_at = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        Course.objects.bulk_update(courses, ["created_at"], batch_size=500)
        Through.objects.bulk_create(
            [
                Through(course_id=course.id, audience_id=audience_ids[code])
                for course, codes in zip(courses, audiences_of, strict=True)
                for code in codes
            ],
            batch_size=2000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum would have done on a live database

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest DEBUG=false needs
    published = Course.objects.filter(is_published=True).count()
    connections.close_all()
    return {
        "provinces": provinces_loaded,
        "communes": communes_loaded,
        "demo": demo_loaded,
        "generated": len(courses),
        "published": published,
    }


# --- The run ------------------------------------------------------------------------------------


def result_count(body: bytes) -> str:
    match = re.search(rb'class="result-count">(.*?)</p>', body, re.S)
    return match.group(1).decode(errors="replace").strip() if match else "no result count on the page"


# What each kind of miss deletes before its request (patterns of this run's keys).
PAGE_KEYS = ("*catalogue-page:*", "*catalogue:[0-9]*")
MISSES = {
    # A page's 60 s ran out: the cards and the counts of matches (ten minutes each) are still kept.
    "page miss, cards and count warm": PAGE_KEYS,
    # The first visitor of a search: its count too is read from PostgreSQL.
    "page and count miss, cards warm": (*PAGE_KEYS, "*catalogue-count:*"),
    # After a course was saved: every key, the cards and the catalogue generation included.
    "cold (everything deleted)": ("*",),
}


def cache_miss_latency(port: int, path: str, redis_url: str, times: int, *, deleted: tuple[str, ...]) -> float:
    """Median time of an anonymous request made right after deleting this run's keys matching `deleted`.

    The whole page ("catalogue-page:", courses.views.catalogue) and the results ("catalogue:<generation>:")
    are the page's own caches; the course cards ("catalogue-card:") and the counts of matches
    ("catalogue-count:") are kept per catalogue generation (see MISSES).
    """
    samples = []
    for _ in range(times):
        for pattern in deleted:
            cache_keys_delete(redis_url, pattern)
        status, _body, seconds = get(port, path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status} on a cache miss")
        samples.append(seconds * 1000)
    return statistics.median(samples)


def main() -> int:
    args = options()
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk); use --client python", file=sys.stderr)
        return 2
    measure = wrk_run if client == "wrk" else python_run

    started = time.monotonic()
    try:
        with bench_scratch(args, "onetouch-bench-") as (scratch, env):
            loaded = catalogue_database_prepare(args)
            print(
                f"  {loaded['provinces']} provinces, {loaded['communes']} communes, {loaded['demo']} demo courses, "
                f"{loaded['generated']} generated courses ({args.enrolments:,} enrolments spread over them); "
                f"{loaded['published']} published in all; took {time.monotonic() - started:.1f} s",
                flush=True,
            )
            load_before = os.getloadavg()[0]  # other work on the machine skews every figure below
            with gunicorn_serving(args, env, scratch) as server:
                runs, first, misses = catalogue_measure(args, client, measure, server)
            report(args, client, runs, first, misses)
            print(
                f"\nMachine: {os.cpu_count()} CPUs; 1-minute load average {load_before:.2f} before the server "
                f"started, {os.getloadavg()[0]:.2f} at the end (server and load generator included)."
            )
            print(f"\nTotal run time {time.monotonic() - started:.0f} s.")
            return 0
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"\nBenchmark failed: {error}", file=sys.stderr)
        return 1


def catalogue_measure(args: argparse.Namespace, client: str, measure, server) -> tuple[dict, dict, dict]:
    """Each URL once (it must answer 200), then the rounds of load, then the cache misses."""
    port, log = server.port, server.log
    print(
        f"gunicorn on 127.0.0.1:{port}: {args.workers} workers ({args.worker_class}, {args.threads} thread(s)); "
        f"load: {client}, {args.concurrency} connections, {args.warmup:g} s warm-up + {args.seconds:g} s "
        f"x {args.rounds} round(s) per URL",
        flush=True,
    )
    first = {}
    for label, path in URLS:
        status, body, seconds = get(port, path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}; the benchmark needs 200.\n{log_tail(log)}")
        first[path] = seconds * 1000
        shown = result_count(body) if path.startswith("/courses/") else body.decode(errors="replace")
        print(f"  {label:<20} {path}: 200, {len(body):,} bytes, {shown}")

    runs: dict[str, list[Result]] = {path: [] for _, path in URLS}
    for _round in range(args.rounds):
        for _label, path in URLS:
            url = f"http://127.0.0.1:{port}{path}"
            if args.warmup > 0:
                measure(url, args.warmup, args.concurrency)
            runs[path].append(measure(url, args.seconds, args.concurrency))
            if server.process.poll() is not None:
                raise RuntimeError(f"gunicorn died during the load:\n{log_tail(log)}")
    misses = {
        path: tuple(
            cache_miss_latency(port, path, args.redis_url, args.miss_samples, deleted=deleted)
            for deleted in MISSES.values()
        )
        for _, path in URLS[1:]
    }
    return runs, first, misses


def report(
    args: argparse.Namespace,
    client: str,
    runs: dict[str, list[Result]],
    first: dict[str, float],
    misses: dict[str, tuple[float, ...]],
) -> None:
    def median_result(results: list[Result]) -> Result:
        """The round with the median rate (the lower middle one for an even count): a real run."""
        return sorted(results, key=lambda r: r.rps)[(len(results) - 1) // 2]

    chosen = {path: median_result(results) for path, results in runs.items()}
    bare_rps = chosen[URLS[0][1]].rps
    print()
    header = (
        f"{'URL':<58} {'req/s':>8} {'requests':>9} {'errors':>6} "
        f"{'avg ms':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'vs bare':>8}"
    )
    print(header)
    print("-" * len(header))
    for _label, path in URLS:
        result = chosen[path]
        lat = result.latency_ms
        ratio = result.rps / bare_rps if bare_rps else 0.0
        print(
            f"{path:<58} {result.rps:>8.1f} {result.requests:>9} {result.errors:>6} "
            f"{lat.get('avg', 0):>7.2f} {lat.get('p50', 0):>7.2f} {lat.get('p90', 0):>7.2f} {lat.get('p99', 0):>7.2f} "
            f"{ratio:>8.2f}"
        )
    if args.rounds > 1:
        for _label, path in URLS:
            print(f"  rounds of {path}: " + ", ".join(f"{r.rps:.1f}" for r in runs[path]) + " req/s")
    print()
    for label, path in URLS[1:]:
        ratio = chosen[path].rps / bare_rps if bare_rps else 0.0
        verdict = "meets" if ratio >= AIM else "below"
        print(f"Ratio {label} / bare view: {ratio:.2f}  ({verdict} the aim of {AIM:.2f})")
    print()
    print(f"Single requests outside the load (ms; cache misses: median of {args.miss_samples}):")
    print(f"  {'URL':<58} {'first request':>14}" + "".join(f" {kind:>32}" for kind in MISSES))
    for _label, path in URLS:
        times = [f"{ms:.1f}" for ms in misses[path]] if path in misses else ["-"] * len(MISSES)
        print(f"  {path:<58} {first[path]:>14.1f}" + "".join(f" {ms:>32}" for ms in times))
    if client == "python":
        print("\nLoad generator: Python threads; the client shares the CPU and the GIL, so these rates are")
        print("lower bounds. With wrk installed (apt-get install -y wrk) the default client gives closer figures.")
    if any(r.errors for r in chosen.values()):
        print("\nSome requests failed (see the errors column): their rates are not comparable.")


if __name__ == "__main__":
    sys.exit(main())
