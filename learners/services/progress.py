"""Writes of lesson progress: opening a lesson, heartbeats, completion and its learning event.

The heartbeat is the hottest write path of the platform. `heartbeat_record` trusts only the signed
token of the lesson page (no session, no user row) and sends the database two statements, nothing
else: a SELECT of the progress row joined to what the checks need, and a conditional UPDATE that
applies only if the row still holds what was read (its last heartbeat and completion time). Two
heartbeats racing (two windows) cannot lose each other's intervals: the loser reads again and
retries. This is why it is not wrapped in a transaction with SELECT … FOR UPDATE: that would add
BEGIN and COMMIT, four round trips instead of two, for the same guarantee. The one heartbeat that
completes a lesson writes its UPDATE and the LESSON_COMPLETED event in one transaction: more
statements, once per learner and lesson, and it then checks whether the course is now complete.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Lesson
from learners.models import Enrolment, LearningEvent, LessonProgress
from learners.progress import (
    HeartbeatForbidden,
    HeartbeatRefused,
    heartbeat_token_read,
    pages_merge,
    pages_parse,
    slides_are_complete,
    video_heartbeat_apply,
)
from learners.selectors.progress import lesson_is_open
from learners.services.completion import course_completion_check
from onetouch.models import User

# A conditional UPDATE that lost a race reads the row again, at most this many times in all.
WRITE_ATTEMPTS = 3
# What the heartbeat's single SELECT reads: the row, and through joins the enrolment, lesson,
# course and the learner's profile at this moment (for the event, should this one complete it).
PROGRESS_ROW_FIELDS = (
    "id",
    "watched_intervals",
    "pages_viewed",
    "last_heartbeat_at",
    "completed_at",
    "enrolment_id",
    "enrolment__course_run_id",
    "lesson__kind",
    "lesson__duration_seconds",
    "lesson__page_count",
    "lesson__course_id",
    "lesson__course__owner_province_id",
    "learner__profile__province_id",
    "learner__profile__commune_id",
    "learner__profile__audience_group",
)


@dataclass(frozen=True)
class HeartbeatResult:
    watched_seconds: float
    pages_viewed: list[int]
    is_complete: bool


@transaction.atomic
def lesson_progress_open(*, learner: User, lesson: Lesson) -> LessonProgress:
    """Return the learner's progress row for the lesson, creating it on first open (enrolled only)."""
    progress = LessonProgress.objects.filter(learner=learner, lesson=lesson, enrolment__is_active=True).first()
    if progress is not None:
        return progress
    enrolment = Enrolment.objects.filter(learner=learner, course_id=lesson.course_id, is_active=True).first()
    if enrolment is None:
        raise ValidationError(_("You are not enrolled in this course."))
    progress, _created = LessonProgress.objects.get_or_create(
        learner=learner, lesson=lesson, defaults={"enrolment": enrolment}
    )
    return progress


def heartbeat_record(
    *, token: object, intervals: object = None, position: object = None, pages: object = None
) -> HeartbeatResult:
    """Record a player's or slide viewer's report, or refuse it whole and change nothing."""
    claim = heartbeat_token_read(token)
    for _attempt in range(WRITE_ATTEMPTS):
        row = progress_row_read(
            id=claim.progress_id,
            learner_id=claim.learner_id,
            lesson_id=claim.lesson_id,
            enrolment__is_active=True,
            lesson__is_published=True,
            lesson__course__is_published=True,
        )
        if row is None:
            raise HeartbeatForbidden(_("You are not enrolled in this course."))
        if row["lesson__duration_seconds"] != claim.duration:
            raise HeartbeatForbidden(_("This lesson has changed since the page was opened; reload it."))
        now = timezone.now()
        issued_at = datetime.fromtimestamp(claim.issued_at, tz=timezone.get_current_timezone())
        # Wall time counts from the later of the last heartbeat and the page's opening, so a page
        # reopened the next day cannot claim yesterday's hours.
        since = max(row["last_heartbeat_at"] or issued_at, issued_at)
        result = progress_report_apply(
            row=row,
            now=now,
            elapsed_seconds=(now - since).total_seconds(),
            intervals=intervals,
            position=position,
            pages=pages,
        )
        if result is not None:
            return result
    raise HeartbeatRefused(_("Your progress is being saved from another window; it will be sent again."))


def slides_page_view_record(*, progress: LessonProgress, page: int) -> HeartbeatResult:
    """Record that the learner was shown one page of a slide deck (pages served without script)."""
    for _attempt in range(WRITE_ATTEMPTS):
        row = progress_row_read(id=progress.id, enrolment__is_active=True)
        if row is None:
            raise HeartbeatForbidden(_("You are not enrolled in this course."))
        result = progress_report_apply(row=row, now=timezone.now(), elapsed_seconds=0, pages=[page])
        if result is not None:
            return result
    raise HeartbeatRefused(_("Your progress is being saved from another window; it will be sent again."))


