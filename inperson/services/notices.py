"""The messages owed to learners about their in-person day, and their sending, exactly once each.

What is owed (issue 15, parts 1, 2 and 6):
- a change of date or venue, or the cancellation (`DayChange.tells_learners`): to every learner who
  held a seat, signed up or waiting, when it was made; source "change-<DayChange id>";
- a seat given from the waiting list (`DaySeat.promoted_at`): to that learner; source "seat-<id>";
- the reminder, the day before in Vietnam's calendar, of a day not cancelled: to every learner signed
  up and still enrolled; source "day-<day id>". One per learner and day: a day moved after its
  reminder went out is told as a change, not reminded again.

How each goes out once: `day_notices_send` first claims a `DayNotice` row per learner and cause
(bulk_create with ignore_conflicts on the unique learner + kind + source, so a retried task or a
second beat claims nothing twice), then sends the rows not yet sent, each in its own transaction
under `SELECT … FOR UPDATE SKIP LOCKED` (onetouch.outbox), setting `sent_at` in that transaction: a second worker at
the same moment skips the row being sent and finds it sent afterwards. A send that fails rolls its
transaction back, counts an attempt and is tried again by the next run, up to MAX_ATTEMPTS.

The channel is email when the learner has an address, else SMS to their phone (onetouch.sms); the
language is the one they signed up for the day in.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from inperson.models import DayChange, DayNotice, DaySeat, InPersonDay
from inperson.selectors.calendar import day_calendar_get
from inperson.services.days import TOLD_FIELDS
from inperson.services.seats import enrolled_in_run
from onetouch.outbox import outbox_drain
from onetouch.sms import sms_send

# A notice whose sending failed this many times is left unsent (and logged) rather than retried forever.
MAX_ATTEMPTS = 5
ACTIVE = [DaySeat.Status.SIGNED_UP, DaySeat.Status.WAITING]
CHANGE_KINDS = {DayChange.Kind.CHANGED: DayNotice.Kind.CHANGED, DayChange.Kind.CANCELLED: DayNotice.Kind.CANCELLED}


def day_notices_send(*, now: dt.datetime | None = None) -> int:
    """Claim every notice owed at `now` and send those not yet sent; return how many were sent."""
    now = now or timezone.now()
    day_notices_claim(now=now)
    return day_notices_pending_send()


# --- What is owed ---------------------------------------------------------------------------------


def day_notices_claim(*, now: dt.datetime) -> None:
    """Write a row for every notice owed at `now` that has none yet.

    Two runs at once may both find a notice unclaimed: the unique key keeps one row, the other is ignored.
    """
    rows = [*change_notices_owed(now=now), *promotion_notices_owed(now=now), *reminder_notices_owed(now=now)]
    DayNotice.objects.bulk_create(rows, ignore_conflicts=True)


def change_notices_owed(*, now: dt.datetime) -> list[DayNotice]:
    """One notice per learner who held a seat when a change or the cancellation was made, not yet claimed."""
    claimed = DayNotice.objects.filter(
        day_id=OuterRef("day_id"), source=Concat(Value("change-"), Cast(OuterRef("id"), CharField()))
    )
    changes = DayChange.objects.filter(tells_learners=True, day__ends_at__gt=now).exclude(Exists(claimed))
    rows = []
    for change in changes.only("id", "day_id", "kind", "at"):
        held_then = Q(status__in=ACTIVE) | Q(cancelled_at__gt=change.at)
        learner_ids = (
            DaySeat.objects.filter(held_then, day_id=change.day_id, asked_at__lte=change.at)
            .values_list("learner_id", flat=True)
            .distinct()
        )
        kind, source = CHANGE_KINDS[change.kind], f"change-{change.id}"
        rows += [DayNotice(day_id=change.day_id, learner_id=id_, kind=kind, source=source) for id_ in learner_ids]
    return rows


def promotion_notices_owed(*, now: dt.datetime) -> list[DayNotice]:
    """One notice per seat given from the waiting list and still held, on a day still to come, not yet claimed."""
    claimed = DayNotice.objects.filter(
        learner_id=OuterRef("learner_id"),
        kind=DayNotice.Kind.PROMOTED,
        source=Concat(Value("seat-"), Cast(OuterRef("id"), CharField())),
    )
    seats = DaySeat.objects.filter(
        promoted_at__isnull=False,
        status=DaySeat.Status.SIGNED_UP,
        day__ends_at__gt=now,
        day__cancelled_at__isnull=True,
    ).exclude(Exists(claimed))
    kind = DayNotice.Kind.PROMOTED
    return [
        DayNotice(day_id=seat.day_id, learner_id=seat.learner_id, kind=kind, source=f"seat-{seat.id}")
        for seat in seats.only("id", "day_id", "learner_id")
    ]


def reminder_notices_owed(*, now: dt.datetime) -> list[DayNotice]:
    """On the day before a day (Vietnam's calendar), one reminder per learner signed up and still enrolled."""
    rows = []
    for day in days_of_tomorrow(now=now):
        claimed = DayNotice.objects.filter(
            learner_id=OuterRef("learner_id"), kind=DayNotice.Kind.REMINDER, source=f"day-{day.id}"
        )
        seats = day.seats.filter(enrolled_in_run(), status=DaySeat.Status.SIGNED_UP).exclude(Exists(claimed))
        rows += [
            DayNotice(day_id=day.id, learner_id=learner_id, kind=DayNotice.Kind.REMINDER, source=f"day-{day.id}")
            for learner_id in seats.values_list("learner_id", flat=True)
        ]
    return rows


def days_of_tomorrow(*, now: dt.datetime) -> QuerySet[InPersonDay]:
    """The days, not cancelled, that start on the calendar day after `now`'s in Vietnam."""
    zone = ZoneInfo(settings.TIME_ZONE)
    tomorrow = timezone.localtime(now, zone).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return InPersonDay.objects.filter(starts_at__gte=start, starts_at__lt=end, cancelled_at__isnull=True).only("id")


# --- Sending --------------------------------------------------------------------------------------


def day_notices_pending_send() -> int:
    """Send every notice not yet sent, one transaction each (onetouch.outbox); return how many went out."""
    pending = (
        DayNotice.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .select_related("learner", "day__course_run__course", "day__venue_commune", "day__province")
        .order_by("created_at", "id")
    )
    return outbox_drain(pending=pending, deliver=notice_deliver, failed=notice_attempt_count, limit=pending.count())


def notice_attempt_count(notice: DayNotice) -> None:
    """Count a failed send: the notice stays unsent, and is left after MAX_ATTEMPTS (and logged)."""
    DayNotice.objects.filter(id=notice.id).update(attempts=F("attempts") + 1)


def notice_deliver(notice: DayNotice) -> int:
    """Send the notice by its learner's channel and mark it sent; return 1 if a message went out.

    A notice no longer true when its turn comes (the reminder or the promotion of a day since
    cancelled or of a seat since given up, a change of a day since cancelled, which its cancellation
    tells) is marked done with no channel and nothing sent.
    """
    notice.attempts += 1
    notice.sent_at = timezone.now()
    notice.channel = notice_channel(notice) if notice_still_owed(notice) else ""
    if notice.channel:
        with translation.override(notice_language(notice)):
            message = notice_message(notice)
        if notice.channel == DayNotice.Channel.EMAIL:
            message.send()
        else:
            sms_send(phone=notice.learner.phone, message=message)
    notice.save(update_fields=["attempts", "sent_at", "channel"])
    return 1 if notice.channel else 0


def notice_still_owed(notice: DayNotice) -> bool:
    if notice.kind == DayNotice.Kind.CANCELLED:
        return True
    if notice.day.is_cancelled:
        return False
    if notice.kind == DayNotice.Kind.CHANGED:
        return True
    return notice.day.seats.filter(learner_id=notice.learner_id, status=DaySeat.Status.SIGNED_UP).exists()


def notice_channel(notice: DayNotice) -> str:
    """Email when the learner has an address, else SMS when they have a phone; "" when neither."""
    if notice.learner.email:
        return DayNotice.Channel.EMAIL
    if notice.learner.phone:
        return DayNotice.Channel.SMS
    return ""


def notice_language(notice: DayNotice) -> str:
    """The language of the learner's last seat at the day, else the platform's."""
    seat = notice.day.seats.filter(learner_id=notice.learner_id).exclude(language="").order_by("-asked_at", "-id")
    return seat.values_list("language", flat=True).first() or settings.LANGUAGE_CODE


# --- The message ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangedValue:
    label: str
    before: str
    after: str


def notice_message(notice: DayNotice) -> EmailMessage | str:
    """Return the email (with the day's .ics attached) or the SMS text, in the active language."""
    context = notice_context(notice)
    if notice.channel == DayNotice.Channel.SMS:
        return " ".join(render_to_string("inperson/sms/day_notice.txt", context).split())
    subject = " ".join(render_to_string("inperson/email/day_notice_subject.txt", context).split())
    body = render_to_string("inperson/email/day_notice_message.txt", context)
    message = EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.learner.email],
    )
    message.attach(f"in-person-day-{notice.day_id}.ics", day_calendar_get(day=notice.day), "text/calendar")
    return message


