"""Writes of lesson progress: opening a lesson, heartbeats, completion and its learning event.

The heartbeat is the hottest write path of the platform. `heartbeat_record` trusts the signed
token of the lesson page and the session cookie it was issued under (no session load, no user
row) and sends the database two statements, nothing else: a SELECT of the progress row joined to
what the checks need, with whether that session is still open, and a conditional UPDATE that
applies only if the row still holds what was read (its last heartbeat and completion time). Two
heartbeats racing (two windows) cannot lose each other's intervals: the loser reads again and
retries. This is why it is not wrapped in a transaction with SELECT … FOR UPDATE: that would add
BEGIN and COMMIT, four round trips instead of two, for the same guarantee. Both statements are
SQL written once (the ORM's building and compiling cost more than the database's work), and the
SELECT stands in for Django's connection health check: a broken connection makes it run again on a
new one (`heartbeat_row_read`), so two is also what PostgreSQL receives. Both are prepared once
per connection (docs/decisions/0031): PostgreSQL plans them once, not on every heartbeat.

A video's answer carries a new token holding the row as the report left it (docs/decisions/0045):
the player's next report is checked against that state and written by one conditional UPDATE
that also checks the enrolment, lesson, course and session (`video_report_write_known`), so a
report the player sends is one statement. If that UPDATE changes nothing (another window, a
reopened page, a replayed token, signing out), or the report would be refused or would complete
the lesson, the report takes the two-statement way above, which decides from the row. The one heartbeat that
completes a lesson writes its UPDATE and the LESSON_COMPLETED event in one transaction: more
statements, once per learner and lesson, through `lesson_complete`, the one place a lesson is
completed (its event, then whether the course is now complete).

Completion follows the server's clocks, kept in the progress row (docs/decisions/0010): opening a
lesson page renews a video's watch allowance, a slide page counts once it was on screen a few
seconds, and a text or document may be marked read once a share of its reading time has passed.
"""

import json
import math
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, Value
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.models import Lesson
from learners.models import Enrolment, LearningEvent, LessonProgress
from learners.pure.progress import (
    HeartbeatClaim,
    HeartbeatForbidden,
    HeartbeatRefused,
    VideoRowState,
    heartbeat_token_read,
    heartbeat_token_sign,
    page_parse,
    reading_wait_seconds,
    slide_show,
    slides_are_complete,
    video_heartbeat_apply,
    watch_allowance,
    watch_allowance_renew,
    words_count,
)
from learners.selectors.progress import lesson_is_open
from learners.services.completion import course_completion_check, enrolment_completion_state
from learners.services.events import learning_event_record
from onetouch.connection_check import checking_connection
from onetouch.models import Session, User
from onetouch.prepared import PreparedStatement, prepared_execute

# A conditional UPDATE that lost a race reads the row again, at most this many times in all.
WRITE_ATTEMPTS = 3
# What the heartbeat's single SELECT reads: the row and, through a join, what the checks need of
# its lesson. The one heartbeat that completes a lesson reads the rest through lesson_complete.
PROGRESS_ROW_FIELDS = (
    "id",
    "learner_id",
    "lesson_id",
    "watched_intervals",
    "pages_viewed",
    "last_heartbeat_at",
    "completed_at",
    "opened_at",
    "watch_allowance_at",
    "watch_allowance_seconds",
    "page_shown",
    "page_shown_at",
    "downloaded_at",
    "enrolment_id",
)
LESSON_FIELDS = ("kind", "duration_seconds", "page_count")
JSON_FIELDS = ("watched_intervals", "pages_viewed")
# The engine that keeps sessions in onetouch.models.Session: the heartbeat's SELECT checks the
# session there; any other engine is asked through its SessionStore.
DATABASE_SESSION_ENGINES = ("onetouch.sessions",)


