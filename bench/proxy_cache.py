#!/usr/bin/env python
"""Requests per second of anonymous pages served from nginx's page cache, against the bare Django view,
in one run.

    .venv/bin/python bench/proxy_cache.py            # about two minutes on 2 cores
    .venv/bin/python bench/proxy_cache.py --help

It prepares the same database as bench/catalogue_rps.py (the demo catalogue and a few thousand
generated courses), serves the platform with gunicorn, and puts Debian's nginx in front of it with
the production configuration (deploy/nginx.conf; only the addresses, the page cache's folder and the
log paths are changed). It then loads, interleaved in rounds: the bare Django view straight from
gunicorn and through nginx, the catalogue straight from gunicorn (Django's own page cache), and the
catalogue, a search and a course page from nginx's cache. Before loading it checks that nginx answers
those pages with X-Cache-Status HIT. Everything it made is removed at the end, also on Ctrl+C.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Run as a script, so this folder is on sys.path.
from catalogue_rps import catalogue_database_prepare, options_parse
from load import Result, python_run, wrk_run
from server import (
    REPO,
    Served,
    bench_scratch,
    free_port,
    gunicorn_serving,
    log_tail,
)

NGINX = "/usr/sbin/nginx"
SEARCH = "/courses/?q=chuyen+doi+so&audience=public&sort=popular"


def nginx_config(scratch: Path, *, gunicorn_port: int, port: int) -> Path:
    """deploy/nginx.conf with this run's addresses and folders."""
    text = (REPO / "deploy" / "nginx.conf").read_text()
    for old, new in (
        ("server web:8000;", f"server 127.0.0.1:{gunicorn_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("/app/var/static/", f"{scratch / 'static'}/"),
        ("/usr/share/nginx/onetouch", str(REPO / "deploy")),
        ("/tmp/nginx.pid", str(scratch / "nginx.pid")),  # noqa: S108 (the production path, replaced)
        ("/dev/stdout", str(scratch / "nginx-access.log")),
        ("/dev/stderr", str(scratch / "nginx-error.log")),
        ("/var/cache/nginx/onetouch_pages", str(scratch / "page_cache")),
    ):
        if old not in text:
            raise RuntimeError(f"deploy/nginx.conf no longer holds {old!r}; update bench/proxy_cache.py")
        text = text.replace(old, new)
    path = scratch / "nginx.conf"
    path.write_text(text)
    return path


def nginx_start(config: Path, port: int, log: Path) -> subprocess.Popen:
    # Run as root, nginx's workers would switch to an account that cannot read the private scratch folder.
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    with log.open("ab") as output:
        process = subprocess.Popen(
            [NGINX, "-c", str(config), "-g", directives], start_new_session=True, stdout=output, stderr=output
        )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{log_tail(log)}") from None
            time.sleep(0.05)


def nginx_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGQUIT)  # graceful: the master waits for its workers
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the process group this script created
        process.wait(timeout=5)


def cache_status(port: int, path: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Language": "vi"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        response.read()
        return response.status, response.headers.get("X-Cache-Status", "-")


def most_enrolled_course_path() -> str:
    from courses.models import Course

    course = Course.objects.filter(is_published=True).order_by("-enrolment_count").first()
    return course.get_absolute_url()


def main() -> int:
    args = options_parse(
        "Requests/second of anonymous pages from nginx's page cache against the bare Django view.",
        default_db_name="onetouch_bench_proxy",
    )
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk); use --client python", file=sys.stderr)
        return 2
    if not shutil.which(NGINX):
        print(f"{NGINX} is missing: apt-get install -y nginx-light", file=sys.stderr)
        return 2
    measure = wrk_run if client == "wrk" else python_run

    started = time.monotonic()
    try:
        with bench_scratch(args, "onetouch-bench-proxy-") as (scratch, env):
            loaded = catalogue_database_prepare(args)
            course_path = most_enrolled_course_path()
            print(f"  {loaded['published']} published courses; took {time.monotonic() - started:.1f} s", flush=True)
            load_before = os.getloadavg()[0]
            with gunicorn_serving(args, env, scratch) as server, nginx_serving(scratch, server.port) as proxy:
                print(
                    f"gunicorn on 127.0.0.1:{server.port} ({args.workers} {args.worker_class} workers); nginx on "
                    f"127.0.0.1:{proxy.port} (deploy/nginx.conf); load: {client}, {args.concurrency} connections, "
                    f"{args.warmup:g} s warm-up + {args.seconds:g} s x {args.rounds} round(s) per URL",
                    flush=True,
                )
                urls = [
                    ("bare view, gunicorn", server.port, "/bench/bare/"),
                    ("bare view, through nginx", proxy.port, "/bench/bare/"),
                    ("catalogue, gunicorn (Django's cache)", server.port, "/courses/"),
                    ("catalogue, nginx cache", proxy.port, "/courses/"),
                    ("search, nginx cache", proxy.port, SEARCH),
                    ("course page, gunicorn (Django's cache)", server.port, course_path),
                    ("course page, nginx cache", proxy.port, course_path),
                ]
                runs = proxy_measure(args, measure, urls, server, proxy)
            report(runs, urls, client)
            print(
                f"\nMachine: {os.cpu_count()} CPUs; 1-minute load average {load_before:.2f} before the servers "
                f"started, {os.getloadavg()[0]:.2f} at the end (servers and load generator included)."
            )
            print(f"\nTotal run time {time.monotonic() - started:.0f} s.")
            return 0
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"\nBenchmark failed: {error}", file=sys.stderr)
        return 1


