"""The studio's in-person day pages: who may open them (the scope table), scheduling, changing, cancelling."""

import datetime as dt

import pytest
from django.urls import URLPattern, reverse

from courses.services.catalogue import course_run_create
from inperson import urls as inperson_urls
from inperson.models import DayChange, InPersonDay

pytestmark = pytest.mark.django_db


def studio_urls(course, run) -> list[str]:
    """Every studio URL of the app, for this course and run; fails when a new one is not listed here."""
    urls = {
        "studio_course_days": reverse("inperson:studio_course_days", args=[course.id]),
        "studio_day": reverse("inperson:studio_day", args=[run.id]),
        "studio_day_cancel": reverse("inperson:studio_day_cancel", args=[run.id]),
        "studio_day_attendance": reverse("inperson:studio_day_attendance", args=[run.id]),
        "studio_day_sheet": reverse("inperson:studio_day_sheet", args=[run.id]),
    }
    names = {p.name for p in inperson_urls.urlpatterns if isinstance(p, URLPattern) and p.name.startswith("studio_")}
    assert names == set(urls), "a studio URL of inperson is missing from the scope table"
    return list(urls.values())


def form_data(run, commune, **changes) -> dict:
    day = run.starts_on + dt.timedelta(days=3)
    data = {
        "venue_name": "Nhà văn hóa phường",
        "venue_address": "12 Hàng Bài",
        "commune": commune.code,
        "date": day.isoformat(),
        "starts_time": "08:00",
        "ends_time": "11:30",
        "capacity": "25",
        "cancellation_deadline": f"{(day - dt.timedelta(days=1)).isoformat()}T17:00",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.mark.parametrize("who", ["admin_hue", "learner_hanoi", "partner_trainer"])
def test_everyone_out_of_scope_gets_404_on_every_url(client, request, who, day_hanoi, course_hanoi, run_hanoi):
    """Another province's admin, a learner and a trainer meet 404, as for a missing run."""
    client.force_login(request.getfixturevalue(who))
    for url in studio_urls(course_hanoi, run_hanoi):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "capacity": "1"}).status_code == 404, url
    assert InPersonDay.objects.get(id=day_hanoi.id).capacity == day_hanoi.capacity
    assert not InPersonDay.objects.get(id=day_hanoi.id).is_cancelled


def test_missing_run_and_course_are_404_for_the_owner(client, admin_hanoi):
    client.force_login(admin_hanoi)
    assert client.get(reverse("inperson:studio_course_days", args=[999999])).status_code == 404
    assert client.get(reverse("inperson:studio_day", args=[999999])).status_code == 404
    assert client.get(reverse("inperson:studio_day_cancel", args=[999999])).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, course_hanoi, run_hanoi):
    for url in studio_urls(course_hanoi, run_hanoi):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_owner_admin_and_ministry_open_every_page(
    client, admin_hanoi, ministry_staff, day_hanoi, course_hanoi, run_hanoi
):
    for user in (admin_hanoi, ministry_staff):
        client.force_login(user)
        for url in studio_urls(course_hanoi, run_hanoi):
            assert client.get(url).status_code == 200, url


def test_provincial_admin_gets_404_on_a_national_course(client, admin_hanoi, course_national, run_national):
    client.force_login(admin_hanoi)
    for url in studio_urls(course_national, run_national):
        assert client.get(url).status_code == 404, url


def test_owner_admin_schedules_the_day_from_the_form(
    in_english, admin_hanoi, run_hanoi, commune_hanoi, partner_post, trainer_post
):
    in_english.force_login(admin_hanoi)
    data = form_data(run_hanoi, commune_hanoi, partners=[partner_post.id], trainers=[trainer_post.id])
    response = in_english.post(reverse("inperson:studio_day", args=[run_hanoi.id]), data)

    assert response.status_code == 302
    day = InPersonDay.objects.get(course_run=run_hanoi)
    assert day.starts_at.isoformat().endswith("01:00:00+00:00")  # 8:00 in Vietnam
    assert (day.capacity, day.venue_commune, list(day.trainers.all())) == (25, commune_hanoi, [trainer_post])
    assert day.created_by == admin_hanoi


def test_ministry_chooses_the_province_of_a_national_course_day(in_english, ministry_staff, run_national, commune_hue):
    in_english.force_login(ministry_staff)
    data = form_data(run_national, commune_hue, province=commune_hue.province.code)
    response = in_english.post(reverse("inperson:studio_day", args=[run_national.id]), data)
    assert response.status_code == 302
    assert InPersonDay.objects.get(course_run=run_national).province == commune_hue.province


def test_commune_of_another_province_is_refused_on_the_form(in_english, admin_hanoi, run_hanoi, commune_hue):
    """The form offers only the province's communes; one of another province is named as wrong."""
    in_english.force_login(admin_hanoi)
    response = in_english.post(reverse("inperson:studio_day", args=[run_hanoi.id]), form_data(run_hanoi, commune_hue))
    assert response.status_code == 200
    assert "This commune is not in the province of the day." in response.content.decode()
    assert InPersonDay.objects.count() == 0


