"""The national and provincial dashboards: figures, scope, the map and bad input."""

import re
import time
from datetime import date

import pytest
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from courses.models import Lesson
from learners.models import LearningEvent
from learners.services.enrolments import enrolment_create
from learners.services.progress import lesson_complete_manually
from onetouch.models import Province
from reporting.models import SummaryCount
from reporting.pure import geo
from reporting.pure.geo import province_centres
from reporting.services.fold import statistics_fold
from tests.factories import course_make, learner_make, lesson_make
from tests.reporting.test_selectors import counts_add, many_counts_add

NATIONAL = reverse("reporting:national")
HANOI = reverse("reporting:province", args=["01"])
HUE = reverse("reporting:province", args=["46"])


def measure(html: str, name: str, *, row: str = 'id="totals"') -> str:
    """The text of the figure cell `name` in the first table row after the marker `row`."""
    row_html = html.split(row, 1)[1].split("</tr>", 1)[0] if row != 'id="totals"' else html.split(row, 1)[1]
    return re.search(rf'data-measure="{name}">([^<]*)<', row_html).group(1)


def fold_everything(timeout: float = 300) -> None:
    """Fold until every event written so far is counted.

    The fold waits for every transaction open on the server (other test runs share it), so one
    fold may count nothing yet.
    """
    last = LearningEvent.objects.aggregate(last=Max("xact_id"))["last"]
    deadline = time.monotonic() + timeout
    while statistics_fold().mark <= last:
        assert time.monotonic() < deadline, "a transaction on the database server stayed open"
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_figures_written_by_the_services_appear_after_the_fold(client, ministry_staff, commune_hanoi):
    """Enrolments and an online completion show in the national and Hà Nội totals once folded."""
    course = course_make()
    lesson = lesson_make(course=course, kind=Lesson.Kind.TEXT)
    finisher = learner_make(commune=commune_hanoi, audience_group="civil_servant")
    enrolment_create(learner=finisher, course=course)
    enrolment_create(learner=learner_make(commune=commune_hanoi), course=course)
    lesson_complete_manually(learner=finisher, lesson=lesson)
    client.force_login(ministry_staff)

    before = client.get(NATIONAL).content.decode()
    fold_everything()
    national, hanoi = client.get(NATIONAL).content.decode(), client.get(HANOI).content.decode()

    assert measure(before, "enrolments") == "0"
    assert "Chưa có số liệu" in before  # "Figures not computed yet", in Vietnamese
    for html in (national, hanoi):
        assert (measure(html, "learners"), measure(html, "enrolments"), measure(html, "completions")) == ("2", "2", "1")
        assert measure(html, "completion_rate") == "50%"
    assert measure(national, "enrolments", row='data-place="01"') == "2"


@pytest.fixture
def people(ministry_staff, admin_hanoi, learner_hanoi, partner_trainer):
    return {"ministry_staff": ministry_staff, "admin_hanoi": admin_hanoi, "learner": learner_hanoi,
            "partner_trainer": partner_trainer}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "national", "hanoi", "hue"),
    [
        ("ministry_staff", 200, 200, 200),
        ("admin_hanoi", 403, 200, 404),
        ("learner", 403, 404, 404),
        ("partner_trainer", 403, 404, 404),
    ],
)
def test_who_sees_which_dashboard(client, people, who, national, hanoi, hue):
    client.force_login(people[who])

    assert [client.get(url).status_code for url in (NATIONAL, HANOI, HUE)] == [national, hanoi, hue]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [NATIONAL, HANOI, HUE])
