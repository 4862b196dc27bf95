"""The partner trainer's pages: their days and rosters, and nothing else (the scope table of every URL)."""

import pytest
from django.urls import URLPattern, reverse

from inperson import urls as inperson_urls
from inperson.services.seats import seat_take
from learners.services.enrolments import enrolment_create
from tests.factories import learner_make

pytestmark = pytest.mark.django_db


def trainer_urls(day) -> dict[str, str]:
    """Every trainer URL of the app for this day, by name; fails when a new one is not listed here."""
    urls = {
        "trainer_days": reverse("inperson:trainer_days"),
        "trainer_day_roster": reverse("inperson:trainer_day_roster", args=[day.id]),
        "trainer_day_checkin": reverse("inperson:trainer_day_checkin", args=[day.id]),
        "trainer_day_scans": reverse("inperson:trainer_day_scans", args=[day.id]),
        "trainer_day_tick": reverse("inperson:trainer_day_tick", args=[day.id]),
        "trainer_day_sheet": reverse("inperson:trainer_day_sheet", args=[day.id]),
    }
    names = {p.name for p in inperson_urls.urlpatterns if isinstance(p, URLPattern) and p.name.startswith("trainer_")}
    assert names == set(urls), "a trainer URL of inperson is missing from the scope table"
    return urls


# The pages a trainer opens; the others only take posts (scans, ticks).
PAGES = ("trainer_days", "trainer_day_roster", "trainer_day_checkin", "trainer_day_sheet")


def day_urls(day) -> list[str]:
    """Every trainer URL that names the day."""
    return [url for name, url in trainer_urls(day).items() if name != "trainer_days"]


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
    urls = trainer_urls(day_hanoi)
    listing = client.get(urls["trainer_days"])
    assert listing.status_code == 200 and urls["trainer_day_roster"] in listing.content.decode()
    for name in ("trainer_day_roster", "trainer_day_checkin", "trainer_day_sheet"):
        response = client.get(urls[name])
        assert response.status_code == 200, name
        page = response.content.decode()
        assert "Nguyễn Văn Bình" in page and "Lê Thị Cúc" in page and "Phường Hoàn Kiếm" in page, name


def test_trainer_not_on_the_day_sees_neither_it_nor_its_learners(client, trainer_telecom, day_hanoi, signed_up):
    """Another partner's trainer: no day in their list, 404 on every page and action of the day."""
    client.force_login(trainer_telecom.user)
    listing = client.get(trainer_urls(day_hanoi)["trainer_days"])
    assert listing.status_code == 200 and day_hanoi.venue_name not in listing.content.decode()
    for url in day_urls(day_hanoi):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"code": "12345678", "learner": signed_up[0].id}).status_code == 404, url


@pytest.mark.parametrize("who", ["admin_hanoi", "admin_hue", "learner_hanoi", "ministry_staff"])
def test_nobody_but_the_days_trainer_reads_the_roster(client, request, who, day_hanoi, signed_up):
    """Even the day's own admin reads no roster here: these are the trainer's pages (admins have the studio's)."""
    client.force_login(request.getfixturevalue(who))
    listing = client.get(trainer_urls(day_hanoi)["trainer_days"])
    assert "Nguyễn Văn Bình" not in listing.content.decode()
    for url in day_urls(day_hanoi):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"learner": signed_up[0].id}).status_code == 404, url


def test_anonymous_visitor_is_sent_to_sign_in(client, day_hanoi):
    for url in trainer_urls(day_hanoi).values():
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
    urls = trainer_urls(day_hanoi)
    for name in PAGES:
        with django_assert_max_num_queries(8):
            assert client.get(urls[name]).status_code == 200, name
