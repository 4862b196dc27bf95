"""A completed course leads to its certificate, and leaving it is not offered right under the success."""

from datetime import datetime

import pytest
from django.urls import reverse

from learners.models import CourseCompletion
from learners.services.certificates import certificate_revoke
from learners.services.enrolments import enrolment_create
from tests.factories import course_make
from tests.learners.test_views_certificates import VIETNAM, certificate_make

pytestmark = pytest.mark.django_db


def enrol_box(html: str) -> str:
    return html.split('class="enrol-box"', 1)[1].split("</section>", 1)[0]


def test_completed_course_page_shows_the_certificate_link(in_english, learner_hue, province_hue):
    """The course page of a completed course offers the download and the public page of its certificate."""
    course = course_make(province=province_hue)
    certificate = certificate_make(learner=learner_hue, course=course)
    in_english.force_login(learner_hue)

    box = enrol_box(in_english.get(course.get_absolute_url()).content.decode())

    assert "Completed on" in box
    assert reverse("certificates:download", args=[certificate.code]) in box
    assert reverse("certificates:verify", args=[certificate.code]) in box


def test_completed_course_page_offers_leaving_away_from_the_completion(in_english, learner_hue, province_hue):
    """ "Leave this course" is not in the completion box but still at the end of the page."""
    course = course_make(province=province_hue)
    certificate_make(learner=learner_hue, course=course)
    in_english.force_login(learner_hue)

    html = in_english.get(course.get_absolute_url()).content.decode()

    assert "Leave this course" not in enrol_box(html)
    assert html.index("Leave this course") > html.index('id="outline-title"')


def test_revoked_certificate_is_not_offered_for_download(in_english, learner_hue, province_hue, admin_hue):
    """After revoking, the course page says so and links to the reason, not to a download."""
    course = course_make(province=province_hue)
    certificate = certificate_make(learner=learner_hue, course=course)
    certificate_revoke(certificate=certificate, by=admin_hue, reason="Sai thông tin")
    in_english.force_login(learner_hue)

    box = enrol_box(in_english.get(course.get_absolute_url()).content.decode())

    assert f"Certificate {certificate.code} was revoked." in box
    assert reverse("certificates:download", args=[certificate.code]) not in box


def test_course_in_progress_still_offers_leaving_in_the_box(in_english, learner_hanoi):
    """A course not completed keeps "Leave this course" next to "You are enrolled."."""
    course = course_make()
    in_english.force_login(learner_hanoi)
    in_english.post(reverse("learners:enrol", args=[course.slug]))

    assert "Leave this course" in enrol_box(in_english.get(course.get_absolute_url()).content.decode())


def test_completed_course_before_its_certificate_says_it_is_coming(in_english, learner_hue, province_hue):
    """Between the completion and the certificate's issue, the course page says the certificate is on its way."""
    course = course_make(province=province_hue)
    enrolment = enrolment_create(learner=learner_hue, course=course)
    CourseCompletion.objects.create(
        enrolment=enrolment, learner=learner_hue, course=course, completed_at=datetime(2025, 11, 3, 10, tzinfo=VIETNAM)
    )
    in_english.force_login(learner_hue)

    box = enrol_box(in_english.get(course.get_absolute_url()).content.decode())

    assert "Completed on 3 Nov 2025. Your certificate is being prepared" in box
    assert "Leave this course" not in box
