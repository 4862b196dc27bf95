"""Posting the attendance of an in-person day through the API, through inperson's own service (docs/decisions/0035).

Each learner's mark goes through `inperson.services.attendance.attendance_correct` (the attendance
sheet's path: after check-in opened, with a reason kept as the correction's), which takes the day's
lock, checks who may and writes the events and completions. A learner already so is `unchanged`,
without a correction; a refusal (not enrolled, the day not yet open, not allowed) is that learner's
answer, in its own savepoint, and never undoes the others.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inperson.models import Attendance, InPersonDay
from inperson.services.attendance import attendance_correct
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
def api_attendance_post(*, day: InPersonDay, marks: list[Mark], reason: str, by: User) -> list[MarkResult]:
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
            attendance_correct(by=by, day=day, learner=learner, present=mark.present, reason=reason)
        except ValidationError as error:
            results.append(MarkResult(learner.id, "refused", " ".join(error.messages)))
            continue
        present_now[learner.id] = mark.present
        results.append(MarkResult(learner.id, "present" if mark.present else "absent", ""))
    return results