# The heartbeat's statements, written once as SQL: building and compiling them through the ORM
# cost more than the database's work on every heartbeat (docs/decisions/0024), and prepared once
# per connection: planning the four-table read cost PostgreSQL more than running it
# (docs/decisions/0031). Any test that
# sends a heartbeat runs them, so a renamed table or column fails the tests.
HEARTBEAT_ROW_SQL = """
SELECT p.id, p.learner_id, p.lesson_id, p.watched_intervals, p.pages_viewed, p.last_heartbeat_at,
       p.completed_at, p.opened_at, p.watch_allowance_at, p.watch_allowance_seconds, p.page_shown,
       p.page_shown_at, p.downloaded_at, p.enrolment_id, l.kind, l.duration_seconds, l.page_count,
       {session_is_open}
  FROM learners_lessonprogress p
  JOIN learners_enrolment e ON e.id = p.enrolment_id
  JOIN courses_lesson l ON l.id = p.lesson_id
  JOIN courses_course c ON c.id = l.course_id
 WHERE p.id = %s AND p.learner_id = %s AND p.lesson_id = %s
   AND e.is_active AND l.is_published AND c.is_published
"""


@dataclass(frozen=True)
class SessionCheckedStatements:
    """One statement prepared twice: checking that the report's session is open in the sessions'
    table, or taking whether it is open as a parameter (asked of another session engine)."""

    by_session_table: PreparedStatement
    by_parameter: PreparedStatement

    @classmethod
    def of(cls, name: str, sql: str) -> "SessionCheckedStatements":
        in_table = (
            f"EXISTS (SELECT 1 FROM {Session._meta.db_table} s "  # noqa: S608 - the model's own name
            "WHERE s.session_key = %s AND s.expire_date > now())"
        )
        return cls(
            by_session_table=PreparedStatement(f"{name}_by_session_table", sql.format(session_is_open=in_table)),
            by_parameter=PreparedStatement(f"{name}_by_parameter", sql.format(session_is_open="%s::boolean")),
        )

    def for_session(self, session_key: str) -> tuple[PreparedStatement, str | bool]:
        """The statement to run for this session, and its session parameter."""
        session_open = session_open_outside_database(session_key)
        if session_open is None:
            return self.by_session_table, session_key
        return self.by_parameter, session_open


HEARTBEAT_ROW = SessionCheckedStatements.of("heartbeat_row", HEARTBEAT_ROW_SQL)
ROW_KEYS = (*PROGRESS_ROW_FIELDS, *(f"lesson__{name}" for name in LESSON_FIELDS), "session_is_open")
# The conditional UPDATE of a report: applied only if the row still holds what was read. A NULL
# position or page_shown_at keeps the stored one (the report said nothing of it).
PROGRESS_UPDATE_SQL = """
UPDATE learners_lessonprogress SET last_heartbeat_at = %s, updated_at = %s, {assigned}
 WHERE id = %s AND last_heartbeat_at IS NOT DISTINCT FROM %s AND completed_at IS NOT DISTINCT FROM %s
"""
VIDEO_UPDATE = PreparedStatement(
    "heartbeat_video_update",
    PROGRESS_UPDATE_SQL.format(
        assigned=(
            "watched_intervals = %s::jsonb, watched_seconds = %s, position_seconds = COALESCE(%s, position_seconds)"
        )
    ),
)
SLIDES_UPDATE = PreparedStatement(
    "heartbeat_slides_update",
    PROGRESS_UPDATE_SQL.format(
        assigned="pages_viewed = %s::jsonb, page_shown = %s, page_shown_at = COALESCE(%s, page_shown_at)"
    ),
)

# A report that completes nothing is committed without waiting for the disk (docs/decisions/0039):
# the UPDATE itself turns synchronous_commit off for its own transaction (set_config's `true`), so
# a heartbeat stays two statements. A crash of PostgreSQL may lose the last moment of such reports,
# never half of one; a report that completes a lesson runs in a transaction and waits as any write.
UNWAITED_COMMIT_SQL = "   AND set_config('synchronous_commit', 'off', true) = 'off'\n"


def commit_unwaited(statement: PreparedStatement) -> PreparedStatement:
    """`statement`, committing without waiting for the disk when it runs as its own transaction."""
    return PreparedStatement(f"{statement.name}_unwaited", statement.sql + UNWAITED_COMMIT_SQL)


