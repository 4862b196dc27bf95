"""Demo data: the crowd's activity, written just now by the services, moved back over the last DEMO_DAYS days."""

import random
from collections import defaultdict
from datetime import datetime, timedelta

from learners.demo.crowd_plan import CrowdLearner
from learners.models import Certificate, CourseCompletion, Enrolment, LearningEvent, LessonProgress, QuizAttempt
from learners.services.certificates import certificate_issue
from onetouch.models import User

# Events a service writes in the same call as the event before them: they share its moment.
SAME_CALL_KINDS = {LearningEvent.Kind.LEARNER_JOINED, LearningEvent.Kind.COURSE_COMPLETED}


def crowd_history_spread(*, users: list[User], plan: list[CrowdLearner], rng: random.Random, now: datetime) -> None:
    """Move the crowd's activity, written just now, back over the last DEMO_DAYS days.

    Demo data only: the learning-event log is otherwise never updated. The services stamped every
    event with the moment it was written; here each learner's events keep their order and are
    spread from the learner's planned start up to `now`, and the rows that carry the same moments
    (enrolments, lesson progress, quiz attempts, completions, certificates) follow their events.
    Certificates are issued once their completions carry the moved date, so that the PDF prints it.
    """
    learner_ids = [user.id for user in users]
    start_by_learner = {user.id: learner.started_at for user, learner in zip(users, plan, strict=True)}
    events = list(
        LearningEvent.objects.filter(learner_id__in=learner_ids)
        .only("id", "kind", "learner_id", "course_id", "lesson_id")
        .order_by("learner_id", "id")
    )
    by_learner = defaultdict(list)
    for event in events:
        by_learner[event.learner_id].append(event)
    for learner_id, learner_events in by_learner.items():
        timeline_spread(learner_events, start=start_by_learner[learner_id], end=now, rng=rng)

    moments = defaultdict(list)  # (kind, learner, course or lesson) → the moved times, in order
    for event in events:
        moments[event.kind, event.learner_id, event.lesson_id or event.course_id].append(event.occurred_at)
    completions = list(CourseCompletion.objects.filter(learner_id__in=learner_ids))
    for completion in completions:
        completion.completed_at = moments[
            LearningEvent.Kind.COURSE_COMPLETED, completion.learner_id, completion.course_id
        ][0]
    CourseCompletion.objects.bulk_update(completions, ["completed_at"], batch_size=500)

    # The issue job queued by each completion finds its certificate issued here and does nothing.
    for completion in completions:
        certificate_issue(completion_id=completion.id)
    completed_at = {(c.learner_id, c.course_id): c.completed_at for c in completions}
    issued = list(
        LearningEvent.objects.filter(learner_id__in=learner_ids, kind=LearningEvent.Kind.CERTIFICATE_ISSUED).only(
            "id", "learner_id", "course_id"
        )
    )
    for event in issued:
        event.occurred_at = min(
            completed_at[event.learner_id, event.course_id] + timedelta(minutes=rng.uniform(1, 10)), now
        )
    LearningEvent.objects.bulk_update(events + issued, ["occurred_at"], batch_size=500)

    certificates = list(Certificate.objects.filter(completion__learner_id__in=learner_ids).select_related("completion"))
    issued_at = {(e.learner_id, e.course_id): e.occurred_at for e in issued}
    for certificate in certificates:
        certificate.issued_at = issued_at[certificate.completion.learner_id, certificate.completion.course_id]
    Certificate.objects.bulk_update(certificates, ["issued_at"], batch_size=500)
    rows_follow_events(learner_ids=learner_ids, moments=moments)


def timeline_spread(events: list[LearningEvent], *, start: datetime, end: datetime, rng: random.Random) -> None:
    """Give one learner's events, in the order written, increasing times from `start` to at most `end`."""
    offsets, offset, previous = [], timedelta(0), None
    for event in events:
        if previous is not None:
            same_call = event.kind in SAME_CALL_KINDS or (
                event.kind == LearningEvent.Kind.LESSON_COMPLETED
                and previous.kind == LearningEvent.Kind.QUIZ_PASSED
                and previous.lesson_id == event.lesson_id
            )
            if same_call:
                offset += timedelta(seconds=1)
            elif rng.random() < 0.6:  # the next lesson in the same sitting
                offset += timedelta(minutes=rng.uniform(3, 40))
            else:  # back another day
                offset += timedelta(days=rng.uniform(0.5, 6))
        offsets.append(offset)
        previous = event
    room = end - start
    scale = min(1.0, room / offset) if offset else 1.0
    for event, event_offset in zip(events, offsets, strict=True):
        event.occurred_at = start + event_offset * scale


def rows_follow_events(*, learner_ids: list[int], moments: dict) -> None:
    """Give enrolments, lesson progress and quiz attempts the moved times of their events."""
    kind = LearningEvent.Kind
    enrolments = list(Enrolment.objects.filter(learner_id__in=learner_ids).only("id", "learner_id", "course_id"))
    for enrolment in enrolments:
        enrolment.enrolled_at = moments[kind.ENROLLED, enrolment.learner_id, enrolment.course_id][0]
    Enrolment.objects.bulk_update(enrolments, ["enrolled_at"], batch_size=500)

    progress_rows = list(
        LessonProgress.objects.filter(learner_id__in=learner_ids, completed_at__isnull=False).only(
            "id", "learner_id", "lesson_id", "last_heartbeat_at"
        )
    )
    for progress in progress_rows:
        done_at = moments[kind.LESSON_COMPLETED, progress.learner_id, progress.lesson_id][0]
        progress.completed_at = progress.updated_at = done_at
        if progress.last_heartbeat_at is not None:
            progress.last_heartbeat_at = done_at
    LessonProgress.objects.bulk_update(
        progress_rows, ["completed_at", "updated_at", "last_heartbeat_at"], batch_size=300
    )

    attempts = list(
        QuizAttempt.objects.filter(learner_id__in=learner_ids).select_related("quiz").order_by("learner_id", "number")
    )
    graded = defaultdict(int)
    for attempt in attempts:
        key = (attempt.learner_id, attempt.quiz.lesson_id)
        # The attempts were graded in their numbers' order, one QUIZ_PASSED or QUIZ_FAILED event each.
        submitted_at = sorted(moments[kind.QUIZ_PASSED, *key] + moments[kind.QUIZ_FAILED, *key])[graded[key]]
        graded[key] += 1
        shift = submitted_at - attempt.submitted_at
        attempt.started_at += shift
        attempt.submitted_at = submitted_at
        if attempt.deadline_at is not None:
            attempt.deadline_at += shift
    QuizAttempt.objects.bulk_update(attempts, ["started_at", "deadline_at", "submitted_at"], batch_size=300)