def notice_context(notice: DayNotice) -> dict:
    day = notice.day
    change = notice_change(notice)
    return {
        "kind": notice.kind,
        "learner_name": notice.learner.full_name or notice.learner.email or notice.learner.phone,
        "course_title": day.course_run.course.title,
        "run_title": day.course_run.title,
        "day": day,
        "changed_values": changed_values(day=day, change=change) if change else [],
        "change_reason": change.reason if change else "",
        "day_url": f"{settings.SITE_URL}{reverse('inperson:learner_day', args=[day.id])}",
        "code_print_url": f"{settings.SITE_URL}{reverse('inperson:learner_day_code_print', args=[day.id])}",
        # Signed as every platform email is (onetouch.adapters.email_context, certificate emails).
        "issuer_name": settings.CERTIFICATE_NATIONAL_ISSUER,
    }


def notice_change(notice: DayNotice) -> DayChange | None:
    if not notice.source.startswith("change-"):
        return None
    return DayChange.objects.filter(id=int(notice.source.removeprefix("change-")), day_id=notice.day_id).first()


def changed_values(*, day: InPersonDay, change: DayChange) -> list[ChangedValue]:
    """What a change of date or venue changed, before → now, as the learner reads it."""
    rows = []
    for name in sorted(TOLD_FIELDS & change.previous_values.keys(), key=told_field_order):
        field = InPersonDay._meta.get_field(name)
        now_value = getattr(day, name)
        if isinstance(now_value, dt.datetime):
            previous = dt.datetime.fromisoformat(change.previous_values[name])
            before = formats.date_format(timezone.localtime(previous), "DATETIME_FORMAT")
            after = formats.date_format(timezone.localtime(now_value), "DATETIME_FORMAT")
        else:
            before, after = str(change.previous_values[name]), str(now_value)
        rows.append(ChangedValue(label=str(field.verbose_name), before=before, after=after))
    return rows


def told_field_order(name: str) -> int:
    return ["starts_at", "ends_at", "venue_name", "venue_address", "venue_commune"].index(name)