# A video report checked against the state its token carries (docs/decisions/0045), written with no
# read before it: the row is changed only if it still holds that state and every check of the read
# still holds (enrolment active, lesson and course published, the same video, the session open).
# Zero rows changed says only that something differs; the report is then read and checked as any.
KNOWN_VIDEO_UPDATE_SQL = """
UPDATE learners_lessonprogress p
   SET last_heartbeat_at = %s, updated_at = %s, watched_intervals = %s::jsonb, watched_seconds = %s,
       position_seconds = COALESCE(%s, position_seconds)
 WHERE p.id = %s AND p.learner_id = %s AND p.lesson_id = %s
   AND p.last_heartbeat_at = %s AND p.watch_allowance_at = %s AND (p.completed_at IS NOT NULL) = %s
   AND EXISTS (SELECT 1 FROM learners_enrolment e WHERE e.id = p.enrolment_id AND e.is_active)
   AND EXISTS (SELECT 1 FROM courses_lesson l JOIN courses_course c ON c.id = l.course_id
                WHERE l.id = p.lesson_id AND l.kind = 'video' AND l.duration_seconds = %s
                  AND l.is_published AND c.is_published)
   AND {session_is_open}
"""
KNOWN_VIDEO_UPDATE = SessionCheckedStatements.of("heartbeat_known_video", KNOWN_VIDEO_UPDATE_SQL)
UNWAITED_UPDATES = {
    statement: commit_unwaited(statement)
    for statement in (VIDEO_UPDATE, SLIDES_UPDATE, KNOWN_VIDEO_UPDATE.by_session_table, KNOWN_VIDEO_UPDATE.by_parameter)
}


@dataclass(frozen=True)
class HeartbeatResult:
    watched_seconds: float
    pages_viewed: list[int]
    is_complete: bool
    # This report completed the lesson: only then does its answer carry the outline (more queries).
    has_completed_now: bool = False
    learner_id: int = 0
    lesson_id: int = 0
    # A video's row as this report left it, and the token that carries it to the next report
    # (signed by heartbeat_record).
    video: VideoRowState | None = None
    token: str = ""


def lesson_progress_open(*, learner: User, lesson: Lesson, enrolment_id: int | None = None) -> LessonProgress:
    """Return the learner's progress row for the lesson, creating it on first open (enrolled only).

    Opening starts the clocks completion counts from: the first opening for reading time, and each
    opening for a video's watch allowance (which never adds slack on top of slack). `enrolment_id`
    is the learner's active enrolment when the caller has read it already (lesson_access_get).

    No row lock and no transaction (docs/decisions/0029): a first open inserts the row, and a
    concurrent first open meets it through ON CONFLICT; a later open writes only what changed, by an
    UPDATE conditioned on the values it was computed from, read again if a heartbeat came between.
    (The row lock this replaces cost a transaction, a SELECT … FOR UPDATE and, on a first open, a
    savepoint around the INSERT: five statements more on the platform's most opened pages.)
    """
    for _attempt in range(WRITE_ATTEMPTS):
        now = timezone.now()
        progress = (
            LessonProgress.objects.select_related("enrolment")
            .filter(learner=learner, lesson=lesson, enrolment__is_active=True)
            .first()
        )
        if progress is None:
            return lesson_progress_create(learner=learner, lesson=lesson, enrolment_id=enrolment_id, now=now)
        fields = progress_open_fields(progress=progress, kind=lesson.kind, now=now)
        if not fields:
            return progress
        unchanged = LessonProgress.objects.filter(
            id=progress.id,
            opened_at=progress.opened_at,
            watched_seconds=progress.watched_seconds,
            watch_allowance_at=progress.watch_allowance_at,
        )
        if unchanged.update(**fields, updated_at=now) == 1:
            for name, value in fields.items():
                setattr(progress, name, value)
            return progress
    # Heartbeats changed the row between every read and write: the page opens with the last
    # allowance written (renewed at the next opening) rather than failing.
    return progress


