"""The reverse proxy's page cache (deploy/nginx.conf, docs/decisions/0028), in Debian's nginx in front of
an upstream that answers like Django's anonymous pages and records what reaches it.

The upstream always says the page may be shared (public, s-maxage) unless a test asks otherwise, so
each test shows nginx's own rule at work: the session cookie, a Set-Cookie, the language, the URL.
"""

import http.client
import http.server
from urllib.parse import urlsplit

import pytest

from tests.onetouch.nginx_run import config_for_test, free_port, nginx_running, upstream_serving

SHARED = "public, max-age=0, s-maxage=30"  # what onetouch.proxy_cache sends for an anonymous page


class PageUpstream(http.server.ThreadingHTTPServer):
    """Answers every GET with a page naming how many requests it has seen; headers set per test."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.cache_control = SHARED
        self.set_cookie: str | None = None
        super().__init__(("127.0.0.1", 0), PageHandler)


class PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        body = f"page {len(self.server.requests)} for {self.headers.get('Cookie', '')}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", self.server.cache_control)
        self.send_header("Vary", "Accept-Language, Cookie")  # as Django sends it
        if self.server.set_cookie:
            self.send_header("Set-Cookie", self.server.set_cookie)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def upstream():
    with upstream_serving(PageUpstream()) as server:
        yield server


@pytest.fixture
def nginx(tmp_path, upstream):
    port = free_port()
    static_root = tmp_path / "static"
    static_root.mkdir()
    config = config_for_test(tmp_path, upstream_port=upstream.server_address[1], port=port, static_root=static_root)
    with nginx_running(config, port):
        yield port


def get(port: int, path: str, **headers: str) -> tuple[str, str]:
    """Return the page and nginx's cache status (HIT, MISS, BYPASS, or "" when not cached at all)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": "onetouch.example.vn", **headers})
        response = connection.getresponse()
        assert response.status == 200
        return response.read().decode(), response.getheader("X-Cache-Status", "")
    finally:
        connection.close()


def paths_seen(upstream) -> list[str]:
    return [
        urlsplit(path).path + (f"?{urlsplit(path).query}" if urlsplit(path).query else "")
        for path, _ in upstream.requests
    ]


@pytest.mark.parametrize("path", ["/", "/courses/", "/courses/?q=chuyen+doi+so&page=2", "/courses/ky-nang-so/"])
def test_anonymous_page_is_served_from_the_cache_the_second_time(nginx, upstream, path):
    """Home, catalogue and course pages: the second anonymous request never reaches Django."""
    first, first_status = get(nginx, path)
    second, second_status = get(nginx, path)

    assert (first_status, second_status) == ("MISS", "HIT")
    assert second == first
    assert paths_seen(upstream) == [path]


def test_signed_in_request_bypasses_the_cache_and_is_never_stored(nginx, upstream):
    """With the session cookie nginx neither serves the visitors' copy nor keeps the answer, even one
    that (wrongly) says it may be shared."""
    signed_in = {"Cookie": "sessionid=abc123; django_language=vi"}
    learner_page, status = get(nginx, "/courses/", **signed_in)
    assert status == "BYPASS"

    visitor_page, _ = get(nginx, "/courses/")  # not the learner's page, which was not stored
    assert "sessionid" not in visitor_page
    again, again_status = get(nginx, "/courses/", **signed_in)  # not the visitors' copy either

    assert "sessionid=abc123" in learner_page
    assert again_status == "BYPASS"
    assert again != visitor_page
    assert len(upstream.requests) == 3


def test_request_with_a_message_to_show_bypasses_the_cache(nginx, upstream):
    """A visitor with a pending message (Django's messages cookie) gets Django's page, with the message."""
    get(nginx, "/courses/")
    page, status = get(nginx, "/courses/", Cookie="messages=xyz")

    assert status == "BYPASS"
    assert "messages=xyz" in page
    assert len(upstream.requests) == 2


def test_response_setting_a_cookie_is_never_stored(nginx, upstream):
    """A page that sets a cookie (a CSRF token, a session) is passed on each time, never kept."""
    upstream.set_cookie = "csrftoken=secret; Path=/"

    get(nginx, "/courses/")
    _page, status = get(nginx, "/courses/")

    assert status == "MISS"
    assert len(upstream.requests) == 2


@pytest.mark.parametrize("cache_control", ["private, no-store", "private", "no-cache", "max-age=0"])
def test_response_django_marks_private_is_never_stored(nginx, upstream, cache_control):
    """What Django sends for a signed-in page (private, no-store), or no shared lifetime, is not kept."""
    upstream.cache_control = cache_control

    get(nginx, "/courses/")
    get(nginx, "/courses/")

    assert len(upstream.requests) == 2


def test_languages_are_kept_apart_and_accept_language_does_not_split_them(nginx, upstream):
    """The language cookie selects the copy; the browser's Accept-Language is ignored, as Django ignores it."""
    vietnamese, _ = get(nginx, "/courses/", **{"Accept-Language": "en-US,en"})
    english, english_status = get(nginx, "/courses/", Cookie="django_language=en")
    assert english_status == "MISS"
    assert english != vietnamese

    assert get(nginx, "/courses/", Cookie="django_language=en; csrftoken=t") == (english, "HIT")
    assert get(nginx, "/courses/", **{"Accept-Language": "vi"}) == (vietnamese, "HIT")
    assert get(nginx, "/courses/", Cookie="django_language=vi") == (vietnamese, "HIT")
    assert get(nginx, "/courses/", Cookie="django_language=xx") == (vietnamese, "HIT")  # Django falls back to vi
    assert len(upstream.requests) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/learning/",
        "/courses/ky-nang-so/cover",
        "/courses/ky-nang-so/lessons/1/",
        "/studio/",
        "/certificates/",
        "/healthz",
    ],
)
def test_other_urls_are_never_cached(nginx, upstream, path):
    """Only the home, catalogue and course pages are kept, whatever headers another page sends."""
    first = get(nginx, path)
    second = get(nginx, path)

    assert first[1] == second[1] == ""
    assert len(upstream.requests) == 2