def test_anonymous_visitors_are_sent_to_sign_in(client, url, admin_units):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_unknown_province_code_is_404(client, ministry_staff):
    client.force_login(ministry_staff)

    assert client.get(reverse("reporting:province", args=["99"])).status_code == 404
    assert client.get(reverse("reporting:province", args=["xyz"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2025-03-01", "end": "2025-02-01"}, "The end date is before the start date."),
        ({"start": "2000-01-01", "end": "2025-02-01"}, "The period may be at most 1830 days long."),
        ({"start": "garbage"}, "Enter a valid date."),
        ({"end": "2025-02-30"}, "Enter a valid date."),
        ({"start": "99999-01-01"}, "Enter a valid date."),
        ({"end": "0001-01-05"}, "Choose a date between 2000-01-01 and 2099-12-31."),
        ({"start": "9999-12-20", "end": "9999-12-31"}, "Choose a date between 2000-01-01 and 2099-12-31."),
        ({"audience": "aliens"}, "Select a valid choice."),
        ({"course": "987654"}, "Unknown course: choose one from the list."),
        ({"course": "khong-co-khoa-nay"}, "Unknown course: choose one from the list."),
        ({"units": "tomorrow"}, "Select a valid choice."),
        ({"trend": "hour"}, "Select a valid choice."),
        ({"sort": "password"}, "Select a valid choice."),
    ],
)
@pytest.mark.parametrize("url", [NATIONAL, HANOI])
def test_bad_filters_show_the_form_with_its_errors_and_400(in_english, ministry_staff, url, query, message):
    in_english.force_login(ministry_staff)

    response = in_english.get(url, query)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="totals"' not in response.content.decode()


@pytest.mark.django_db
def test_national_map_draws_every_province_and_both_archipelagos(client, ministry_staff):
    client.force_login(ministry_staff)

    html = client.get(NATIONAL).content.decode()
    svg = html.split('class="province-map"', 1)[1].split("</svg>", 1)[0]

    assert len(re.findall(r'<circle [^>]*data-province="\d\d"', svg)) == 34
    assert svg.count('href="/statistics/province/') == 34
    assert ">Hoàng Sa</text>" in svg and ">Trường Sa</text>" in svg
    assert '<path class="outline"' in svg
    assert 'class="legend"' not in svg  # nothing counted: every place is an empty ring, no scale to show


@pytest.mark.django_db
def test_national_map_is_a_picture_of_the_table_with_the_outline_and_a_legend(in_english, ministry_staff, province_hue):
    """The outline of Vietnam, a legend of round values at the circles' scale, and no link in the tab order."""
    day = timezone.localdate()
    counts_add(start=day, end=day, kind="course_completed", per_day=1234, province_id=province_hue.id)
    in_english.force_login(ministry_staff)

    html = in_english.get(NATIONAL, {"start": day, "end": day}).content.decode()
    svg_tag, svg = (
        html.split('<svg class="province-map"', 1)[1].split(">", 1)[0],
        html.split('class="province-map"', 1)[1],
    )
    svg = svg.split("</svg>", 1)[0]

    assert 'aria-hidden="true"' in svg_tag and 'role="img"' not in svg_tag  # no link nested in an image
    links = re.findall(r"<a [^>]*>", svg)
    assert len(links) == 34 and all('tabindex="-1"' in link for link in links)
    assert f'<path class="outline" d="{geo.outline_path()}"/>' in svg
    legend = svg.split('class="legend"', 1)[1]
    assert ">Completions</text>" in legend
    assert re.findall(r'text-anchor="middle">([^<]*)</text>', legend) == ["1,000", "200", "20"]
    assert "its area shows completions" in html  # the legend's meaning, in words, for every reader
    # The figures and links the map hides are in the province table.
    assert 'href="/statistics/province/46/' in html.split('id="places"', 1)[1]


@pytest.mark.django_db
def test_tables_scroll_inside_named_focusable_regions(client, ministry_staff, admin_hanoi):
    for user, url in ((ministry_staff, NATIONAL), (admin_hanoi, HANOI)):
        client.force_login(user)
        html = client.get(url).content.decode()
        tables = html.count("<table")
        regions = re.findall(r'<div class="table-scroll" tabindex="0" role="region" aria-labelledby="([^"]+)">', html)
        assert tables == len(regions), url
        assert all(name.endswith(" scroll-table-name") for name in regions)
        assert 'id="scroll-table-name"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({}, 0),
        # The defaults chosen again, and the table's order, change nothing.
        ({"trend": "day", "units": "then", "measure": "completions", "sort": "-name"}, 0),
        ({"audience": "public", "trend": "week"}, 2),
        ({"start": "2025-01-01", "end": "2025-03-31", "units": "now", "measure": "enrolments"}, 4),
    ],
)
def test_the_folded_filters_count_those_that_change_the_figures(in_english, ministry_staff, query, count):
    in_english.force_login(ministry_staff)

    html = in_english.get(NATIONAL, query).content.decode()
    summary = re.search(r'<details class="filter-panel">\s*<summary>([^<]*)</summary>', html).group(1)

    assert summary == (f"Filters ({count})" if count else "Filters")
    assert '<button class="button" type="submit">' in html.split('class="filter-panel"', 1)[1]