def lesson_progress_create(*, learner: User, lesson: Lesson, enrolment_id: int | None, now: datetime) -> LessonProgress:
    """Insert the progress row of a first opening in one statement, or meet the row a concurrent first
    opening inserted (then only its `updated_at` is touched, and the returned copy holds its id)."""
    if enrolment_id is None:
        enrolment_id = (
            Enrolment.objects.filter(learner=learner, course_id=lesson.course_id, is_active=True)
            .values_list("id", flat=True)
            .first()
        )
    if enrolment_id is None:
        raise ValidationError(_("You are not enrolled in this course."))
    progress = LessonProgress(learner=learner, lesson=lesson, enrolment_id=enrolment_id, opened_at=now)
    for name, value in progress_open_fields(progress=progress, kind=lesson.kind, now=now).items():
        setattr(progress, name, value)
    LessonProgress.objects.bulk_create(
        [progress], update_conflicts=True, unique_fields=["learner", "lesson"], update_fields=["updated_at"]
    )
    return progress


def progress_open_fields(*, progress: LessonProgress, kind: str, now: datetime) -> dict:
    """Return what opening the lesson page changes in its progress row."""
    fields: dict = {}
    if progress.opened_at is None:
        fields["opened_at"] = now
    if kind == Lesson.Kind.VIDEO:
        since = progress.watch_allowance_at
        fields["watch_allowance_seconds"] = watch_allowance_renew(
            watched_seconds=progress.watched_seconds,
            seconds=progress.watch_allowance_seconds if since else None,
            elapsed_seconds=(now - since).total_seconds() if since else 0.0,
        )
        fields["watch_allowance_at"] = now
    return fields


def heartbeat_record(
    *, token: object, session_key: str | None, intervals: object = None, position: object = None, page: object = None
) -> HeartbeatResult:
    """Record a player's or slide viewer's report, or refuse it whole and change nothing.

    `session_key` is the session cookie the report came with: the token holds only while the
    session it was issued in is open, so signing out ends it. A video's answer carries the next token.
    """
    claim = heartbeat_token_read(token)
    if not claim.is_for_session(session_key):
        raise HeartbeatForbidden(_("This page has expired; reload it to keep saving your progress."))
    result = None
    if claim.video is not None and page is None:
        result = video_report_write_known(claim, session_key=session_key, intervals=intervals, position=position)
    if result is None:
        result = heartbeat_report_read_and_write(
            claim, session_key=session_key, intervals=intervals, position=position, page=page
        )
    if result.video is None:
        return result
    return replace(result, token=heartbeat_token_sign(claim.with_video(result.video)))


def heartbeat_report_read_and_write(
    claim: HeartbeatClaim, *, session_key: str, intervals: object, position: object, page: object
) -> HeartbeatResult:
    """Read the token's row with what its checks need, check the report against it and write it."""
    for _attempt in range(WRITE_ATTEMPTS):
        row = heartbeat_row_read(
            session_key=session_key,
            progress_id=claim.progress_id,
            learner_id=claim.learner_id,
            lesson_id=claim.lesson_id,
        )
        if row is None:
            raise HeartbeatForbidden(_("You are not enrolled in this course."))
        if not row["session_is_open"]:
            raise HeartbeatForbidden(_("This page has expired; reload it to keep saving your progress."))
        if row["lesson__duration_seconds"] != claim.duration:
            raise HeartbeatForbidden(_("This lesson has changed since the page was opened; reload it."))
        result = progress_report_apply(row=row, now=timezone.now(), intervals=intervals, position=position, page=page)
        if result is not None:
            return result
    raise HeartbeatRefused(_("Your progress is being saved from another window; it will be sent again."))


