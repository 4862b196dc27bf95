"""The favicon: linked from every page, and /favicon.ico answers instead of a 404."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # the ICO signature


def test_every_page_links_a_small_svg_and_png_icon(client):
    page = client.get("/courses/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert 'href="/static/favicon-32.png" sizes="32x32"' in page
    for name in ("favicon.svg", "favicon-32.png", "favicon.ico"):
        with open(finders.find(name), "rb") as icon:
            assert len(icon.read()) < 4096, f"{name} should stay small"
