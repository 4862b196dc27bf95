"""Debian's nginx run with the production configuration (deploy/nginx.conf) for the proxy's tests.

Only the addresses differ from the file docker-compose.yml mounts: the upstream, the port, the static
folder, the page cache's folder and the log and pid paths.
"""

import os
import shutil
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def upstream_serving(server: socketserver.BaseServer) -> Iterator[socketserver.BaseServer]:
    """Serve the test's upstream in a thread until the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def config_for_test(tmp_path: Path, *, upstream_port: int, port: int, static_root: Path) -> Path:
    text = (DEPLOY / "nginx.conf").read_text()
    for old, new in (
        ("server web:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("/app/var/static/", f"{static_root}/"),
        ("/usr/share/nginx/onetouch", str(DEPLOY)),
        ("/tmp/nginx.pid", str(tmp_path / "nginx.pid")),  # noqa: S108 (the production path, replaced)
        ("/dev/stdout", str(tmp_path / "access.log")),
        ("/dev/stderr", str(tmp_path / "error.log")),
        ("/var/cache/nginx/onetouch_pages", str(tmp_path / "page_cache")),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    return path


@contextmanager
def nginx_running(config: Path, port: int) -> Iterator[None]:
    """Run nginx with this configuration until the block ends; fail if it does not listen on port."""
    if not shutil.which(NGINX):
        pytest.fail(f"{NGINX} is missing: apt-get install nginx-light.")
    # Run as root, nginx's workers would switch to an account that cannot read pytest's private folders.
    directives = "daemon off; master_process off;" + (" user root;" if os.geteuid() == 0 else "")
    process = subprocess.Popen([NGINX, "-c", str(config), "-g", directives], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def exchange(port: int, request: bytes) -> tuple[int, str]:
    """Send a request (perhaps a body's start only) and return the status and page of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, page = data.partition(b"\r\n\r\n")
                length = [
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                ]
                if length and len(page) >= length[0]:
                    break
    head, _, page = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), page.decode()