def video_report_write_known(
    claim: HeartbeatClaim, *, session_key: str, intervals: object, position: object
) -> HeartbeatResult | None:
    """Check a video report against the state its token carries and write it in one statement.

    Return None, having written nothing, whenever this cannot decide alone: the row or a check
    changed (another window, a reopened page, a signed-out session, an unpublished lesson), the
    report would be refused or would complete the lesson. The caller then reads the row, which
    says why, and decides as for any report: a refusal is never based on a state that may be old.
    """
    if connection.vendor != "postgresql":
        return None
    known, now = claim.video, timezone.now()
    try:
        video = video_heartbeat_apply(
            known=known.intervals,
            reported=[] if intervals is None else intervals,
            position=position,
            duration=claim.duration or 0,
            allowance_seconds=watch_allowance(
                seconds=known.allowance_seconds, elapsed_seconds=(now - known.allowance_at).total_seconds()
            ),
            share=settings.VIDEO_COMPLETION_SHARE,
        )
    except HeartbeatRefused:
        return None
    if video.is_complete and not known.is_completed:
        return None  # the completing report writes its event in a transaction, after reading the row
    statement, session_param = KNOWN_VIDEO_UPDATE.for_session(session_key)
    if not connection.in_atomic_block:  # alone, it is the whole transaction: no need to wait for the disk
        statement = UNWAITED_UPDATES[statement]
    params = (
        now,
        now,
        json.dumps([list(pair) for pair in video.intervals]),
        video.watched_seconds,
        video.position_seconds,
        claim.progress_id,
        claim.learner_id,
        claim.lesson_id,
        known.last_heartbeat_at,
        known.allowance_at,
        known.is_completed,
        claim.duration,
        session_param,
    )
    # The first statement of the request, so it is the connection's check too: run again on a new
    # connection it cannot apply twice, being conditioned on the row's last heartbeat.
    if checking_connection(connection.alias, lambda: prepared_row_count(statement, params)) != 1:
        return None
    return HeartbeatResult(
        watched_seconds=video.watched_seconds,
        pages_viewed=[],
        is_complete=known.is_completed,
        learner_id=claim.learner_id,
        lesson_id=claim.lesson_id,
        video=replace(known, intervals=video.intervals, last_heartbeat_at=now),
    )


def slides_page_view_record(
    *,
    page: int,
    completes: bool = True,
    progress: LessonProgress | None = None,
    learner: User | None = None,
    lesson: Lesson | None = None,
    enrolment_id: int | None = None,
) -> HeartbeatResult:
    """Record that the learner was shown one page of a slide deck (pages served without script).

    The row is the `progress` in hand, or the learner's in `lesson` (opened first if it has none:
    the row is read once when it exists). A page loaded by a GET (`completes=False`) counts its
    pages but completes nothing: a GET changes nothing others see, so the deck is completed by the
    next POST (a heartbeat, or the "I have read the last page" button).
    """
    lookup = {"id": progress.id} if progress is not None else {"learner": learner, "lesson": lesson}
    for _attempt in range(WRITE_ATTEMPTS):
        row = progress_row_read(**lookup, enrolment__is_active=True)
        if row is None and progress is None:
            progress = lesson_progress_open(learner=learner, lesson=lesson, enrolment_id=enrolment_id)
            lookup = {"id": progress.id}
            row = progress_row_read(**lookup, enrolment__is_active=True)
        if row is None:
            raise HeartbeatForbidden(_("You are not enrolled in this course."))
        result = progress_report_apply(row=row, now=timezone.now(), page=page, completes=completes)
        if result is not None:
            return result
    raise HeartbeatRefused(_("Your progress is being saved from another window; it will be sent again."))


def document_download_record(*, learner: User, lesson: Lesson, enrolment_id: int | None = None) -> LessonProgress:
    """Record a learner's first download of a document lesson's file (needed to mark it read)."""
    progress = lesson_progress_open(learner=learner, lesson=lesson, enrolment_id=enrolment_id)
    if progress.downloaded_at is None:
        now = timezone.now()
        LessonProgress.objects.filter(id=progress.id, downloaded_at__isnull=True).update(
            downloaded_at=now, updated_at=now
        )
        progress.downloaded_at = now
    return progress