@transaction.atomic
def lesson_complete_manually(*, learner: User, lesson: Lesson) -> LessonProgress:
    """Mark a text lesson read or a document opened; completing twice records one event."""
    if lesson.kind not in (Lesson.Kind.TEXT, Lesson.Kind.DOCUMENT):
        raise ValidationError(_("This lesson is completed by watching it or viewing every page."))
    if not (lesson.is_published and lesson.course.is_published):
        raise ValidationError(_("This lesson is not open to learners."))
    if not lesson_is_open(learner=learner, lesson=lesson):
        raise ValidationError(_("Complete the earlier required lessons of this course first."))
    progress = lesson_progress_open(learner=learner, lesson=lesson)
    row = (
        LessonProgress.objects.select_for_update(of=("self",))
        .filter(id=progress.id)
        .values("learner_id", "lesson_id", *PROGRESS_ROW_FIELDS)
        .first()
    )
    if row["completed_at"] is None:
        now = timezone.now()
        LessonProgress.objects.filter(id=progress.id).update(completed_at=now, updated_at=now)
        lesson_completed_event_record(row=row, learner_id=learner.id, lesson_id=lesson.id)
        course_completion_check(enrolment=progress.enrolment)
    progress.refresh_from_db()
    return progress


def progress_row_read(**lookup) -> dict | None:
    """Return one progress row with the joined fields the checks and the event need."""
    return LessonProgress.objects.filter(**lookup).values("learner_id", "lesson_id", *PROGRESS_ROW_FIELDS).first()


def progress_report_apply(
    *,
    row: dict,
    now: datetime,
    elapsed_seconds: float,
    intervals: object = None,
    position: object = None,
    pages: object = None,
) -> HeartbeatResult | None:
    """Check a report against the row as read and write it in one conditional UPDATE.

    Return None, having written nothing, when the row changed since it was read.
    """
    kind = row["lesson__kind"]
    fields: dict = {"last_heartbeat_at": now, "updated_at": now}
    if kind == Lesson.Kind.VIDEO and pages is None:
        video = video_heartbeat_apply(
            known=row["watched_intervals"] or [],
            reported=[] if intervals is None else intervals,
            position=position,
            duration=row["lesson__duration_seconds"] or 0,
            elapsed_seconds=elapsed_seconds,
            share=settings.VIDEO_COMPLETION_SHARE,
        )
        fields |= {
            "watched_intervals": [list(pair) for pair in video.intervals],
            "watched_seconds": video.watched_seconds,
        }
        if video.position_seconds is not None:
            fields["position_seconds"] = video.position_seconds
        is_complete, pages_viewed = video.is_complete, row["pages_viewed"] or []
        watched = video.watched_seconds
    elif kind == Lesson.Kind.SLIDES and intervals is None:
        pages_viewed = pages_merge(row["pages_viewed"] or [], pages_parse(pages, page_count=row["lesson__page_count"]))
        fields["pages_viewed"] = pages_viewed
        is_complete = slides_are_complete(pages_viewed, page_count=row["lesson__page_count"])
        watched = 0.0
    else:
        raise HeartbeatRefused(_("This lesson does not report progress this way."))
    just_completed = is_complete and row["completed_at"] is None
    if just_completed:
        fields["completed_at"] = now
    unchanged = LessonProgress.objects.filter(
        id=row["id"], last_heartbeat_at=row["last_heartbeat_at"], completed_at=row["completed_at"]
    )
    if just_completed:
        with transaction.atomic():
            if unchanged.update(**fields) != 1:
                return None
            lesson_completed_event_record(row=row, learner_id=row["learner_id"], lesson_id=row["lesson_id"])
            course_completion_check(enrolment=Enrolment.objects.select_related("course").get(id=row["enrolment_id"]))
    elif unchanged.update(**fields) != 1:
        return None
    return HeartbeatResult(
        watched_seconds=watched,
        pages_viewed=pages_viewed,
        is_complete=is_complete or row["completed_at"] is not None,
    )


def lesson_completed_event_record(*, row: dict, learner_id: int, lesson_id: int) -> LearningEvent:
    """Append the LESSON_COMPLETED event from a progress row as read, with its joined fields."""
    return LearningEvent.objects.create(
        kind=LearningEvent.Kind.LESSON_COMPLETED,
        learner_id=learner_id,
        course_id=row["lesson__course_id"],
        course_run_id=row["enrolment__course_run_id"],
        lesson_id=lesson_id,
        course_owner_province_id=row["lesson__course__owner_province_id"],
        province_id=row["learner__profile__province_id"],
        commune_id=row["learner__profile__commune_id"],
        audience_group=row["learner__profile__audience_group"] or "",
    )
