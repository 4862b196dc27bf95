"""The completions feed: completions, certificates and revocations of the requester's learners, since a cursor.

Which learners and courses: exactly the rows of the province's learner export
(reporting.selectors.exports.learner_enrolments_of_place): the learners who live in the key's
province now, in courses the key may read; everything for the ministry. No rule is written here.

What moves the cursor: the learning-event log (learners.models.LearningEvent), append-only, where
a completion, a certificate issued and a certificate revoked are each one row. A revocation is a new
row, so it reaches a poller after the completion it takes back. Rows are read in the order of the
transaction that wrote them, then id (`xact_id`, `id`), and only rows of transactions that have all
finished (`xact_id` below the snapshot's xmin), as the statistics fold reads them: a sequence id is
handed out before commit, so an id below a poller's cursor could still appear later, but no
transaction below xmin can. So a poller sees every event once, with no gap. On SQLite (the embedded
default, one writer at a time) ids commit in order and the id alone is the position.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import OuterRef, Q, Subquery

from learners.models import CourseCompletion, LearningEvent
from onetouch import scope
from onetouch.models import User
from reporting.selectors.exports import learner_enrolments_of_place

FEED_KINDS = (
    LearningEvent.Kind.COURSE_COMPLETED,
    LearningEvent.Kind.CERTIFICATE_ISSUED,
    LearningEvent.Kind.CERTIFICATE_REVOKED,
)


@dataclass(frozen=True, order=True)
class FeedPosition:
    """Where a poller stands: every event before (transaction, id) has been read."""

    transaction: int = 0
    event_id: int = 0


@dataclass(frozen=True)
class FeedPage:
    events: list[LearningEvent]
    completions: dict[int, CourseCompletion]  # by enrolment id
    next_position: FeedPosition
    has_more: bool


def export_province_id(*, user: User) -> int | None:
    """The province whose learner export the requester reads: their own, or None (national) for the ministry."""
    return None if scope.has_national_scope(user) else user.scope_province_id


def finished_below() -> int | None:
    """Every transaction with an id below this one has finished (PostgreSQL); None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return cursor.fetchone()[0]


def completion_feed_page(*, user: User, since: FeedPosition, limit: int) -> FeedPage:
    """Return up to `limit` events after `since` of the requester's learners, and where to ask next.

    Three statements: the snapshot's xmin, the events (with the enrolment they belong to, found in
    the export's rows: an event of a learner or course outside them has none and is left out), and
    the completions with their certificates.
    """
    enrolments = learner_enrolments_of_place(province_id=export_province_id(user=user), viewer=user)
    enrolment_id = enrolments.filter(learner_id=OuterRef("learner_id"), course_id=OuterRef("course_id")).values("id")
    horizon = finished_below()
    events = LearningEvent.objects.filter(kind__in=FEED_KINDS)
    if horizon is None:
        events = events.filter(id__gt=since.event_id).order_by("id")
    else:
        after = Q(xact_id__gt=since.transaction) | Q(xact_id=since.transaction, id__gt=since.event_id)
        events = events.filter(after, xact_id__lt=horizon).order_by("xact_id", "id")
    events = list(
        events.annotate(enrolment_id=Subquery(enrolment_id[:1]))
        .filter(enrolment_id__isnull=False)
        .select_related("learner", "course", "province", "commune")[: limit + 1]
    )
    has_more = len(events) > limit
    events = events[:limit]
    if events:
        last = events[-1]
        next_position = FeedPosition(last.xact_id or 0, last.id)
    else:
        next_position = since
    if not has_more and horizon is not None:
        # Everything below the horizon has been read (or is not the requester's): the next poll
        # starts there and does not walk those rows again.
        next_position = max(next_position, FeedPosition(horizon, 0))
    by_enrolment = {}
    if events:
        completions = CourseCompletion.objects.filter(enrolment_id__in={event.enrolment_id for event in events})
        by_enrolment = {completion.enrolment_id: completion for completion in completions.select_related("certificate")}
    return FeedPage(events=events, completions=by_enrolment, next_position=next_position, has_more=has_more)
