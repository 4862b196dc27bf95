"""The production shape's reverse proxy (deploy/nginx.conf), run by Debian's nginx in front of a small
upstream that records what reaches it: bodies capped, static files served, the client's address passed.

Only the addresses differ from the file docker-compose.yml mounts: the upstream, the port, the static
folder and the log and pid paths.
"""

import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = "/usr/sbin/nginx"
GB = 1024**3


class RecordingUpstream(http.server.ThreadingHTTPServer):
    """Answers every request at once from its headers (never reading a body), and records them."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict]] = []
        super().__init__(("127.0.0.1", 0), RecordingHandler)


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests.append((self.command, self.path, dict(self.headers)))
        body = b"upstream"
        self.send_response(413 if self.command == "POST" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def upstream():
    server = RecordingUpstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def static_root(tmp_path) -> Path:
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "site.abc123.css").write_text("body { color: #00529b; }\n")
    return folder


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
    ):
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    return path


@pytest.fixture
def nginx(tmp_path, upstream, static_root):
    """nginx on a free port in front of the recording upstream; yields the port."""
    if not shutil.which(NGINX):
        pytest.fail(f"{NGINX} is missing: apt-get install nginx-light.")
    port = free_port()
    config = config_for_test(tmp_path, upstream_port=upstream.server_address[1], port=port, static_root=static_root)
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
    yield port
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


def post_head(path: str, declared: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: onetouch.example.vn\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {declared}\r\nConnection: close\r\n\r\n--x\r\n"
    ).encode()


def test_config_is_valid_for_nginx(tmp_path, static_root):
    """`nginx -t` accepts the configuration the compose file mounts."""
    if not shutil.which(NGINX):
        pytest.fail(f"{NGINX} is missing: apt-get install nginx-light.")
    config = config_for_test(tmp_path, upstream_port=8000, port=free_port(), static_root=static_root)

    result = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr


def test_pages_are_proxied_with_the_client_address_and_scheme(nginx, upstream):
    """A page reaches the web service with the host, the client's address and the scheme."""
    status, page = exchange(nginx, b"GET /courses/ HTTP/1.1\r\nHost: onetouch.example.vn\r\nConnection: close\r\n\r\n")

    assert (status, page) == (200, "upstream")
    method, path, headers = upstream.requests[0]
    assert (method, path) == ("GET", "/courses/")
    assert headers["Host"] == "onetouch.example.vn"
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"


def test_static_files_are_served_by_nginx(nginx, upstream):
    """Collected static files come from the shared folder, without reaching the web service."""
    status, page = exchange(
        nginx, b"GET /static/css/site.abc123.css HTTP/1.1\r\nHost: onetouch.example.vn\r\nConnection: close\r\n\r\n"
    )

    assert status == 200
    assert "#00529b" in page
    assert upstream.requests == []


@pytest.mark.parametrize("path", ["/accounts/login/", "/studio/courses/1/questions/import/", "/studio/lessons/1/file/"])
def test_body_over_the_cap_is_refused_by_nginx_unread(path, nginx, upstream):
    """A body declared larger than the page's cap gets nginx's 413 page at once; the web service sees nothing."""
    declared = {"/accounts/login/": 5 * 1024**2, "/studio/courses/1/questions/import/": 8 * 1024**2}.get(path, 3 * GB)

    status, page = exchange(nginx, post_head(path, declared))

    assert status == 413
    assert "Tệp quá lớn" in page
    assert "File too large" in page
    assert upstream.requests == []


def test_lesson_file_upload_is_passed_on_before_its_body_arrives(nginx, upstream):
    """A lesson file upload within the cap reaches the web service as soon as its headers do, so Django
    can refuse it on its declared length or kind limit instead of nginx spooling it first."""
    status, page = exchange(nginx, post_head("/studio/lessons/1/file/", GB))

    assert (status, page) == (413, "upstream")
    method, path, headers = upstream.requests[0]
    assert (method, path, headers["Content-Length"]) == ("POST", "/studio/lessons/1/file/", str(GB))


def test_compose_puts_nginx_alone_in_front_of_web():
    """Only nginx publishes a port; it mounts deploy/nginx.conf; web trusts one proxy for the client address."""
    import yaml
    from django.conf import settings

    services = yaml.safe_load((DEPLOY.parent / "docker-compose.yml").read_text())["services"]

    assert [name for name, service in services.items() if service.get("ports")] == ["nginx"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    # The lesson file cap is the largest lesson file (a video) plus the margin for the form's fields.
    cap = (settings.MATERIAL_MAX_BYTES["video"] + settings.UPLOAD_FORM_FIELDS_MARGIN_BYTES) // 1024**2
    assert f"client_max_body_size {cap}m;" in (DEPLOY / "nginx.conf").read_text()
