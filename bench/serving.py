"""What the benchmarks share: the server's environment, gunicorn started and stopped, this run's cache
keys, and the load generators (wrk, or a Python keep-alive client) with their results.

Imported by the scripts in this folder, which run with the folder on sys.path.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from databases import database_url

REPO = Path(__file__).resolve().parent.parent
CACHE_PREFIX = "onetouch_bench"  # this run's cache keys; only these are deleted from the Redis database


# --- Environment and cache ------------------------------------------------------------------------


def server_environment(args: argparse.Namespace, scratch: Path) -> dict[str, str]:
    """The environment of both this process (data loading) and gunicorn."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        "DATABASE_URL": database_url(args.postgres, args.db_name),
        "CONN_MAX_AGE": "600",
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": CACHE_PREFIX,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",  # required with DEBUG off; only emails and certificates print it
        "SECURE_SSL_REDIRECT": "false",
        "ONETOUCH_VAR_DIR": str(scratch / "var"),
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        "LOG_LEVEL": "WARNING",
    }


def cache_keys_delete(redis_url: str, pattern: str = "*") -> int:
    """Delete this run's keys (those under CACHE_PREFIX) from the cache's Redis database."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:{pattern}", count=1000))
        return client.delete(*keys) if keys else 0
    finally:
        client.close()


# --- The server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(args: argparse.Namespace, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "onetouch.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--threads", str(args.threads),
        "--chdir", str(REPO),
        "--timeout", "30",
        "--log-level", "warning",
        "--error-logfile", str(log),
    ]  # fmt: skip
    # Its own session: Ctrl+C reaches this script only, which then stops the server in order.
    # Output before gunicorn's logging is set up (a bad option, an import error) goes to the log too.
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=REPO, env={**os.environ, **env}, start_new_session=True, stdout=output, stderr=output
        )


def gunicorn_stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the process group this script created
        server.wait(timeout=5)


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Language": "vi"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, body, time.perf_counter() - started


def server_wait(server: subprocess.Popen, port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log_tail(log)}")
        try:
            if get(port, "/bench/bare/", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{log_tail(log)}")


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- Load generators ----------------------------------------------------------------------------


@dataclass
class Result:
    rps: float
    requests: int
    errors: int  # non-2xx/3xx responses, socket errors and timeouts
    latency_ms: dict[str, float] = field(default_factory=dict)  # avg, p50, p90, p99


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS_MS[unit]


def wrk_run(url: str, seconds: float, concurrency: int) -> Result:
    threads = max(1, min(2, concurrency))
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s",
         "-H", "Accept-Language: vi", url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout  # fmt: skip
    latency = {"avg": _ms(re.search(r"Latency\s+(\S+)", output).group(1))}
    for percent in ("50", "90", "99"):
        latency[f"p{percent}"] = _ms(re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        # A "read" error is how wrk counts a server closing the connection after a response, which
        # gunicorn's sync workers do on every request (no keep-alive): not a failure.
        errors += int(match.group(1)) + int(match.group(3)) + int(match.group(4))
    return Result(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        errors=errors,
        latency_ms=latency,
    )


def python_run(url: str, seconds: float, concurrency: int) -> Result:
    """Keep-alive HTTP/1.1 clients in threads; bounded by the GIL, so a lower bound on the server."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency

    def client(index: int) -> None:
        connection = None
        while time.perf_counter() < deadline:
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                started = time.perf_counter()
                connection.request("GET", target, headers={"Accept-Language": "vi"})
                response = connection.getresponse()
                response.read()
                latencies[index].append(time.perf_counter() - started)
                if response.status >= 400:
                    errors[index] += 1
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 15)
    elapsed = time.perf_counter() - started
    samples = sorted(s * 1000 for per_client in latencies for s in per_client)
    if not samples:
        return Result(rps=0.0, requests=0, errors=sum(errors))

    def percentile(p: float) -> float:
        return samples[min(len(samples) - 1, int(p / 100 * len(samples)))]

    return Result(
        rps=len(samples) / elapsed,
        requests=len(samples),
        errors=sum(errors),
        latency_ms={"avg": statistics.fmean(samples), "p50": percentile(50), "p90": percentile(90),
                    "p99": percentile(99)},
    )  # fmt: skip