@transaction.atomic
def lesson_complete_manually(*, learner: User, lesson: Lesson, enrolment_id: int | None = None) -> LessonProgress:
    """Mark a text or document lesson read once its reading time allows; completing twice records one event.

    `enrolment_id`: the learner's active enrolment, when the caller has read it (lesson_access_get)."""
    if lesson.kind not in (Lesson.Kind.TEXT, Lesson.Kind.DOCUMENT):
        raise ValidationError(_("This lesson is completed by watching it or viewing every page."))
    if not (lesson.is_published and lesson.course.is_published):
        raise ValidationError(_("This lesson is not open to learners."))
    if not lesson_is_open(learner=learner, lesson=lesson):
        raise ValidationError(_("Complete the earlier required lessons of this course first."))
    progress = lesson_progress_open(learner=learner, lesson=lesson, enrolment_id=enrolment_id)
    if progress.completed_at is None:
        now = timezone.now()
        reading_check(lesson=lesson, progress=progress, now=now)
        if lesson_complete(progress_id=progress.id, enrolment_id=progress.enrolment_id, lesson_id=lesson.id, now=now):
            progress.completed_at = progress.updated_at = now
        else:  # a concurrent request completed it first
            progress.refresh_from_db()
    return progress


# Nested in the completing write's transaction, it needs no savepoint of its own.
@transaction.atomic(savepoint=False)
def lesson_complete(*, progress_id: int, enrolment_id: int, lesson_id: int, now: datetime | None = None) -> bool:
    """Complete a lesson once, with its LESSON_COMPLETED event, then complete the course if its rule is met.

    Every completion goes through here: a text or document read, a slide deck or video finished
    (from the heartbeat), a quiz passed. Completing twice writes one event; the course is checked
    each time, so a passed quiz whose lesson was already complete still completes the course.
    The enrolment is read with its completion state, in one statement, after the lesson is marked.
    Return whether this call completed the lesson (at `now`, the current time if not given).
    """
    now = now or timezone.now()
    completed = (
        LessonProgress.objects.filter(id=progress_id, completed_at__isnull=True).update(
            completed_at=now, updated_at=now
        )
        == 1
    )
    enrolment, state = enrolment_completion_state(enrolment_id=enrolment_id)
    if completed:
        learning_event_record(kind=LearningEvent.Kind.LESSON_COMPLETED, enrolment=enrolment, lesson_id=lesson_id)
    course_completion_check(enrolment=enrolment, state=state)
    return completed


def lesson_reading_wait_seconds(lesson: Lesson) -> int:
    """Return the seconds after opening a text or document lesson before it may be marked read.

    A text is read at LESSON_READING_WORDS_PER_MINUTE; a document, whose words the server does not
    count, takes the minutes its author estimated.
    """
    if lesson.kind == Lesson.Kind.TEXT:
        reading_seconds = words_count(lesson.body_html) * 60 / settings.LESSON_READING_WORDS_PER_MINUTE
    else:
        reading_seconds = lesson.estimated_minutes * 60
    return reading_wait_seconds(
        reading_seconds=reading_seconds,
        share=settings.LESSON_READING_SHARE,
        max_seconds=settings.LESSON_READING_WAIT_MAX_SECONDS,
    )


def reading_check(*, lesson: Lesson, progress: LessonProgress, now: datetime) -> None:
    """Refuse to mark a lesson read before its document was downloaded or its reading time passed."""
    if lesson.kind == Lesson.Kind.DOCUMENT and progress.downloaded_at is None:
        raise ValidationError(_("Download the document and read it before marking it as read."))
    opened_at = progress.opened_at or now
    remaining = lesson_reading_wait_seconds(lesson) - (now - opened_at).total_seconds()
    if remaining <= 0:
        return
    if remaining > 90:
        minutes = math.ceil(remaining / 60)
        message = ngettext(
            "Take the time to read this lesson: it can be marked as read in %(count)d minute.",
            "Take the time to read this lesson: it can be marked as read in %(count)d minutes.",
            minutes,
        ) % {"count": minutes}
    else:
        seconds = math.ceil(remaining)
        message = ngettext(
            "Take the time to read this lesson: it can be marked as read in %(count)d second.",
            "Take the time to read this lesson: it can be marked as read in %(count)d seconds.",
            seconds,
        ) % {"count": seconds}
    raise ValidationError(message)