@contextmanager
def nginx_serving(scratch: Path, gunicorn_port: int) -> Iterator[Served]:
    """Start nginx with deploy/nginx.conf in front of gunicorn, yield it; stop it at the end."""
    port, log = free_port(), scratch / "nginx.log"
    process = nginx_start(nginx_config(scratch, gunicorn_port=gunicorn_port, port=port), port, log)
    try:
        yield Served(process=process, port=port, log=log)
    finally:
        nginx_stop(process)


def proxy_measure(args: argparse.Namespace, measure, urls: list, server: Served, proxy: Served) -> dict:
    """Each page nginx caches twice (the second must be a HIT), then the rounds of load."""
    for label, port, path in urls:
        if port != proxy.port or path.startswith("/bench/"):
            continue
        statuses = [cache_status(port, path) for _ in range(2)]
        print(f"  {label:<38} {path}: {statuses[0]} then {statuses[1]}")
        if statuses[1] != (200, "HIT"):
            raise RuntimeError(f"nginx did not serve {path} from its cache: {statuses}")
    runs: dict[str, list[Result]] = {label: [] for label, _, _ in urls}
    for _round in range(args.rounds):
        for label, port, path in urls:
            url = f"http://127.0.0.1:{port}{path}"
            if args.warmup > 0:
                measure(url, args.warmup, args.concurrency)
            runs[label].append(measure(url, args.seconds, args.concurrency))
            if server.process.poll() is not None or proxy.process.poll() is not None:
                raise RuntimeError(f"a server died during the load:\n{log_tail(server.log)}")
    return runs


def report(runs: dict[str, list[Result]], urls: list[tuple[str, int, str]], client: str) -> None:
    def median_result(results: list[Result]) -> Result:
        return sorted(results, key=lambda r: r.rps)[(len(results) - 1) // 2]

    chosen = {label: median_result(results) for label, results in runs.items()}
    bare_rps = chosen[urls[0][0]].rps
    print()
    header = f"{'served as':<40} {'req/s':>9} {'errors':>6} {'avg ms':>7} {'p99 ms':>7} {'vs bare view':>13}"
    print(header)
    print("-" * len(header))
    for label, _port, _path in urls:
        result = chosen[label]
        ratio = result.rps / bare_rps if bare_rps else 0.0
        print(
            f"{label:<40} {result.rps:>9.1f} {result.errors:>6} {result.latency_ms.get('avg', 0):>7.2f} "
            f"{result.latency_ms.get('p99', 0):>7.2f} {ratio:>13.2f}"
        )
    if len(next(iter(runs.values()))) > 1:
        print()
        for label, results in runs.items():
            print(f"  rounds of {label}: " + ", ".join(f"{r.rps:.1f}" for r in results) + " req/s")
    if client == "python":
        print("\nLoad generator: Python threads, which share the CPU and the GIL: rates are lower bounds.")
    if any(r.errors for r in chosen.values()):
        print("\nSome requests failed (see the errors column): their rates are not comparable.")


if __name__ == "__main__":
    sys.exit(main())