@pytest.mark.django_db
def test_a_province_page_offers_no_map_measure_and_keeps_the_one_chosen_for_the_way_back(in_english, admin_hanoi):
    in_english.force_login(admin_hanoi)

    html = in_english.get(HANOI, {"measure": "enrolments", "audience": "public"}).content.decode()

    assert 'type="hidden" name="measure" value="enrolments"' in html
    assert 'id="id_measure"' not in html.split('class="filter-panel"', 1)[1].split("</details>", 1)[0]
    assert "<summary>Filters (1)</summary>" in html  # the audience; the hidden measure changes nothing here


@pytest.mark.django_db
def test_the_trend_has_a_date_axis_under_its_bars(client, ministry_staff):
    client.force_login(ministry_staff)

    html = client.get(NATIONAL, {"start": "2025-03-01", "end": "2025-03-30", "trend": "day"}).content.decode()
    axis = html.split('<svg class="date-axis" aria-hidden="true"', 1)[1].split("</svg>", 1)[0]
    labels = re.findall(r'<g( class="wide-only")?><line [^>]*/><text x="([\d.]+)%" [^>]*>([^<]*)</text></g>', axis)

    every_third_day = [f"{day}/3" for day in range(1, 31, 3)]
    assert [text for _wide, _x, text in labels] == every_third_day
    assert [text for wide, _x, text in labels if not wide] == ["1/3", "7/3", "13/3", "19/3", "25/3"]


@pytest.mark.django_db
def test_map_of_certificates_survives_more_revocations_than_issues(client, ministry_staff, province_hue):
    day = timezone.localdate()
    for grain, start in (("day", day), ("month", day.replace(day=1))):
        SummaryCount.objects.create(
            grain=grain, period_start=start, province_id=province_hue.id, commune_id=-1, course_id=-1,
            audience_group="public", certificate_revoked=2,
        )  # fmt: skip
    client.force_login(ministry_staff)

    response = client.get(NATIONAL, {"measure": "certificates", "start": day, "end": day})

    assert response.status_code == 200
    assert measure(response.content.decode(), "certificates", row='data-place="46"') == "-2"


@pytest.mark.django_db
def test_province_table_has_a_line_for_learners_of_no_known_province(in_english, ministry_staff):
    day = timezone.localdate()
    for grain, start in (("day", day), ("month", day.replace(day=1))):
        SummaryCount.objects.create(
            grain=grain, period_start=start, province_id=0, commune_id=-1, course_id=-1,
            audience_group="public", enrolled=5,
        )  # fmt: skip
    in_english.force_login(ministry_staff)

    html = in_english.get(NATIONAL, {"start": day, "end": day}).content.decode()

    assert "Place not known" in html
    assert measure(html, "enrolments", row='data-place="unknown"') == "5"


@pytest.mark.django_db
def test_every_province_has_a_centre_for_the_map(admin_units):
    assert set(Province.objects.values_list("code", flat=True)) == set(province_centres())


