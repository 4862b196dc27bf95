"""The catalogue stays light for a cheap phone on a slow network."""

import re

import pytest
from django.contrib.staticfiles import finders

from tests.factories import course_make

pytestmark = pytest.mark.django_db
LIMIT_BYTES = 100 * 1024


def test_catalogue_page_with_its_css_and_scripts_is_under_100_kb(client, settings):
    """A full catalogue page plus every stylesheet and script it loads weighs under 100 KB."""
    for _ in range(settings.CATALOGUE_PAGE_SIZE):
        course_make(summary="Hướng dẫn người dân sử dụng dịch vụ công trực tuyến trên điện thoại. " * 3)
    page = client.get("/courses/").content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', page)

    total = len(page) + sum(len(open(finders.find(name.decode()), "rb").read()) for name in assets)

    assert assets, "the page should load its stylesheet"
    assert total < LIMIT_BYTES
