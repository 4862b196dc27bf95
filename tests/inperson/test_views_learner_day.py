"""The learner's side of an in-person day: shown to the run's learners only, sign-up and cancelling."""

import pytest
from django.urls import reverse

from inperson.models import DaySeat
from inperson.services.days import day_cancel
from learners.services.enrolments import enrolment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(learner_hanoi, course_hanoi, run_hanoi):
    enrolment_create(learner=learner_hanoi, course=course_hanoi)
    return learner_hanoi


def day_urls(day) -> list[str]:
    return [
        reverse("inperson:learner_day", args=[day.id]),
        reverse("inperson:learner_seat_take", args=[day.id]),
        reverse("inperson:learner_seat_release", args=[day.id]),
    ]


@pytest.mark.parametrize("who", ["learner_hue", "admin_hue", "partner_trainer"])
def test_anyone_not_enrolled_in_the_run_gets_404(client, request, who, day_hanoi):
    client.force_login(request.getfixturevalue(who))
    page, take, release = day_urls(day_hanoi)
    assert client.get(page).status_code == 404
    assert client.post(take).status_code == 404
    assert client.post(release).status_code == 404
    assert day_hanoi.seats.count() == 0


def test_anonymous_visitor_is_sent_to_sign_in(client, day_hanoi):
    response = client.get(day_urls(day_hanoi)[0])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_enrolled_learner_sees_the_day_on_the_course_page_and_in_my_learning(
    in_english, enrolled, course_hanoi, day_hanoi, django_assert_max_num_queries
):
    in_english.force_login(enrolled)
    course_page = in_english.get(course_hanoi.get_absolute_url()).content.decode()
    with django_assert_max_num_queries(5):
        my_learning = in_english.get(reverse("learners:my_learning")).content.decode()
    for page in (course_page, my_learning):
        assert day_hanoi.venue_name in page and "Phường Hoàn Kiếm" in page
        assert reverse("inperson:learner_day", args=[day_hanoi.id]) in page


def test_learner_of_the_course_without_a_day_sees_none(in_english, learner_hanoi, course_hanoi, run_hanoi):
    enrolment_create(learner=learner_hanoi, course=course_hanoi)
    in_english.force_login(learner_hanoi)
    assert "In-person day" not in in_english.get(course_hanoi.get_absolute_url()).content.decode()


def test_learner_signs_up_and_cancels_from_the_day_page(in_english, enrolled, day_hanoi):
    in_english.force_login(enrolled)
    page, take, release = day_urls(day_hanoi)
    assert "Sign up" in in_english.get(page).content.decode()

    in_english.post(take)
    assert DaySeat.objects.get(learner=enrolled).status == DaySeat.Status.SIGNED_UP
    assert "You are signed up." in in_english.get(page).content.decode()

    in_english.post(release)
    assert DaySeat.objects.get(learner=enrolled).status == DaySeat.Status.CANCELLED


def test_full_day_shows_the_learner_their_place_on_the_waiting_list(
    in_english, enrolled, day_hanoi, admin_hanoi, commune_hanoi, course_hanoi
):
    from inperson.services.days import day_change
    from inperson.services.seats import seat_take
    from tests.factories import learner_make
    from tests.inperson.test_services_days import current_fields

    day = day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 1})
    first = learner_make(commune=commune_hanoi)
    enrolment_create(learner=first, course=course_hanoi)
    seat_take(learner=first, day=day)
    in_english.force_login(enrolled)

    in_english.post(day_urls(day)[1])

    assert "You are number 1 on the waiting list." in in_english.get(day_urls(day)[0]).content.decode()


def test_cancelled_day_shows_its_reason_and_takes_no_sign_up(in_english, enrolled, day_hanoi, admin_hanoi):
    day_cancel(by=admin_hanoi, day=day_hanoi, reason="Bão số 3")
    in_english.force_login(enrolled)
    page = in_english.get(day_urls(day_hanoi)[0]).content.decode()
    assert "This day is cancelled: Bão số 3" in page and "Sign up" not in page
    response = in_english.post(day_urls(day_hanoi)[1], follow=True)
    assert "This in-person day is cancelled." in response.content.decode()
    assert day_hanoi.seats.count() == 0


def test_learner_day_page_has_bounded_queries(client, enrolled, day_hanoi, django_assert_max_num_queries):
    client.force_login(enrolled)
    with django_assert_max_num_queries(5):
        response = client.get(day_urls(day_hanoi)[0])
    assert response.status_code == 200
