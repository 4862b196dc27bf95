"""The benchmarks' web server: its environment, gunicorn started and stopped, its cache keys, its CPU time.

Shared by the scripts that serve the platform over HTTP (catalogue_rps.py, page_weight.py,
campaign.py, heartbeat.py, proxy_cache.py). Each serves bench.settings (the platform's settings plus the bare view of
bench/urls.py) with DEBUG off, PostgreSQL and Redis, on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from databases import database_drop_at_exit, database_url

REPO = Path(__file__).resolve().parent.parent
CACHE_PREFIX = "onetouch_bench"  # the default prefix of a run's cache keys; only those are deleted
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")  # the unit of CPU times in /proc/<pid>/stat


def server_environment(args: argparse.Namespace, scratch: Path, *, cache_prefix: str = CACHE_PREFIX) -> dict[str, str]:
    """The environment of both the benchmark (data loading) and gunicorn.

    `args` needs postgres, db_name and redis_url.
    """
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        "DATABASE_URL": database_url(args.postgres, args.db_name),
        "CONN_MAX_AGE": "600",
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": cache_prefix,
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


def cache_keys_delete(redis_url: str, pattern: str = "*", *, prefix: str = CACHE_PREFIX) -> int:
    """Delete this run's keys (those under `prefix`) from the cache's Redis database."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:{pattern}", count=1000))
        return client.delete(*keys) if keys else 0
    finally:
        client.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(args: argparse.Namespace, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """Start gunicorn with `args`' workers, worker_class and threads (and keepalive, when it has one)."""
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
    if getattr(args, "keepalive", None) is not None:
        command += ["--keep-alive", str(args.keepalive)]
    # Its own session: Ctrl+C reaches the benchmark only, which then stops the server in order.
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
        os.killpg(server.pid, signal.SIGKILL)  # the process group the benchmark created
        server.wait(timeout=5)


def get(port: int, path: str, timeout: float = 30, headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Accept-Language": "vi", **(headers or {})}
    )
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


# --- CPU time -------------------------------------------------------------------------------------


def process_children(pid: int) -> list[int]:
    """The live children of a process (gunicorn's workers, for its master)."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


def process_cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User + system CPU seconds of a process from /proc/<pid>/stat (0 once it is gone).

    With `reaped`, also the CPU of its children that ended and were waited for (cutime, cstime):
    for gunicorn's master, the workers it replaced.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; field 14 of stat(5) is fields[11]
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def gunicorn_cpu_seconds(master_pid: int) -> dict[int, float]:
    """CPU seconds of gunicorn's master (with the workers it reaped) and of each live worker, by pid."""
    seconds = {master_pid: process_cpu_seconds(master_pid, reaped=True)}
    for worker in process_children(master_pid):
        seconds[worker] = process_cpu_seconds(worker)
    return seconds


def cpu_seconds_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings; a process that appeared in between counts from zero.

    A worker that ended in between (a timeout) is counted whole in its master's reaped time, so
    such a run over-counts; the workers are not replaced otherwise.
    """
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


def postgres_backends(database: str) -> list[int]:
    """PostgreSQL's server processes connected to `database` (this machine's server, read from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # A backend's process title: "postgres: 15/main: <user> <database> 127.0.0.1(port) <state>"
        if title.startswith("postgres:") and f" {database} " in title:
            pids.append(int(entry.name))
    return pids


@contextmanager
def bench_scratch(
    args: argparse.Namespace, prefix: str, *, cache_prefix: str = CACHE_PREFIX, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[Path, dict[str, str]]]:
    """Yield a temporary folder and the server's environment (also this process's), then clean up.

    A TERM is handled like Ctrl+C. At the end, also after errors: this run's cache keys (under
    `cache_prefix`) are deleted, its database dropped (unless `args.keep_db`) and the folder removed.
    """

    def stop_on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored (cmd &)
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    env = server_environment(args, scratch, cache_prefix=cache_prefix) | (extra_env or {})
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    try:
        yield scratch, env
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        try:
            cache_keys_delete(args.redis_url, prefix=cache_prefix)
        except Exception as error:  # noqa: BLE001 - clean-up goes on
            print(f"could not clear cache keys: {error}", file=sys.stderr)
        if not getattr(args, "keep_db", False):
            database_drop_at_exit(args.postgres, args.db_name)
        shutil.rmtree(scratch, ignore_errors=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass
class Served:
    """A running gunicorn: its port and error log."""

    process: subprocess.Popen
    port: int
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn died during the load:\n{log_tail(self.log)}")


@contextmanager
def gunicorn_serving(args: argparse.Namespace, env: dict[str, str], scratch: Path) -> Iterator[Served]:
    """Start gunicorn, wait until the bare view answers, yield it; stop it at the end."""
    port = free_port()
    log = scratch / "gunicorn.log"
    server = gunicorn_start(args, env, port, log)
    try:
        server_wait(server, port, log)
        yield Served(process=server, port=port, log=log)
    finally:
        gunicorn_stop(server)
