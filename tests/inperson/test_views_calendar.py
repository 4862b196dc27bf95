""" "Add to my calendar": the day's .ics for the learners of its run, and 404 for anyone else."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from inperson.services.days import day_cancel, day_schedule
from inperson.services.seats import seat_take
from learners.services.enrolments import enrolment_cancel, enrolment_create
from tests.inperson.conftest import day_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(learner_hanoi, course_hanoi, run_hanoi):
    enrolment_create(learner=learner_hanoi, course=course_hanoi)
    return learner_hanoi


def calendar_url(day) -> str:
    return reverse("inperson:learner_day_calendar", args=[day.id])


def test_the_learner_downloads_the_day_as_a_calendar_file(client, enrolled, day_hanoi, django_assert_max_num_queries):
    client.force_login(enrolled)
    with django_assert_max_num_queries(5):
        response = client.get(calendar_url(day_hanoi))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="in-person-day-{day_hanoi.id}.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == f"day-{day_hanoi.id}@testserver"
    assert event.decoded("DTSTART") == day_hanoi.starts_at.astimezone(dt.UTC)
    assert event.decoded("DTEND") == day_hanoi.ends_at.astimezone(dt.UTC)
    # The platform's language for a visitor who has not chosen one.
    assert str(event["SUMMARY"]) == "Buổi học trực tiếp: Thanh toán số"
    assert str(event["URL"]) == f"http://testserver/learning/days/{day_hanoi.id}/"


def test_a_cancelled_day_downloads_as_a_cancellation(client, enrolled, day_hanoi, admin_hanoi):
    day_cancel(by=admin_hanoi, day=day_hanoi, reason="Bão")
    client.force_login(enrolled)
    calendar = icalendar.Calendar.from_ical(client.get(calendar_url(day_hanoi)).content)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) == 1


@pytest.mark.parametrize("who", ["learner_hue", "admin_hanoi", "partner_trainer"])
def test_anyone_not_enrolled_in_the_run_gets_404(client, request, who, day_hanoi):
    client.force_login(request.getfixturevalue(who))
    assert client.get(calendar_url(day_hanoi)).status_code == 404


def test_a_learner_who_left_the_course_or_asks_for_another_day_gets_404(
    client, enrolled, course_hanoi, day_hanoi, ministry_staff, run_national, commune_hanoi
):
    other_day = day_schedule(by=ministry_staff, course_run=run_national, **day_fields(run_national, commune_hanoi))
    client.force_login(enrolled)
    assert client.get(calendar_url(other_day)).status_code == 404
    assert client.get(reverse("inperson:learner_day_calendar", args=[999_999])).status_code == 404
    enrolment_cancel(learner=enrolled, course=course_hanoi)
    assert client.get(calendar_url(day_hanoi)).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, day_hanoi):
    response = client.get(calendar_url(day_hanoi))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_link_shows_once_the_learner_holds_a_seat(in_english, enrolled, course_hanoi, day_hanoi):
    in_english.force_login(enrolled)
    pages = [
        reverse("inperson:learner_day", args=[day_hanoi.id]),
        course_hanoi.get_absolute_url(),
        reverse("learners:my_learning"),
    ]
    for page in pages:
        assert calendar_url(day_hanoi) not in in_english.get(page).content.decode(), page
    seat_take(learner=enrolled, day=day_hanoi)
    for page in pages:
        html = in_english.get(page).content.decode()
        assert calendar_url(day_hanoi) in html and "Add to my calendar" in html, page