def test_day_outside_the_run_shows_the_service_message_on_the_date(in_english, admin_hanoi, run_hanoi, commune_hanoi):
    in_english.force_login(admin_hanoi)
    late = (run_hanoi.ends_on + dt.timedelta(days=3)).isoformat()
    data = form_data(run_hanoi, commune_hanoi, date=late, cancellation_deadline=f"{late}T07:00")
    response = in_english.post(reverse("inperson:studio_day", args=[run_hanoi.id]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["date"][0].startswith("The day must fall within the run's dates")
    assert InPersonDay.objects.count() == 0


def test_changing_the_venue_records_a_change_to_tell(in_english, admin_hanoi, day_hanoi, run_hanoi, commune_hanoi):
    in_english.force_login(admin_hanoi)
    data = form_data(run_hanoi, commune_hanoi, venue_name="Trường tiểu học", reason="Hội trường sửa chữa")
    response = in_english.post(reverse("inperson:studio_day", args=[run_hanoi.id]), data)
    assert response.status_code == 302
    change = DayChange.objects.get(day=day_hanoi, kind=DayChange.Kind.CHANGED)
    assert change.tells_learners and change.reason == "Hội trường sửa chữa"
    assert "venue_name" in change.changed_fields


def test_cancelling_from_the_studio_keeps_the_day(in_english, admin_hanoi, day_hanoi, run_hanoi):
    in_english.force_login(admin_hanoi)
    url = reverse("inperson:studio_day_cancel", args=[run_hanoi.id])
    assert in_english.post(url, {"reason": ""}).status_code == 200
    assert not InPersonDay.objects.get(id=day_hanoi.id).is_cancelled

    response = in_english.post(url, {"reason": "Bão số 3"})

    assert response.status_code == 302
    day = InPersonDay.objects.get(id=day_hanoi.id)
    assert day.is_cancelled and day.cancel_reason == "Bão số 3"
    page = in_english.get(reverse("inperson:studio_day", args=[run_hanoi.id]))
    assert "Bão số 3" in page.content.decode() and "<form" not in page.content.decode().split("<main")[-1]


def test_course_days_page_has_bounded_queries(
    client, admin_hanoi, course_hanoi, commune_hanoi, django_assert_max_num_queries
):
    """Twenty runs, ten with a day: the page's queries do not grow with them."""
    from inperson.services.days import day_schedule
    from tests.inperson.conftest import day_fields

    for number in range(20):
        run = course_run_create(
            course=course_hanoi,
            title=f"Đợt {number}",
            starts_on=dt.date.today() + dt.timedelta(days=10 + number),
            ends_on=dt.date.today() + dt.timedelta(days=40 + number),
        )
        if number % 2:
            day_schedule(by=admin_hanoi, course_run=run, **day_fields(run, commune_hanoi))
    client.force_login(admin_hanoi)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("inperson:studio_course_days", args=[course_hanoi.id]))
    assert response.content.decode().count('id="run-') == 20


def test_day_form_has_bounded_queries(client, admin_hanoi, day_hanoi, run_hanoi, django_assert_max_num_queries):
    client.force_login(admin_hanoi)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("inperson:studio_day", args=[run_hanoi.id]))
    assert response.status_code == 200


def test_studio_course_page_links_to_its_in_person_days(client, admin_hanoi, course_hanoi):
    client.force_login(admin_hanoi)
    response = client.get(reverse("courses:studio_course", args=[course_hanoi.id]))
    assert reverse("inperson:studio_course_days", args=[course_hanoi.id]) in response.content.decode()


def test_ministry_opens_every_page_of_a_national_course_day(
    client, ministry_staff, course_national, run_national, commune_hue
):
    from inperson.services.days import day_schedule
    from tests.inperson.conftest import day_fields

    day_schedule(by=ministry_staff, course_run=run_national, **day_fields(run_national, commune_hue))
    client.force_login(ministry_staff)
    for url in studio_urls(course_national, run_national):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("inperson:studio_day", args=[run_national.id])).content.decode()
    assert 'name="province"' in page and f'value="{commune_hue.code}" selected' in page


def test_choosing_a_province_without_javascript_lists_its_communes(
    in_english, ministry_staff, run_national, commune_hue
):
    """The "Show the communes" button posts the form back with the province's communes and saves nothing."""
    in_english.force_login(ministry_staff)
    data = form_data(run_national, commune_hue, province=commune_hue.province.code, choose_province="1")
    data.pop("commune")
    response = in_english.post(reverse("inperson:studio_day", args=[run_national.id]), data)
    assert response.status_code == 200
    assert f'value="{commune_hue.code}"' in response.content.decode()
    assert InPersonDay.objects.count() == 0


def test_day_page_shows_its_history_with_who_what_and_why(in_english, admin_hanoi, day_hanoi, run_hanoi, commune_hanoi):
    in_english.force_login(admin_hanoi)
    data = form_data(run_hanoi, commune_hanoi, venue_name="Trường tiểu học", reason="Hội trường sửa chữa")
    in_english.post(reverse("inperson:studio_day", args=[run_hanoi.id]), data)
    in_english.post(reverse("inperson:studio_day_cancel", args=[run_hanoi.id]), {"reason": "Bão số 3"})

    page = in_english.get(reverse("inperson:studio_day", args=[run_hanoi.id])).content.decode()

    history = page.split('id="day-history-title"')[1]
    assert history.index("Cancelled") < history.index("Changed") < history.index("Scheduled")
    assert "venue" in history and "Hội trường sửa chữa" in history and "Bão số 3" in history
    assert "Quản trị Hà Nội" in history and "The learners signed up are to be told." in history
