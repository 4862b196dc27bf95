"""The demo's crowd of learners: many places, every group, 90 days of activity through the services, once."""

import io
import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from courses.demo.catalogue import demo_catalogue_load
from learners.demo.accounts import DEMO_ACCOUNTS
from learners.demo.crowd import crowd_learners
from learners.demo.crowd_plan import DEMO_DAYS, DEMO_LEARNER_COUNT, DEMO_SEED, crowd_courses, crowd_plan
from learners.models import (
    Certificate,
    CourseCompletion,
    Enrolment,
    LearnerProfile,
    LearningEvent,
    LessonProgress,
    QuizAttempt,
)
from onetouch.models import AudienceGroup, User

pytestmark = pytest.mark.django_db

Kind = LearningEvent.Kind


@pytest.fixture
def media_root(settings, tmp_path):
    """Processed lesson media and certificate PDFs go to this test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def demo_load() -> str:
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def rows_snapshot() -> dict[str, int]:
    models = (
        User,
        LearnerProfile,
        Enrolment,
        LearningEvent,
        LessonProgress,
        QuizAttempt,
        CourseCompletion,
        Certificate,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_demo_load_makes_a_crowd_active_over_ninety_days_and_a_second_load_adds_nothing(admin_units, media_root):
    """Hundreds of demo learners in several provinces and every group; their events span the last 90 days."""
    printed = demo_load()

    learners = crowd_learners()
    profiles = LearnerProfile.objects.filter(user__in=learners)
    events = LearningEvent.objects.filter(learner__in=learners)
    assert learners.count() == DEMO_LEARNER_COUNT == profiles.count()
    assert profiles.values("province").distinct().count() >= 6
    assert profiles.values("commune").distinct().count() >= 25
    assert set(profiles.values_list("audience_group", flat=True)) == set(AudienceGroup.values)
    kinds = set(events.values_list("kind", flat=True))
    assert {Kind.ENROLLED, Kind.LEARNER_JOINED, Kind.LESSON_COMPLETED, Kind.QUIZ_PASSED, Kind.QUIZ_FAILED} <= kinds
    assert {Kind.COURSE_COMPLETED, Kind.CERTIFICATE_ISSUED} <= kinds

    now = timezone.now()
    times = list(events.values_list("occurred_at", flat=True))
    assert min(times) >= now - timedelta(days=DEMO_DAYS) and max(times) <= now
    enrolment_days = {
        timezone.localdate(t) for t in events.filter(kind=Kind.ENROLLED).values_list("occurred_at", flat=True)
    }
    completion_days = {
        timezone.localdate(t) for t in events.filter(kind=Kind.COURSE_COMPLETED).values_list("occurred_at", flat=True)
    }
    assert len(enrolment_days) > 30 and len(completion_days) > 15

    # One event per enrolment and per completion, as the services write them, and the rows carry their event's time.
    enrolled_at = {(e.learner_id, e.course_id): e.enrolled_at for e in Enrolment.objects.filter(learner__in=learners)}
    enrolled_events = {(e.learner_id, e.course_id): e.occurred_at for e in events.filter(kind=Kind.ENROLLED)}
    assert enrolled_at == enrolled_events and events.filter(kind=Kind.ENROLLED).count() == len(enrolled_at)
    assert (
        events.filter(kind=Kind.LEARNER_JOINED).count() == learners.filter(enrolments__isnull=False).distinct().count()
    )
    completions = CourseCompletion.objects.filter(learner__in=learners).select_related("certificate")
    completed_events = {(e.learner_id, e.course_id): e.occurred_at for e in events.filter(kind=Kind.COURSE_COMPLETED)}
    assert {(c.learner_id, c.course_id): c.completed_at for c in completions} == completed_events
    # Every completion is certified, with the completion's moved day printed on it.
    assert all(c.certificate.completed_on == timezone.localdate(c.completed_at) for c in completions)
    assert events.filter(kind=Kind.CERTIFICATE_ISSUED).count() == len(completions)
    # The crowd also finishes the course that takes its lessons in order, through its final quiz.
    assert completions.filter(course__requires_order=True).exists()
    done = LessonProgress.objects.filter(learner__in=learners, completed_at__isnull=False)
    assert done.count() == events.filter(kind=Kind.LESSON_COMPLETED).count()
    assert all(p.completed_at <= now - timedelta(minutes=25) for p in done)

    # The demo logins are printed as before, and none of the crowd among them.
    logins = printed.splitlines()[2:]
    assert logins == [f"  {account.role:<18} {account.email}" for account in DEMO_ACCOUNTS]
    assert f"{DEMO_LEARNER_COUNT} demo learners" in printed.splitlines()[0]

    before = rows_snapshot()
    demo_load()

    assert rows_snapshot() == before


def test_crowd_plan_is_the_same_for_the_same_seed(admin_units):
    """Two draws with the demo's seed give the same people, places, courses and start days."""
    demo_catalogue_load(with_media=False)
    courses = crowd_courses()
    now = timezone.now()

    def drawn() -> list[tuple]:
        plan = crowd_plan(rng=random.Random(DEMO_SEED), count=50, courses=courses, now=now)
        return [
            (
                learner.email,
                learner.full_name,
                learner.audience_group,
                learner.commune.id,
                learner.started_at,
                [(e.course.course.slug, e.lessons_taken, e.quiz_outcomes) for e in learner.enrolments],
            )
            for learner in plan
        ]

    assert drawn() == drawn()
