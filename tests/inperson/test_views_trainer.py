"""The partner trainer's pages: their days and rosters, and nothing else (the scope table of every URL)."""

import pytest
from django.urls import URLPattern, reverse

from inperson import urls as inperson_urls
from inperson.services.seats import seat_take
from learners.services.enrolments import enrolment_create
from tests.factories import learner_make

pytestmark = pytest.mark.django_db


def trainer_urls(day) -> list[str]:
    """Every trainer URL of the app for this day; fails when a new one is not listed here."""
    urls = {
        "trainer_days": reverse("inperson:trainer_days"),
        "trainer_day_roster": reverse("inperson:trainer_day_roster", args=[day.id]),
    }
    names = {p.name for p in inperson_urls.urlpatterns if isinstance(p, URLPattern) and p.name.startswith("trainer_")}
    assert names == set(urls), "a trainer URL of inperson is missing from the scope table"
    return list(urls.values())


@pytest.fixture
def signed_up(day_hanoi, course_hanoi, commune_hanoi):
    learners = []
    for name in ("Nguyễn Văn Bình", "Lê Thị Cúc"):
        learner = learner_make(commune=commune_hanoi)
        learner.full_name = name
        learner.save(update_fields=["full_name"])
        enrolment_create(learner=learner, course=course_hanoi)
        seat_take(learner=learner, day=day_hanoi)
        learners.append(learner)
    return learners


def test_trainer_sees_their_day_and_its_roster(client, partner_trainer, day_hanoi, signed_up):
    client.force_login(partner_trainer)
    listing, roster = (client.get(url) for url in trainer_urls(day_hanoi))
    assert listing.status_code == 200 and reverse("inperson:trainer_day_roster", args=[day_hanoi.id]) in (
        listing.content.decode()
    )
    assert roster.status_code == 200
    page = roster.content.decode()
    assert "Nguyễn Văn Bình" in page and "Lê Thị Cúc" in page and "Phường Hoàn Kiếm" in page


def test_trainer_not_on_the_day_sees_neither_it_nor_its_learners(client, trainer_telecom, day_hanoi, signed_up):
    """Another partner's trainer: no day in their list, 404 on the roster."""
    client.force_login(trainer_telecom.user)
    listing, roster = (client.get(url) for url in trainer_urls(day_hanoi))
    assert listing.status_code == 200 and day_hanoi.venue_name not in listing.content.decode()
    assert roster.status_code == 404


@pytest.mark.parametrize("who", ["admin_hanoi", "admin_hue", "learner_hanoi", "ministry_staff"])
def test_nobody_but_the_days_trainer_reads_the_roster(client, request, who, day_hanoi, signed_up):
    """Even the day's own admin reads no roster here: these are the trainer's pages."""
    client.force_login(request.getfixturevalue(who))
    listing, roster = (client.get(url) for url in trainer_urls(day_hanoi))
    assert roster.status_code == 404
    assert "Nguyễn Văn Bình" not in listing.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(client, day_hanoi):
    for url in trainer_urls(day_hanoi):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_trainer_reaches_no_studio_and_no_learner_page_of_the_day(client, partner_trainer, day_hanoi, course_hanoi):
    """Their days' studio pages, the learner's day page and the province's learner list are 404 for a trainer."""
    client.force_login(partner_trainer)
    for url in (
        reverse("inperson:studio_course_days", args=[course_hanoi.id]),
        reverse("inperson:studio_day", args=[day_hanoi.course_run_id]),
        reverse("inperson:learner_day", args=[day_hanoi.id]),
        reverse("learners:province_learners", args=["01"]),
    ):
        assert client.get(url).status_code == 404, url


def test_trainer_pages_have_bounded_queries(
    client, partner_trainer, day_hanoi, course_hanoi, commune_hanoi, django_assert_max_num_queries
):
    """Twelve learners on the roster: the pages' queries do not grow with them."""
    for _ in range(12):
        learner = learner_make(commune=commune_hanoi)
        enrolment_create(learner=learner, course=course_hanoi)
        seat_take(learner=learner, day=day_hanoi)
    client.force_login(partner_trainer)
    for url in trainer_urls(day_hanoi):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
