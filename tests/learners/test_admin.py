"""The back office of the learner's side: profiles are saved through learners.services, the rest only shown."""

import pytest
from django.urls import reverse

from learners import admin as learners_admin
from learners.models import Enrolment, LearnerProfile, LearningEvent
from learners.services import enrolments as enrolment_services
from learners.services.enrolments import enrolment_create
from tests.factories import course_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile_saves(monkeypatch) -> list[dict]:
    """What the back office passed to profile_save (which still runs for real)."""
    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return enrolment_services.profile_save(**kwargs)

    monkeypatch.setattr(learners_admin, "profile_save", spy)
    return calls


def profile_form(profile: LearnerProfile, **changes) -> dict:
    fields = {
        "user": profile.user_id,
        "audience_group": profile.audience_group,
        "province": profile.province_id,
        "commune": profile.commune_id,
        "organisation": profile.organisation,
        "position": profile.position,
    }
    return fields | changes


def test_back_office_saves_a_profile_through_the_service(back_office, learner_hanoi, profile_saves):
    profile = LearnerProfile.objects.get(user=learner_hanoi)
    url = reverse("admin:learners_learnerprofile_change", args=[profile.pk])

    response = back_office.post(url, profile_form(profile, organisation="UBND phường Hoàn Kiếm"))

    assert response.status_code == 302
    assert [call["organisation"] for call in profile_saves] == ["UBND phường Hoàn Kiếm"]
    assert LearnerProfile.objects.get(user=learner_hanoi).organisation == "UBND phường Hoàn Kiếm"


def test_back_office_refuses_a_commune_of_another_province(back_office, learner_hanoi, commune_hue, profile_saves):
    """The place rule the site's forms obey holds in the back office: the form says so, nothing is saved."""
    profile = LearnerProfile.objects.get(user=learner_hanoi)
    url = reverse("admin:learners_learnerprofile_change", args=[profile.pk])

    response = back_office.post(url, profile_form(profile, commune=commune_hue.pk))

    assert response.status_code == 200 and response.context["adminform"].form.errors["commune"]
    assert profile_saves == []
    assert LearnerProfile.objects.get(user=learner_hanoi).commune_id == profile.commune_id


def test_back_office_changes_no_enrolment_and_no_event(back_office, learner_hanoi):
    """Enrolments change only through the services (with their events and counts): the back office only shows them."""
    enrolment = enrolment_create(learner=learner_hanoi, course=course_make())
    events = LearningEvent.objects.count()
    event = LearningEvent.objects.first()
    profile = LearnerProfile.objects.get(user=learner_hanoi)

    change = back_office.post(
        reverse("admin:learners_enrolment_change", args=[enrolment.pk]),
        {"learner": learner_hanoi.pk, "course": enrolment.course_id, "is_active": ""},
    )
    delete = back_office.post(reverse("admin:learners_enrolment_delete", args=[enrolment.pk]), {"post": "yes"})
    event_change = back_office.post(reverse("admin:learners_learningevent_change", args=[event.pk]), {})
    profile_delete = back_office.post(
        reverse("admin:learners_learnerprofile_delete", args=[profile.pk]), {"post": "yes"}
    )

    assert change.status_code == 403 and delete.status_code == 403
    assert event_change.status_code == 403 and profile_delete.status_code == 403
    assert Enrolment.objects.get(id=enrolment.id).is_active
    assert LearningEvent.objects.count() == events
    assert LearnerProfile.objects.filter(user=learner_hanoi).exists()
