"""What the HTTP benchmarks share: the server's environment, gunicorn started and stopped, the cache.

catalogue_rps.py, page_weight.py and heartbeat.py serve the platform the same way: gunicorn on
127.0.0.1 and a free port, `bench.settings` (the platform's settings plus the bare view), DEBUG
off, a throwaway database and temporary folders, all removed at the end, also on Ctrl+C.
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

# Run as scripts, so this folder is on sys.path.
from databases import database_drop_at_exit, database_url

REPO = Path(__file__).resolve().parent.parent
CACHE_PREFIX = "onetouch_bench"  # this run's cache keys; only these are deleted from the Redis database


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


@contextmanager
def bench_scratch(args: argparse.Namespace, prefix: str) -> Iterator[tuple[Path, dict[str, str]]]:
    """Yield a temporary folder and the server's environment (also this process's), then clean up.

    A TERM is handled like Ctrl+C. At the end, also after errors: this run's cache keys are
    deleted, its database dropped (unless `args.keep_db`) and the folder removed.
    """

    def stop_on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored (cmd &)
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    env = server_environment(args, scratch)
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    try:
        yield scratch, env
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        try:
            cache_keys_delete(args.redis_url)
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
