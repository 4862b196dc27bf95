"""The demo's announcements: written through the services, listed at once, read by the demo learner."""

import pytest
from django.urls import reverse

from announcements.demo.announcements import DEMO_ANNOUNCEMENTS, demo_announcements_load
from announcements.models import Announcement, Delivery
from announcements.services.announcements import announcement_recipients_claim
from courses.demo.catalogue import demo_catalogue_load
from inperson.demo.days import demo_in_person_days_load
from learners.demo.accounts import demo_accounts_load
from onetouch.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded(admin_units):
    demo_catalogue_load(with_media=False)
    demo_accounts_load()
    demo_in_person_days_load()  # enrols the demo learner in the Hà Nội course and the national one


def test_demo_announcements_load_once_and_the_listing_job_finds_nothing_to_add(demo_loaded):
    assert demo_announcements_load() == len(DEMO_ANNOUNCEMENTS) == 2
    before = list(Delivery.objects.order_by("id").values_list("id", "announcement_id", "learner_id"))

    assert demo_announcements_load() == 2
    for announcement in Announcement.objects.all():
        announcement_recipients_claim(announcement_id=announcement.id)

    assert list(Delivery.objects.order_by("id").values_list("id", "announcement_id", "learner_id")) == before
    written = {a.author.email: a for a in Announcement.objects.select_related("author", "course", "course_run")}
    hanoi, ministry = written["quantri.hanoi@demo.onetouch.vn"], written["bo@demo.onetouch.vn"]
    assert hanoi.target == Announcement.Target.COURSE_RUN and hanoi.course.slug == "chuyen-doi-so-xa-ha-noi"
    assert hanoi.scope_province.code == "01"
    assert ministry.target == Announcement.Target.COURSE and ministry.course.slug == "to-cong-nghe-so-cong-dong"
    assert ministry.scope_province is None
    assert all(a.recipients_claimed_at and a.recipient_count == a.deliveries.count() for a in written.values())


def test_demo_learner_reads_both_announcements(demo_loaded, client):
    demo_announcements_load()
    client.force_login(User.objects.get(email="hocvien@demo.onetouch.vn"))

    page = client.get(reverse("announcements:learner_list"))

    assert page.status_code == 200
    for demo in DEMO_ANNOUNCEMENTS:
        assert demo.title in page.content.decode()
