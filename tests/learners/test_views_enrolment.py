"""Enrolment pages: one click with CSRF, visitors sent to sign in, My learning, unenrol."""

import pytest
from django.urls import reverse

from learners.models import Enrolment, LearningEvent
from tests.factories import course_make

pytestmark = pytest.mark.django_db


def test_second_enrol_click_keeps_one_enrolment(client, learner_hanoi):
    """A second click on "Enrol" leaves exactly one enrolment and one "enrolled" event."""
    course = course_make()
    client.force_login(learner_hanoi)
    url = reverse("learners:enrol", args=[course.slug])

    first = client.post(url)
    client.post(url)

    assert first.url == reverse("learners:lesson", args=[course.slug, course.lessons.get().id])
    assert Enrolment.objects.filter(learner=learner_hanoi, course=course).count() == 1
    assert LearningEvent.objects.filter(learner=learner_hanoi, kind=LearningEvent.Kind.ENROLLED).count() == 1


def test_visitor_is_sent_to_sign_in_and_back_to_the_course(client):
    """A visitor who clicks "Enrol" goes to the sign-in page, which will bring them back."""
    course = course_make()
    response = client.post(reverse("learners:enrol", args=[course.slug]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert response.url.endswith(f"?next={course.get_absolute_url()}")
    assert not Enrolment.objects.exists()


def test_enrol_needs_post_and_csrf(learner_hanoi):
    """A GET does not enrol, and a POST without the CSRF token is refused."""
    from django.test import Client

    course = course_make()
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner_hanoi)
    url = reverse("learners:enrol", args=[course.slug])

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert not Enrolment.objects.exists()


def test_my_learning_lists_enrolled_courses_only(client, learner_hanoi):
    """My learning shows the learner's courses and not the others."""
    mine = course_make(title="Khóa học của tôi")
    other = course_make(title="Khóa học khác")
    client.force_login(learner_hanoi)
    client.post(reverse("learners:enrol", args=[mine.slug]))

    page = client.get(reverse("learners:my_learning")).content.decode()

    assert mine.title in page
    assert other.title not in page


def test_unenrol_removes_course_from_my_learning(client, learner_hanoi):
    """Leaving a course takes it off My learning and the course page offers to enrol again."""
    course = course_make(title="Khóa học sẽ rời")
    client.force_login(learner_hanoi)
    client.post(reverse("learners:enrol", args=[course.slug]))
    client.post(reverse("learners:unenrol", args=[course.slug]))

    assert course.title not in client.get(reverse("learners:my_learning")).content.decode()
    detail = client.get(course.get_absolute_url()).content.decode()
    assert reverse("learners:enrol", args=[course.slug]) in detail


def test_my_learning_queries_do_not_grow_with_enrolments(client, learner_hanoi, django_assert_max_num_queries):
    """My learning runs a bounded number of queries with 3 or 30 enrolments."""
    client.force_login(learner_hanoi)
    for _ in range(30):
        client.post(reverse("learners:enrol", args=[course_make().slug]))
    with django_assert_max_num_queries(5):
        assert client.get(reverse("learners:my_learning")).status_code == 200
