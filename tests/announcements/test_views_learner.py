"""The learner's announcements page: only theirs, newest first, paginated, in bounded queries."""

import pytest
from django.urls import reverse

from announcements.selectors.targets import Target
from announcements.services.announcements import announcement_create, announcement_recipients_claim

LIST = reverse("announcements:learner_list")


def announce(by, target: Target, title: str):
    announcement = announcement_create(by=by, target=target, title=title, body=f"Nội dung của {title}\nDòng hai")
    announcement_recipients_claim(announcement_id=announcement.id)
    return announcement


@pytest.mark.django_db
def test_the_learner_sees_only_the_announcements_sent_to_them_newest_first(
    client, admin_hanoi, admin_hue, learners_hanoi, run_hanoi, province_hue, learner_hue
):
    announce(
        admin_hanoi, Target(kind="course_run", course=run_hanoi.course, course_run=run_hanoi), "Thông báo Hà Nội 1"
    )
    announce(admin_hue, Target(kind="province", province=province_hue), "Thông báo Huế")
    announce(admin_hanoi, Target(kind="course", course=run_hanoi.course), "Thông báo Hà Nội 2")
    client.force_login(learners_hanoi[0])

    page = client.get(LIST).content.decode()

    assert "Thông báo Huế" not in page
    assert page.index("Thông báo Hà Nội 2") < page.index("Thông báo Hà Nội 1")
    assert "Nội dung của Thông báo Hà Nội 1<br>Dòng hai" in page
    assert "Học viên của “Thanh toán số” (Đợt 1)" in page


@pytest.mark.django_db
def test_the_page_runs_in_bounded_queries_and_is_paginated(
    client, ministry_staff, learners_hanoi, run_hanoi, django_assert_max_num_queries
):
    for number in range(45):
        target = Target(kind="course_run", course=run_hanoi.course, course_run=run_hanoi)
        announce(ministry_staff, target, f"Thông báo số {number:02}")
    client.force_login(learners_hanoi[1])

    with django_assert_max_num_queries(4):
        first = client.get(LIST).content.decode()
    with django_assert_max_num_queries(4):
        last = client.get(LIST, {"page": 3}).content.decode()

    assert first.count('<li class="card">') == 20 and "Thông báo số 44" in first
    assert last.count('<li class="card">') == 5 and "Thông báo số 00" in last


@pytest.mark.django_db
def test_my_learning_and_the_studio_link_to_announcements(client, learner_hanoi, admin_hanoi):
    client.force_login(learner_hanoi)
    assert f'href="{LIST}"' in client.get(reverse("learners:my_learning")).content.decode()
    client.force_login(admin_hanoi)
    studio = client.get(reverse("courses:studio_home")).content.decode()
    assert f'href="{reverse("announcements:studio_list")}"' in studio


@pytest.mark.django_db
def test_visitors_sign_in_first(client):
    assert client.get(LIST).status_code == 302