def heartbeat_row_read(*, session_key: str, progress_id: int, learner_id: int, lesson_id: int) -> dict | None:
    """Return the token's progress row with what the checks need, if its enrolment and lesson are live.

    `session_is_open` says whether the session the report came with is still open. This is the
    heartbeat's first statement, and a read: it is the connection's health check too
    (onetouch.connection_check), so no SELECT 1 goes before it.
    """
    if connection.vendor != "postgresql":
        return heartbeat_row_read_orm(
            session_key=session_key, progress_id=progress_id, learner_id=learner_id, lesson_id=lesson_id
        )
    statement, session_param = HEARTBEAT_ROW.for_session(session_key)
    params = (session_param, progress_id, learner_id, lesson_id)
    values = checking_connection(connection.alias, lambda: prepared_fetch_one(statement, params))
    if values is None:
        return None
    row = dict(zip(ROW_KEYS, values, strict=True))
    for name in JSON_FIELDS:
        if isinstance(row[name], str):  # Django's PostgreSQL backend hands jsonb over as text
            row[name] = json.loads(row[name])
    return row


def heartbeat_row_read_orm(*, session_key: str, progress_id: int, learner_id: int, lesson_id: int) -> dict | None:
    """heartbeat_row_read on a database other than PostgreSQL (the embedded SQLite of `make run`):
    the same row and checks through the ORM, which adapts dates and JSON to that database."""
    session_open = session_open_outside_database(session_key)
    session_is_open = (
        Exists(Session.objects.filter(session_key=session_key, expire_date__gt=Now()))
        if session_open is None
        else Value(session_open)
    )
    rows = LessonProgress.objects.filter(
        id=progress_id,
        learner_id=learner_id,
        lesson_id=lesson_id,
        enrolment__is_active=True,
        lesson__is_published=True,
        lesson__course__is_published=True,
    ).annotate(session_is_open=session_is_open)
    return rows.values(*ROW_KEYS).first()


def session_open_outside_database(session_key: str) -> bool | None:
    """Whether the report's session is open, asked of its session engine; None when the engine keeps
    sessions in onetouch.models.Session, which the heartbeat's read then checks in the same statement."""
    if settings.SESSION_ENGINE in DATABASE_SESSION_ENGINES:
        return None
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key)


def prepared_fetch_one(statement: PreparedStatement, params: tuple) -> tuple | None:
    with connection.cursor() as cursor:
        prepared_execute(cursor, statement, params)
        return cursor.fetchone()


def progress_row_read(**lookup) -> dict | None:
    """Return one progress row with the joined fields the checks and the event need (the ORM's read
    of a row the caller already holds; heartbeats read through heartbeat_row_read)."""
    fields = [*PROGRESS_ROW_FIELDS, *(f"lesson__{name}" for name in LESSON_FIELDS)]
    return LessonProgress.objects.filter(**lookup).values(*fields).first()


