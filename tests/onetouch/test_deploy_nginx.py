"""The production shape's reverse proxy (deploy/nginx.conf), run by Debian's nginx in front of a small
upstream that records what reaches it: bodies capped, static files served, the client's address passed.

Only the addresses differ from the file docker-compose.yml mounts: the upstream, the port, the static
folder and the log and pid paths.
"""

import http.server
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.onetouch.nginx_run import (
    DEPLOY,
    NGINX,
    config_for_test,
    exchange,
    free_port,
    nginx_running,
    upstream_serving,
)

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


@pytest.fixture
def upstream():
    with upstream_serving(RecordingUpstream()) as server:
        yield server


@pytest.fixture
def static_root(tmp_path) -> Path:
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "site.abc123.css").write_text("body { color: #00529b; }\n")
    return folder


@pytest.fixture
def nginx(tmp_path, upstream, static_root):
    """nginx on a free port in front of the recording upstream; yields the port."""
    port = free_port()
    config = config_for_test(tmp_path, upstream_port=upstream.server_address[1], port=port, static_root=static_root)
    with nginx_running(config, port):
        yield port


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