@pytest.mark.django_db
def test_province_table_sorts_by_the_chosen_column(client, ministry_staff, province_hue, province_hanoi):
    day = timezone.localdate()
    for province, count in ((province_hanoi, 3), (province_hue, 8)):
        for grain, start in (("day", day), ("month", day.replace(day=1))):
            SummaryCount.objects.create(
                grain=grain, period_start=start, province_id=province.id, commune_id=-1, course_id=-1,
                audience_group="public", enrolled=count,
            )  # fmt: skip
    client.force_login(ministry_staff)

    by_code = client.get(NATIONAL).content.decode()
    by_enrolments = client.get(NATIONAL, {"sort": "-enrolments"}).content.decode()

    def order(html):
        return re.findall(r'data-place="(\d\d)"', html)[:2]

    assert order(by_code) == ["01", "04"]
    assert order(by_enrolments) == ["46", "01"]
    assert "?sort=enrolments" in by_enrolments  # a second click reverses the order


@pytest.mark.django_db(transaction=True)
def test_province_page_shows_coverage_of_trained_learners_every_commune_and_export_links(
    client, admin_hanoi, province_hanoi, commune_hanoi
):
    """Two communes have a trained commune leader, one also a trained digital team member: 2, 1 and 1 covered."""
    other_commune = province_hanoi.communes.exclude(id=commune_hanoi.id).order_by("code").first()
    course = course_make(audiences=("commune_leader", "digital_team"))
    lesson = lesson_make(course=course, kind=Lesson.Kind.TEXT)
    trained = [
        learner_make(commune=commune_hanoi, audience_group="commune_leader"),
        learner_make(commune=commune_hanoi, audience_group="digital_team"),
        learner_make(commune=other_commune, audience_group="commune_leader"),
    ]
    enrolled_only = learner_make(commune=other_commune, audience_group="digital_team")
    for learner in [*trained, enrolled_only]:
        enrolment_create(learner=learner, course=course)
    for learner in trained:
        lesson_complete_manually(learner=learner, lesson=lesson)
    fold_everything()
    client.force_login(admin_hanoi)
    today = timezone.localdate().isoformat()

    html = client.get(HANOI, {"start": today, "end": today, "audience": "public"}).content.decode()

    assert html.count("data-place=") == province_hanoi.communes.count()
    coverage = {name: re.search(rf'data-coverage="{name}">(\d+)<', html).group(1) for name in COVERAGE}
    assert coverage == {"covered": "1", "with_leaders": "2", "with_digital_team": "1"}
    assert f"/statistics/province/01/export/?start={today}&amp;end={today}&amp;audience=public&amp;format=csv" in html
    assert "format=xlsx" in html


COVERAGE = ("covered", "with_leaders", "with_digital_team")


@pytest.mark.django_db
def test_long_day_trend_says_it_is_shown_by_week(in_english, ministry_staff):
    in_english.force_login(ministry_staff)

    html = in_english.get(NATIONAL, {"start": "2025-01-01", "end": "2025-12-31", "trend": "day"}).content.decode()

    assert "shown week by week" in html
    assert html.count('<tr><th scope="row">') >= 52
    assert date(2024, 12, 30).strftime("%d/%m/%Y") in html  # the first week starts on its Monday


