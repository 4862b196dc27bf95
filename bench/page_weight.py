#!/usr/bin/env python
"""Page weights of the learner's journey on a 360 px phone (twice its pixel ratio), in one run.

    .venv/bin/python bench/page_weight.py            # about a minute on 2 cores (the demo video is transcoded)
    .venv/bin/python bench/page_weight.py --help

It creates its own PostgreSQL database with the administrative units, the demo catalogue with its
media (the demo video transcoded into 360p and 720p HLS on the spot) and the demo accounts, serves
the platform with gunicorn (DEBUG off, as in production: compressed HTML, hashed static files) on
127.0.0.1 and a free port, and walks the journey with Playwright and Debian's Chromium at
360x740 CSS pixels, deviceScaleFactor 2: home, catalogue, a course, sign-in, My learning, the video
lesson. Chromium reports each resource's bytes on the wire (compressed body + headers); they are
summed per type. On the video lesson it then presses play and sums again, and it names the HLS
rendition the player fetched. It repeats the video lesson with "save data" on. Everything it made
is removed at the end, also on Ctrl+C. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script, so this folder is on sys.path.
from databases import database_recreate
from server import bench_scratch, gunicorn_serving

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}
LEARNER = "hocvien@demo.onetouch.vn"
PASSWORD = "onetouch-demo-2025"  # noqa: S105 - the published demo password
SEGMENT = re.compile(r"/hls/(?P<rendition>[^/]+)/segment_\d+\.(ts|m4s)$")
PLAY_SECONDS = 8  # long enough for the first segments after play


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Bytes on the wire of the learner journey pages at 360 px (gunicorn, PostgreSQL, Chromium).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL with the right to create databases",
    )
    parser.add_argument("--db-name", default="onetouch_bench_weight", help="database created and dropped by the run")
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"), help="the cache"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    if "bench" not in args.db_name:
        parser.error("--db-name must contain 'bench': the run drops and recreates that database")
    args.worker_class, args.threads = "gthread", 4  # the player asks for a playlist and segments at once
    return args


def journey_prepare() -> tuple[str, str]:
    """Load the demo data, enrol the demo learner in the video's course; return (course slug, lesson path)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from courses.demo.catalogue import demo_catalogue_load
    from courses.models import Lesson
    from learners.demo.accounts import demo_accounts_load
    from learners.services.enrolments import enrolment_create
    from onetouch.models import User
    from onetouch.services.admin_units import admin_units_load

    call_command("migrate", interactive=False, verbosity=0)
    admin_units_load()
    demo_catalogue_load(with_media=True)
    demo_accounts_load()
    lesson = Lesson.objects.filter(kind=Lesson.Kind.VIDEO, processing=Lesson.Processing.READY).first()
    if lesson is None:
        raise RuntimeError("the demo catalogue has no processed video lesson (is ffmpeg installed?)")
    learner = User.objects.get(email=LEARNER)
    if not learner.enrolments.filter(course=lesson.course).exists():
        enrolment_create(learner=learner, course=lesson.course)
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest DEBUG=false needs
    slug = lesson.course.slug
    connections.close_all()
    return slug, f"/learning/courses/{slug}/{lesson.id}/"


@dataclass
class Traffic:
    """Bytes on the wire per resource type, and what was fetched."""

    wire: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    segments: list[tuple[str, str, int]] = field(default_factory=list)  # (rendition, url, bytes)
    urls: list[str] = field(default_factory=list)
    html_raw: int = 0

    def record(self, response) -> None:
        request = response.request
        try:
            sizes = request.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        except Exception:  # noqa: BLE001 - a request cancelled by the page has no sizes
            return
        kind = request.resource_type
        url = response.url
        self.urls.append(url)
        match = SEGMENT.search(url.split("?")[0])
        if match:
            kind = "video"
            self.segments.append((match["rendition"], url, size))
        elif url.split("?")[0].endswith(".vtt"):
            kind = "other"  # the captions track
        elif ".m3u8" in url or "/learning/media/" in url and kind != "image":
            kind = "video"
        elif kind == "fetch" or kind == "xhr":
            kind = "other"
        self.wire[kind] += size
        if kind == "document":
            with contextlib.suppress(Exception):  # a redirect has no body
                self.html_raw += len(response.body())

    @property
    def total(self) -> int:
        return sum(self.wire.values())


def watch(page) -> Traffic:
    traffic = Traffic()
    page.on("requestfinished", lambda request: (response := request.response()) and traffic.record(response))
    return traffic


def kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def segment_size(port: int, cookies: list[dict], url: str) -> int:
    """Bytes of one segment fetched directly (Chromium may fetch a segment in ranges)."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback only
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        return len(response.read())


def journey_measure(port: int, course_slug: str, lesson_path: str) -> list[tuple[str, Traffic]]:
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, Traffic]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(**PHONE)
        page = context.new_page()

        def fresh_page(cookies: list[dict] | None = None):
            """A page in a new context: an empty cache, so every page counts its CSS and JS (a first visit)."""
            fresh_context = browser.new_context(**PHONE)
            if cookies:
                fresh_context.add_cookies(cookies)
            return fresh_context.new_page()

        for label, path in (("Home", "/"), ("Catalogue", "/courses/"), ("Course page", f"/courses/{course_slug}/")):
            fresh = fresh_page()
            traffic = watch(fresh)
            fresh.goto(base + path)
            fresh.wait_for_load_state("networkidle")
            rows.append((label, traffic))
            fresh.context.close()

        page.goto(base + "/accounts/login/")
        page.fill("#id_login", LEARNER)
        page.fill("#id_password", PASSWORD)
        page.click("form:has(#id_login) button[type=submit]")
        page.wait_for_load_state("networkidle")

        def lesson_visit(label: str, save_data: bool) -> None:
            fresh = fresh_page(context.cookies())
            traffic = watch(fresh)
            fresh.goto(base + lesson_path)
            fresh.wait_for_load_state("networkidle")
            box = fresh.locator("#save-data")
            if box.is_checked() != save_data:
                with fresh.expect_response(lambda response: "/learning/save-data/" in response.url):
                    box.click()
                fresh.context.close()
                return lesson_visit(label, save_data)  # measured again with the choice in place
            before = Traffic(
                defaultdict(int, traffic.wire), list(traffic.segments), list(traffic.urls), traffic.html_raw
            )
            rows.append((f"{label}, before play", before))
            fresh.evaluate("() => { const v = document.getElementById('lesson-video'); v.muted = true; v.play(); }")
            fresh.wait_for_function("() => document.getElementById('lesson-video').currentTime > 1", timeout=30_000)
            fresh.wait_for_timeout(PLAY_SECONDS * 1000)
            fresh.evaluate("() => document.getElementById('lesson-video').pause()")
            rows.append((f"{label}, after {PLAY_SECONDS} s of play", traffic))
            fresh.context.close()

        my_learning = fresh_page(context.cookies())
        traffic = watch(my_learning)
        my_learning.goto(base + "/learning/")
        my_learning.wait_for_load_state("networkidle")
        rows.append(("My learning (signed in)", traffic))
        my_learning.context.close()

        lesson_visit("Video lesson", save_data=False)
        lesson_visit("Video lesson, save data", save_data=True)
        cookies = context.cookies()
        lesson_visit("Video lesson", save_data=False)  # leave the demo learner's choice as it was
        rows.pop()
        rows.pop()
        browser.close()
    rows.append(("__cookies__", cookies))  # type: ignore[arg-type]
    return rows


def report(rows, port: int) -> None:
    cookies = rows.pop()[1]
    columns = ("HTML wire", "HTML raw", "CSS", "JS", "images", "video", "other", "total")
    header = f"{'page':<44}" + "".join(f"{name:>11}" for name in columns)
    print("\n" + header)
    print("-" * len(header))
    for label, traffic in rows:
        wire = traffic.wire
        values = (wire["document"], traffic.html_raw, wire["stylesheet"], wire["script"], wire["image"])
        values += (wire["video"], wire["other"], traffic.total)
        print(f"{label:<44}" + "".join(f"{kb(value):>11}" for value in values))
    print()
    sizes_shown = False
    for label, traffic in rows:
        if not traffic.segments:
            continue
        renditions = sorted({rendition for rendition, _, _ in traffic.segments})
        rendition, url, _ = traffic.segments[0]
        hls_js = any("hls.min" in fetched for fetched in traffic.urls)
        print(
            f"{label}: rendition(s) fetched {', '.join(renditions)}; first segment {rendition} "
            f"{kb(segment_size(port, cookies, url))}; hls.js fetched: {'yes' if hls_js else 'no'}"
        )
        if not sizes_shown:
            sizes_shown = True
            lowest, highest = (url.replace(f"/{rendition}/", f"/{name}/") for name in ("360p", "720p"))
            print(
                f"  first segment of each rendition: 360p {kb(segment_size(port, cookies, lowest))}, "
                f"720p {kb(segment_size(port, cookies, highest))}"
            )


def main() -> int:
    args = options()
    started = time.monotonic()
    try:
        with bench_scratch(args, "onetouch-bench-weight-") as (scratch, env):
            print(f"Preparing database {args.db_name} (demo catalogue with its media, demo accounts) ...", flush=True)
            database_recreate(args.postgres, args.db_name, create=True)
            course_slug, lesson_path = journey_prepare()
            print(f"  took {time.monotonic() - started:.1f} s; video lesson {lesson_path}", flush=True)
            with gunicorn_serving(args, env, scratch) as server:
                rows = journey_measure(server.port, course_slug, lesson_path)
                print(
                    "Chromium 360x740 CSS px, deviceScaleFactor 2, empty cache per page; "
                    "bytes on the wire (body + headers)"
                )
                report(rows, server.port)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
