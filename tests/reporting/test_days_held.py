"""In-person days in the statistics: attendance after the fold, days held per province and partner, scope.

Days held in the past cannot be scheduled through inperson.services (a day must start in the
future), so these tests write the day rows as the services would have left them once the day
started; attendance is written as the check-in writes it, a learning event of the enrolment.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import CourseRun, Partner
from inperson.models import DaySeat, InPersonDay
from learners.models import Enrolment, LearningEvent
from learners.services.enrolments import enrolment_create
from learners.services.events import learning_event_record
from reporting.models import DayCount, Target
from reporting.selectors.dashboard_filters import DashboardFilters
from reporting.services.fold import statistics_fold
from reporting.services.rebuild import statistics_rebuild
from tests.factories import course_make, day_make, learner_make
from tests.reporting.test_dashboards import fold_everything, measure
from tests.reporting.test_exports import csv_rows
from tests.reporting.test_selectors import counts_add, dashboard_read

NATIONAL = reverse("reporting:national")
HANOI = reverse("reporting:province", args=["01"])
HUE = reverse("reporting:province", args=["46"])
Kind = LearningEvent.Kind


def run_make(course, *, days_before: int = 20, days_after: int = 20) -> CourseRun:
    """A run of the course that started some days ago and has not ended: learners can still enrol."""
    today = timezone.localdate()
    return CourseRun.objects.create(
        course=course,
        title="Đợt 1",
        starts_on=today - dt.timedelta(days=days_before),
        ends_on=today + dt.timedelta(days=days_after),
    )


def seats_make(day, learners, status=DaySeat.Status.SIGNED_UP) -> None:
    cancelled_at = timezone.now() if status == DaySeat.Status.CANCELLED else None
    for learner in learners:
        DaySeat.objects.create(day=day, learner=learner, status=status, cancelled_at=cancelled_at)


def days_figure(html: str, name: str, *, row: str = 'id="days-held-totals"') -> str:
    """The text of the in-person days figure `name` after the marker `row` (the tiles or a table row)."""
    after = html.split('id="days-held-heading"', 1)[1].split(row, 1)[1]
    if row != 'id="days-held-totals"':
        after = after.split("</tr>", 1)[0]
    return re.search(rf'data-days="{name}">([^<]*)<', after).group(1)


@pytest.fixture
def partners(db) -> dict[str, Partner]:
    return {
        "post": Partner.objects.create(name="Bưu điện Việt Nam", kind=Partner.Kind.POSTAL),
        "telecom": Partner.objects.create(name="Viettel", kind=Partner.Kind.TELECOM),
    }


# --- Attendance after the fold ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_attendance_reaches_the_dashboard_after_the_fold_and_a_withdrawal_takes_it_back(
    client, ministry_staff, commune_hanoi, partners
):
    """An attendance is +1 on the totals and its day once folded; the correction to absent is −1."""
    course = course_make(province=None)
    run = run_make(course)
    learner = learner_make(commune=commune_hanoi)
    enrolment = enrolment_create(learner=learner, course=course)
    assert enrolment.course_run_id == run.id
    day = day_make(run, commune_hanoi, ministry_staff, starts_in=-dt.timedelta(days=2), partners=[partners["post"]])
    seats_make(day, [learner, learner_make(commune=commune_hanoi)])
    client.force_login(ministry_staff)

    learning_event_record(kind=Kind.ATTENDED_IN_PERSON, enrolment=enrolment)
    learning_event_record(kind=Kind.COMPLETED_IN_PERSON, enrolment=enrolment)
    fold_everything()
    attended = client.get(NATIONAL).content.decode()

    learning_event_record(kind=Kind.ATTENDANCE_WITHDRAWN, enrolment=Enrolment.objects.get(id=enrolment.id))
    learning_event_record(kind=Kind.COMPLETED_IN_PERSON_WITHDRAWN, enrolment=enrolment)
    fold_everything()
    withdrawn = client.get(NATIONAL).content.decode()

    assert (measure(attended, "attendances"), measure(attended, "completions_in_person")) == ("1", "1")
    assert measure(attended, "attendances", row='data-place="01"') == "1"
    assert [days_figure(attended, name) for name in ("days", "provinces", "signed_up", "attended")] == [
        "1",
        "1",
        "2",
        "1",
    ]
    assert days_figure(attended, "attendance_rate") == "50%"
    assert days_figure(attended, "completed_in_person") == "1"
    assert days_figure(attended, "attended", row=f'data-partner="{partners["post"].id}"') == "1"

    assert (measure(withdrawn, "attendances"), measure(withdrawn, "completions_in_person")) == ("0", "0")
    assert measure(withdrawn, "attendances", row='data-place="01"') == "0"
    assert (days_figure(withdrawn, "days"), days_figure(withdrawn, "attended")) == ("1", "0")
    assert days_figure(withdrawn, "attendance_rate") == "0%"
    assert days_figure(withdrawn, "completed_in_person") == "0"


# --- Days held per province and partner ----------------------------------------------------------------


@pytest.fixture
def days_everywhere(ministry_staff, commune_hanoi, commune_hue, partners) -> dict:
    """Held days in Hà Nội (post) and Huế (post and Viettel), and days that do not count."""
    hanoi_course, hue_course, national = (
        course_make(province=commune_hanoi.province),
        course_make(province=commune_hue.province),
        course_make(province=None),
    )
    post, telecom = partners["post"], partners["telecom"]
    learners = [learner_make(commune=commune_hanoi) for _ in range(4)]
    held_hanoi = day_make(run_make(hanoi_course), commune_hanoi, ministry_staff, starts_in=-dt.timedelta(days=3))
    held_hanoi.partners.set([post])
    seats_make(held_hanoi, learners[:2])
    seats_make(held_hanoi, learners[2:3], DaySeat.Status.CANCELLED)  # cancelled before: not signed up
    held_hue = day_make(
        run_make(hue_course), commune_hue, ministry_staff, starts_in=-dt.timedelta(days=5), partners=[post, telecom]
    )
    seats_make(held_hue, learners[:3])
    # Not held: cancelled, not started yet, and held before the period.
    cancelled = day_make(
        run_make(national), commune_hanoi, ministry_staff, starts_in=-dt.timedelta(days=1), partners=[telecom]
    )
    cancelled.cancelled_at, cancelled.cancel_reason = timezone.now() - dt.timedelta(days=4), "Mưa bão"
    cancelled.save()
    seats_make(cancelled, learners)
    future = day_make(
        run_make(course_make(province=None)),
        commune_hanoi,
        ministry_staff,
        starts_in=dt.timedelta(days=2),
        partners=[telecom],
    )
    seats_make(future, learners)
    long_ago = day_make(
        run_make(course_make(province=commune_hanoi.province), days_before=200),
        commune_hanoi,
        ministry_staff,
        starts_in=-dt.timedelta(days=100),
        partners=[post],
    )
    seats_make(long_ago, learners)
    statistics_fold()
    return {"hanoi": held_hanoi, "hue": held_hue, "hue_course": hue_course, "post": post, "telecom": telecom}


@pytest.mark.django_db
def test_days_held_are_counted_per_province_and_partner(client, ministry_staff, days_everywhere):
    """Two days held; the cancelled day, the day to come and the day before the period are not counted."""
    client.force_login(ministry_staff)
    post, telecom = days_everywhere["post"].id, days_everywhere["telecom"].id

    national = client.get(NATIONAL).content.decode()
    hanoi = client.get(HANOI).content.decode()

    assert [days_figure(national, name) for name in ("days", "provinces", "signed_up", "attended")] == [
        "2",
        "2",
        "5",
        "0",
    ]
    assert days_figure(national, "attendance_rate") == "0%"
    assert [days_figure(national, "days", row=f'data-place="{code}"') for code in ("01", "46")] == ["1", "1"]
    assert days_figure(national, "signed_up", row='data-place="46"') == "3"
    assert (
        'id="days-by-province"' in national
        and national.count('<tr data-place="', national.index("days-by-province")) == 2
    )
    assert (
        days_figure(national, "days", row=f'data-partner="{post}"'),
        days_figure(national, "signed_up", row=f'data-partner="{post}"'),
    ) == ("2", "5")
    assert days_figure(national, "days", row=f'data-partner="{telecom}"') == "1"

    assert (days_figure(hanoi, "days"), days_figure(hanoi, "signed_up")) == ("1", "2")
    assert 'data-days="provinces"' not in hanoi and 'id="days-by-province"' not in hanoi
    assert days_figure(hanoi, "days", row=f'data-partner="{post}"') == "1"
    assert f'data-partner="{telecom}"' not in hanoi  # Viettel only taught in Huế and on days not held

    # A longer period takes in the day held a hundred days ago.
    start = (timezone.localdate() - dt.timedelta(days=150)).isoformat()
    longer = client.get(HANOI, {"start": start}).content.decode()
    assert (days_figure(longer, "days"), days_figure(longer, "signed_up")) == ("2", "6")


@pytest.mark.django_db
def test_the_rebuild_copies_the_same_days(days_everywhere):
    """The rebuild recounts the days held from the day rows: the same copies, once each."""
    before = sorted(DayCount.objects.values_list("day_id", "province_id", "held_on", "signed_up"))
    statistics_fold()  # a second fold copies nothing twice
    assert DayCount.objects.count() == 3

    statistics_rebuild()

    assert sorted(DayCount.objects.values_list("day_id", "province_id", "held_on", "signed_up")) == before
    assert {day_id for day_id, *_rest in before} == {
        days_everywhere["hanoi"].id,
        days_everywhere["hue"].id,
        *InPersonDay.objects.filter(starts_at__lt=timezone.now() - dt.timedelta(days=50)).values_list("id", flat=True),
    }


@pytest.mark.django_db
def test_a_provincial_admin_sees_no_other_provinces_days(client, admin_hanoi, days_everywhere):
    """Another province's page is 404, its course is an unknown course, and the national page is refused."""
    client.force_login(admin_hanoi)

    assert client.get(HUE).status_code == 404
    assert client.get(HANOI, {"course": days_everywhere["hue_course"].slug}).status_code == 400
    assert client.get(NATIONAL).status_code == 403
    hanoi = client.get(HANOI).content.decode()
    assert days_figure(hanoi, "days") == "1"
    assert f'data-partner="{days_everywhere["telecom"].id}"' not in hanoi


