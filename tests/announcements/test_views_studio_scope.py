"""Writing an announcement: only to targets in the writer's scope; anything else is 404 and nothing is written."""

import pytest
from django.urls import reverse

from announcements.models import Announcement
from courses.services.catalogue import course_run_create
from tests.factories import course_make

CREATE = reverse("announcements:studio_create")


def form_data(target: str, **fields) -> dict:
    return {"target": target, "title": "Lịch học tuần tới", "body": "Các bạn nhớ hoàn thành bài 3.", **fields}


@pytest.mark.django_db
def test_the_form_offers_only_targets_in_the_provincial_admins_scope(
    client, admin_hanoi, province_hanoi, province_hue, course_hanoi, run_hanoi, course_hue, run_hue, course_national
):
    client.force_login(admin_hanoi)
    response = client.get(CREATE)
    page = response.content.decode()
    assert response.status_code == 200
    for offered in (f"province:{province_hanoi.id}", f"course:{course_hanoi.id}", f"course_run:{run_hanoi.id}"):
        assert f'value="{offered}"' in page
    for hidden in (
        f"province:{province_hue.id}",
        f"course:{course_hue.id}",
        f"course_run:{run_hue.id}",
        f"course:{course_national.id}",
    ):
        assert f'value="{hidden}"' not in page
    assert "Chữ ký số" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["province_hue", "course_hue", "run_hue", "course_national"])
def test_a_provincial_admin_writing_outside_their_province_gets_404_and_nothing_is_written(
    client, admin_hanoi, target, request, province_hue, course_hue, run_hue, course_national
):
    obj = request.getfixturevalue(target)
    kind = {"province_hue": "province", "run_hue": "course_run"}.get(target, "course")
    client.force_login(admin_hanoi)

    response = client.post(CREATE, form_data(f"{kind}:{obj.id}"))

    assert response.status_code == 404
    assert Announcement.objects.count() == 0


@pytest.mark.django_db
def test_a_target_that_does_not_exist_is_404_like_one_out_of_scope(client, admin_hanoi):
    client.force_login(admin_hanoi)
    assert client.post(CREATE, form_data("course:999999")).status_code == 404
    assert Announcement.objects.count() == 0


@pytest.mark.django_db
def test_a_provincial_admin_writes_to_their_run(client, admin_hanoi, run_hanoi, django_capture_on_commit_callbacks):
    client.force_login(admin_hanoi)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(CREATE, form_data(f"course_run:{run_hanoi.id}"))

    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert (announcement.target, announcement.course_run, announcement.course) == (
        "course_run",
        run_hanoi,
        run_hanoi.course,
    )
    assert announcement.scope_province_id == admin_hanoi.scope_province_id
    assert len(callbacks) == 1  # the listing of its recipients is queued after the commit


@pytest.mark.django_db
def test_ministry_staff_write_to_any_province_and_to_national_courses(
    client, ministry_staff, province_hue, course_national
):
    client.force_login(ministry_staff)
    assert client.post(CREATE, form_data(f"province:{province_hue.id}")).status_code == 302
    assert client.post(CREATE, form_data(f"course:{course_national.id}")).status_code == 302
    assert Announcement.objects.count() == 2


@pytest.mark.django_db
def test_bad_input_is_refused_with_a_message_and_nothing_written(client, admin_hanoi, course_hanoi, in_english):
    client.force_login(admin_hanoi)

    no_target = client.post(CREATE, form_data("someone"))
    no_title = client.post(CREATE, form_data(f"course:{course_hanoi.id}", title="  "))

    assert "Choose the learners the announcement goes to." in no_target.content.decode()
    assert no_title.status_code == 200 and "This field is required." in no_title.content.decode()
    assert Announcement.objects.count() == 0


@pytest.mark.django_db
def test_learners_cannot_open_the_studio_pages(client, learner_hanoi):
    client.force_login(learner_hanoi)
    assert client.get(CREATE).status_code == 403
    assert client.get(reverse("announcements:studio_list")).status_code == 403


@pytest.mark.django_db
def test_the_studio_list_shows_only_the_scopes_announcements_in_bounded_queries(
    client, admin_hanoi, ministry_staff, province_hanoi, province_hue, django_assert_max_num_queries
):
    for number in range(30):
        course = course_make(title=f"Khóa {number}", province=province_hanoi if number % 2 else province_hue)
        run = course_run_create(course=course, title="Đợt", starts_on="2026-01-01", ends_on="2026-12-31")
        Announcement.objects.create(
            title=f"Thông báo {number}",
            body="Nội dung",
            author=ministry_staff,
            target="course_run",
            course=course,
            course_run=run,
            scope_province=course.owner_province,
        )
    client.force_login(admin_hanoi)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("announcements:studio_list"))

    page = response.content.decode()
    assert page.count("<tr>") == 1 + 15  # the header and the 15 of Hà Nội, on one page of 20
    assert "Thông báo 1<" in page and "Thông báo 2<" not in page


@pytest.mark.django_db
def test_the_form_runs_in_bounded_queries_however_many_targets(
    client, ministry_staff, province_hanoi, django_assert_max_num_queries
):
    for number in range(25):
        course = course_make(title=f"Khóa {number}", province=province_hanoi)
        course_run_create(course=course, title="Đợt 1", starts_on="2026-01-01", ends_on="2026-12-31")
        course_run_create(course=course, title="Đợt 2", starts_on="2027-01-01", ends_on="2027-12-31")
    client.force_login(ministry_staff)

    with django_assert_max_num_queries(6):
        page = client.get(CREATE).content.decode()

    assert page.count('value="course_run:') == 50 and page.count('value="province:') == 34