def progress_report_apply(
    *,
    row: dict,
    now: datetime,
    intervals: object = None,
    position: object = None,
    page: object = None,
    completes: bool = True,
) -> HeartbeatResult | None:
    """Check a report against the row as read and write it in one conditional UPDATE.

    Return None, having written nothing, when the row changed since it was read. With
    `completes=False` a report that would complete the lesson is recorded without completing it.
    """
    kind = row["lesson__kind"]
    if kind == Lesson.Kind.VIDEO and page is None:
        if row["watch_allowance_at"] is None:
            raise HeartbeatForbidden(_("This page has expired; reload it to keep saving your progress."))
        video = video_heartbeat_apply(
            known=row["watched_intervals"] or [],
            reported=[] if intervals is None else intervals,
            position=position,
            duration=row["lesson__duration_seconds"] or 0,
            allowance_seconds=watch_allowance(
                seconds=row["watch_allowance_seconds"],
                elapsed_seconds=(now - row["watch_allowance_at"]).total_seconds(),
            ),
            share=settings.VIDEO_COMPLETION_SHARE,
        )
        statement = VIDEO_UPDATE
        assigned = (
            json.dumps([list(pair) for pair in video.intervals]),
            video.watched_seconds,
            video.position_seconds,
        )
        fields = {
            "watched_intervals": [list(pair) for pair in video.intervals],
            "watched_seconds": video.watched_seconds,
        }
        if video.position_seconds is not None:
            fields["position_seconds"] = video.position_seconds
        is_complete, pages_viewed = video.is_complete, row["pages_viewed"] or []
        watched = video.watched_seconds
        intervals_after = video.intervals
    elif kind == Lesson.Kind.SLIDES and intervals is None:
        shown_at = row["page_shown_at"]
        show = slide_show(
            pages_viewed=row["pages_viewed"] or [],
            shown_page=row["page_shown"],
            shown_seconds=None if shown_at is None else (now - shown_at).total_seconds(),
            page=page_parse(page, page_count=row["lesson__page_count"]),
            min_seconds=settings.SLIDE_PAGE_MIN_SECONDS,
        )
        statement = SLIDES_UPDATE
        assigned = (json.dumps(show.pages_viewed), show.shown_page, now if show.restarts_clock else None)
        fields = {"pages_viewed": show.pages_viewed, "page_shown": show.shown_page}
        if show.restarts_clock:
            fields["page_shown_at"] = now
        pages_viewed = show.pages_viewed
        is_complete = slides_are_complete(pages_viewed, page_count=row["lesson__page_count"])
        watched = 0.0
        intervals_after = None
    else:
        raise HeartbeatRefused(_("This lesson does not report progress this way."))
    params = (now, now, *assigned, row["id"], row["last_heartbeat_at"], row["completed_at"])
    fields |= {"last_heartbeat_at": now, "updated_at": now}
    completing = completes and is_complete and row["completed_at"] is None
    if completing:
        # The UPDATE locks the row until the commit: a racing heartbeat then finds it changed.
        with transaction.atomic():
            if progress_row_write(row, statement=statement, params=params, fields=fields) != 1:
                return None
            lesson_complete(progress_id=row["id"], enrolment_id=row["enrolment_id"], lesson_id=row["lesson_id"])
    elif progress_row_write(row, statement=statement, params=params, fields=fields) != 1:
        return None
    is_completed = completing or row["completed_at"] is not None
    video_state = None
    if intervals_after is not None:
        video_state = VideoRowState(
            intervals=intervals_after,
            last_heartbeat_at=now,
            allowance_seconds=row["watch_allowance_seconds"],
            allowance_at=row["watch_allowance_at"],
            is_completed=is_completed,
        )
    return HeartbeatResult(
        watched_seconds=watched,
        pages_viewed=pages_viewed,
        is_complete=is_completed,
        has_completed_now=completing,
        learner_id=row["learner_id"],
        lesson_id=row["lesson_id"],
        video=video_state,
    )


def progress_row_write(row: dict, *, statement: PreparedStatement, params: tuple, fields: dict) -> int:
    """Apply the report if the row still holds what was read; return the rows changed (0 or 1).

    On PostgreSQL the UPDATE written once and prepared (`statement`, `params`); elsewhere (the embedded SQLite) the
    same conditional UPDATE through the ORM, which adapts dates and JSON to that database."""
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:  # alone, it is the whole transaction: no need to wait for the disk
            statement = UNWAITED_UPDATES[statement]
        return prepared_row_count(statement, params)
    unchanged = LessonProgress.objects.filter(
        id=row["id"], last_heartbeat_at=row["last_heartbeat_at"], completed_at=row["completed_at"]
    )
    return unchanged.update(**fields)


def prepared_row_count(statement: PreparedStatement, params: tuple) -> int:
    with connection.cursor() as cursor:
        prepared_execute(cursor, statement, params)
        return cursor.rowcount
