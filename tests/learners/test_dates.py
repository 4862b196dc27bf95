"""Dates read naturally in both languages, in one format across the site (onetouch/formats/):
04/12/2026 in Vietnamese, 4 Dec 2026 in English, never Django's "Ngày 04 tháng 12 năm 2026" inside a
sentence that already says "ngày"."""

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from courses.services.catalogue import course_run_create
from reporting.selectors.figures import Figures
from reporting.templatetags.statistics import figure_cells
from tests.factories import course_make
from tests.learners.test_views_certificates import certificate_make

pytestmark = pytest.mark.django_db

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
SHOWN = {"vi": "03/11/2025", "en": "3 Nov 2025"}  # the completion of certificate_make


@pytest.mark.parametrize(("language", "expected"), [("vi", "04/12/2026"), ("en", "4 Dec 2026")])
def test_one_date_format_per_language(language, expected):
    day = datetime(2026, 12, 4, 9, 30, tzinfo=VIETNAM)
    with translation.override(language):
        assert {date_format(day, name) for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT")} == {expected}


@pytest.fixture
def completed(learner_hue, province_hue):
    course = course_make(province=province_hue)
    return course, certificate_make(learner=learner_hue, course=course)


def page_in(client, language: str, url: str) -> str:
    client.cookies["django_language"] = language
    return client.get(url).content.decode()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_course_page_says_completed_on_once(client, completed, learner_hue, language):
    """The course page's completion reads "Hoàn thành ngày 03/11/2025" / "Completed on 3 Nov 2025"."""
    course, _ = completed
    client.force_login(learner_hue)
    html = page_in(client, language, course.get_absolute_url())
    sentence = {"vi": "Hoàn thành ngày", "en": "Completed on"}[language]
    assert f"{sentence} {SHOWN[language]}" in html
    assert "Ngày 03" not in html and "tháng 11" not in html


def shown_on(day: date, language: str) -> str:
    return day.strftime("%d/%m/%Y") if language == "vi" else f"{day.day} {day:%b %Y}"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_my_learning_and_certificate_pages_use_the_format(client, completed, learner_hue, language):
    """My learning's enrolment date and the certificate's public page use the language's one format."""
    _, certificate = completed
    client.force_login(learner_hue)
    enrolled = {"vi": "Đăng ký học ngày", "en": "Enrolled on"}[language]
    my_learning = page_in(client, language, reverse("learners:my_learning"))
    assert f"{enrolled} {shown_on(timezone.localdate(), language)}" in my_learning
    assert SHOWN[language] in page_in(client, language, reverse("certificates:verify", args=[certificate.code]))


@pytest.mark.parametrize(("language", "shown"), [("vi", "01/03/2026 – 30/06/2026"), ("en", "1 Mar 2026 – 30 Jun 2026")])
def test_course_runs_use_the_format(client, language, shown):
    course = course_make()
    course_run_create(course=course, title="Đợt 1", starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30))
    assert shown in page_in(client, language, course.get_absolute_url())


@pytest.mark.parametrize("language", ["vi", "en"])
def test_statistics_pages_use_the_format(client, ministry_staff, language):
    """The dashboard's period and freshness use the same formats as every other page."""
    client.force_login(ministry_staff)
    html = page_in(client, language, reverse("reporting:national") + "?start=2026-11-03&end=2026-12-04")
    period = {"vi": "Từ 03/11/2026 đến 04/12/2026", "en": "From 3 Nov 2026 to 4 Dec 2026"}[language]
    assert period in html


@pytest.mark.parametrize(("language", "grouped"), [("vi", "10.000.000"), ("en", "10,000,000")])
def test_statistics_figures_group_digits_as_the_language_writes_them(language, grouped):
    """The ministry reads ten million enrolments as 10.000.000 (Vietnamese) or 10,000,000 (English)."""
    figures = Figures(enrolments=10_000_000)
    with translation.override(language):
        assert f'<td data-measure="enrolments">{grouped}</td>' in figure_cells(figures)


# A date shown to people is written with a named format of onetouch/formats/; a template may add the
# weekday's name ("l") or write a machine's date ('c' in datetime attributes, 'U' for scripts).
DATE_FILTER = re.compile(r"""\|date:["']([^"']*)["']""")
MACHINE_OR_WEEKDAY = {"c", "U", "l"}


def test_every_template_writes_dates_with_a_named_format():
    templates = Path(settings.BASE_DIR) / "templates"
    literal = [
        f"{path.relative_to(templates)}: {argument}"
        for path in sorted(templates.rglob("*.html")) + sorted(templates.rglob("*.txt"))
        for argument in DATE_FILTER.findall(path.read_text(encoding="utf-8"))
        if argument not in MACHINE_OR_WEEKDAY and not argument.endswith("_FORMAT")
    ]
    assert literal == []