@pytest.mark.django_db
def test_trend_chart_draws_a_bar_per_day_scaled_to_the_largest(client, ministry_staff):
    """Each bar is titled with its day and figures; its completions are drawn inside its enrolments."""
    first, second = date(2025, 3, 10), date(2025, 3, 11)
    counts_add(start=first, end=first, per_day=4)
    counts_add(start=first, end=first, kind="course_completed", per_day=1)
    counts_add(start=second, end=second, per_day=2)
    client.force_login(ministry_staff)

    html = client.get(NATIONAL, {"start": "2025-03-10", "end": "2025-03-11", "trend": "day"}).content.decode()
    bars = re.findall(r"<g><title>([^<]*)</title>(.*?)</g>", html.split('class="trend-chart"', 1)[1])

    assert [title for title, _rects in bars] == ["10/03/2025: 4 / 1", "11/03/2025: 2 / 0"]
    heights = [
        re.findall(r'class="(\w+)" x="[^"]*" y="[^"]*" width="[^"]*" height="([^"]*)"', rects) for _t, rects in bars
    ]
    assert heights == [
        [("enrolments", "160.0"), ("completions", "40.0")],
        [("enrolments", "80.0"), ("completions", "0.0")],
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 40])
def test_pages_run_a_bounded_number_of_queries(client, ministry_staff, django_assert_max_num_queries, size):
    """The same bound holds whatever the number of communes, courses and days with figures."""
    many_counts_add(size=size)
    client.force_login(ministry_staff)
    query = {"start": "2025-01-20", "end": "2025-11-05", "units": "now"}

    with django_assert_max_num_queries(14):
        assert client.get(NATIONAL, query).status_code == 200
    with django_assert_max_num_queries(15):  # and the province
        assert client.get(HUE, query).status_code == 200


# --- The course filter: only the viewer's courses, chosen by web address ------------------------


@pytest.fixture
def courses_everywhere(province_hanoi, province_hue) -> dict:
    return {
        "national": course_make(title="Khóa học quốc gia"),
        "national_draft": course_make(title="Bản nháp quốc gia", is_published=False),
        "hanoi_draft": course_make(title="Bản nháp của Hà Nội", province=province_hanoi, is_published=False),
        "hue_draft": course_make(title="Bản nháp bí mật của Huế", province=province_hue, is_published=False),
        "hue_published": course_make(title="Khóa học đã xuất bản của Huế", province=province_hue),
    }


OUT_OF_HANOI = ("hue_draft", "hue_published", "national_draft")


def page_shape(response, course: str) -> str:
    """The page without its per-response nonce and CSRF token, nor the value asked (in the language switch's link)."""
    html = re.sub(r'(nonce|name="csrfmiddlewaretoken" value)="[^"]*"', "", response.content.decode())
    return html.replace(f"course={course}", "course=…")


def course_options(html: str) -> list[str]:
    select = html.split('name="course"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select)


@pytest.mark.django_db
def test_course_filter_offers_national_published_and_own_province_courses_by_title(
    client, admin_hanoi, ministry_staff, courses_everywhere
):
    """Hà Nội's admin is offered the national published course and Hà Nội's draft, by web address, sorted by title."""
    client.force_login(admin_hanoi)
    html = client.get(HANOI).content.decode()

    assert course_options(html) == ["", courses_everywhere["hanoi_draft"].slug, courses_everywhere["national"].slug]
    for name in OUT_OF_HANOI:
        assert courses_everywhere[name].title not in html

    client.force_login(ministry_staff)
    assert len(course_options(client.get(HUE).content.decode())) == 1 + len(courses_everywhere)


@pytest.mark.django_db
def test_admin_probing_another_provinces_courses_gets_the_answer_of_a_missing_course(
    in_english, admin_hanoi, courses_everywhere
):
    """Another province's course or a national draft, by web address or number, answers as a missing course."""
    in_english.force_login(admin_hanoi)
    missing = in_english.get(HANOI, {"course": "khong-co-khoa-nay"})
    assert missing.status_code == 400
    assert "Unknown course: choose one from the list." in missing.content.decode()

    for name in OUT_OF_HANOI:
        course = courses_everywhere[name]
        for value in (course.slug, str(course.id)):
            response = in_english.get(HANOI, {"course": value})
            assert response.status_code == 400
            assert page_shape(response, value) == page_shape(missing, "khong-co-khoa-nay")

    own = in_english.get(HANOI, {"course": courses_everywhere["hanoi_draft"].slug})
    assert own.status_code == 200
    assert "Bản nháp của Hà Nội" in own.content.decode()