@pytest.mark.django_db
def test_a_course_filter_keeps_only_its_days(client, ministry_staff, days_everywhere):
    client.force_login(ministry_staff)

    html = client.get(NATIONAL, {"course": days_everywhere["hue_course"].slug}).content.decode()

    assert (days_figure(html, "days"), days_figure(html, "provinces")) == ("1", "1")
    assert 'data-place="01"' not in html.split('id="days-by-province"', 1)[1].split("</table>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
def test_pages_with_days_run_a_bounded_number_of_queries(
    client, ministry_staff, commune_hanoi, commune_hue, partners, django_assert_max_num_queries, size
):
    """However many days, partners and seats, the pages run the same few queries."""
    client.force_login(ministry_staff)
    learners = [learner_make(commune=commune_hanoi) for _ in range(size)]
    for index in range(size):
        commune = commune_hanoi if index % 2 else commune_hue
        day = day_make(
            run_make(course_make(province=None)),
            commune,
            ministry_staff,
            starts_in=-dt.timedelta(days=index + 1),
            partners=list(partners.values())[: index % 2 + 1],
        )
        seats_make(day, learners)
    statistics_fold()
    assert DayCount.objects.count() == size

    # The pages without days (tests/reporting/test_dashboards.py), three reads of the days and the
    # fold's mark that keys the page cache.
    with django_assert_max_num_queries(14 + 3):
        assert client.get(NATIONAL).status_code == 200
    with django_assert_max_num_queries(15 + 3):
        assert client.get(HANOI).status_code == 200


@pytest.mark.django_db
def test_the_national_export_holds_the_days_held_per_province(client, ministry_staff, days_everywhere):
    """The place table's last two columns: days held where the province is, and who attended them."""
    client.force_login(ministry_staff)

    header, *rows = csv_rows(client.get(reverse("reporting:national_export"), {"format": "csv"}))

    assert header[-2:] == ["Số buổi học trực tiếp đã tổ chức", "Số người dự các buổi học trực tiếp"]
    by_code = {row[0]: row[-2:] for row in rows[:-1]}
    assert (by_code["01"], by_code["46"], by_code["79"]) == (["1", "0"], ["1", "0"], ["0", "0"])
    assert rows[-1][-2:] == ["2", "0"]


@pytest.mark.django_db
def test_a_target_on_attendances_counts_them_net_of_withdrawals(admin_units):
    """Attended every day of April, a third taken back: the target's progress is what the figures show."""
    counts_add(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30), kind=Kind.ATTENDED_IN_PERSON, per_day=3)
    counts_add(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30), kind=Kind.ATTENDANCE_WITHDRAWN, per_day=1)
    target = Target.objects.create(
        name="Tham dự",
        measure=Target.Measure.ATTENDANCES,
        starts_on=dt.date(2025, 4, 1),
        ends_on=dt.date(2025, 4, 30),
        goal=100,
    )

    april = DashboardFilters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30))
    dashboard = dashboard_read(filters=april, province=None)

    assert [(progress.target, progress.achieved) for progress in dashboard.targets] == [(target, 60)]
    assert dashboard.totals.attendances == 60
