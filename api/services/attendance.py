"""Posting the attendance of an in-person day through the API, through inperson's services (docs/decisions/0035, 0037).

What a key may do is what the pages let the people it stands for do, decided by inperson's services
with the key's requester (never with the rights of the admin who made the key, who is only recorded):

- a province's key and the ministry's correct, as the studio's attendance page does: every mark that
  changes something goes through `attendance_correct` (after check-in opened, the reason kept as the
  correction's; a province may not correct a day of a national course, as on the page);
- a partner's key marks present, as its trainers tick the roster: `attendance_tick`, during the
  check-in window, for learners signed up, at the days its organisation runs. Marking absent is a
  correction, which a trainer cannot make: `attendance_correct` refuses it.

A learner already so is `unchanged`, with nothing written; a refusal (not enrolled, not signed up,
outside the window, not allowed) is that learner's answer, in the service's own savepoint, and never
undoes the others.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Partner
from inperson.models import Attendance, InPersonDay
from inperson.services.attendance import attendance_correct, attendance_tick
from onetouch.models import User


@dataclass(frozen=True)
class Mark:
    learner_id: int
    present: bool


@dataclass(frozen=True)
class MarkResult:
    learner: int
    result: str  # present, absent, unchanged, refused
    reason_text: str


@transaction.atomic
def api_attendance_post(
    *, day: InPersonDay, marks: list[Mark], reason: str, requester: User, by: User, partner: Partner | None = None
) -> list[MarkResult]:
    """Apply each mark through inperson's services as `requester` (a partner's key: as `partner`), recorded as `by`."""
    learners = User.objects.in_bulk({mark.learner_id for mark in marks})
    present_now = dict(
        Attendance.objects.filter(day=day, learner_id__in=list(learners)).values_list("learner_id", "present")
    )
    results = []
    for mark in marks:
        learner = learners.get(mark.learner_id)
        if learner is None:
            results.append(
                MarkResult(mark.learner_id, "refused", _("This learner is not enrolled in the day's course run."))
            )
            continue
        if present_now.get(learner.id, False) == mark.present:
            results.append(MarkResult(learner.id, "unchanged", ""))
            continue
        try:
            if partner is not None and mark.present:
                attendance_tick(by=by, day=day, learner=learner, partner=partner)
            else:
                attendance_correct(
                    by=by, acting=requester, day=day, learner=learner, present=mark.present, reason=reason
                )
        except ValidationError as error:
            results.append(MarkResult(learner.id, "refused", " ".join(error.messages)))
            continue
        present_now[learner.id] = mark.present
        results.append(MarkResult(learner.id, "present" if mark.present else "absent", ""))
    return results
