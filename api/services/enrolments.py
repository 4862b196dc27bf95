"""Enrolling officials into a course run through the API, exactly as a roster import does (docs/decisions/0035).

The API's list of people is a roster without a file: it becomes a RosterImport (file name "API",
no file) whose rows go through the roster import's own checks (contact, audience group, the same
person twice, accounts matched by email or mobile number, who is already enrolled) and its own
writer (rosters.services.import_rows.rows_write: accounts created inactive and invited, profiles,
enrolments), in the caller's transaction. The province's admins find it among their imports, with
its report, like any roster. Only the address differs: the API names a commune of today by its
official code, so there is no old-style address to resolve and no decision to wait for.
"""

import hashlib
import json
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from courses.models import CourseRun
from onetouch import scope
from onetouch.models import Commune, User
from rosters.models import RosterImport, RosterRow
from rosters.pure.reasons import reason_text
from rosters.services.import_rows import rows_write
from rosters.services.imports import Plan, account_check, audience_check, contact_check, duplicates_check

Outcome = RosterRow.Outcome
API_FILE_NAME = "API"

# What the API says happened to each person, by the row's outcome.
RESULTS = {
    Outcome.CREATE: "invited",
    Outcome.MATCH: "enrolled",
    Outcome.ALREADY: "already_enrolled",
    Outcome.REFUSED: "refused",
}


@dataclass(frozen=True)
class Official:
    """A person to enrol, as the API's body names them."""

    full_name: str
    email: str
    phone: str
    audience_group: str
    commune: str
    organisation: str = ""
    position: str = ""


@dataclass(frozen=True)
class EnrolmentResult:
    """What happened to one person of the request, in the request's order."""

    index: int
    email: str
    phone: str
    result: str
    reason: str
    reason_text: str
    account_id: int | None


@transaction.atomic
def api_enrolments_create(*, run: CourseRun, officials: list[Official], requester: User, by: User) -> RosterImport:
    """Enrol or invite `officials` into `run` as a roster import would; return the import, its rows written.

    `requester` decides scope (the run was already found in it; the communes are checked here);
    `by` is the account recorded as having imported and invited: the signed-in person, or the
    admin who made the API key.
    """
    digest = hashlib.sha256(json.dumps([asdict(official) for official in officials], sort_keys=True).encode())
    now = timezone.now()
    roster_import = RosterImport.objects.create(
        course_run=run,
        province_id=None if scope.has_national_scope(requester) else requester.scope_province_id,
        created_by=by,
        file_name=API_FILE_NAME,
        file_sha256=digest.hexdigest(),
        status=RosterImport.Status.IMPORTING,
        rows_total=len(officials),
        confirmed_at=now,
    )
    rows = [row_of(official, number=index + 1, roster_import=roster_import) for index, official in enumerate(officials)]
    plans = [Plan() for _row in rows]
    contact_check(rows, plans)
    audience_check(rows, plans)
    duplicates_check(rows, plans)
    commune_check(rows, plans, requester=requester)
    account_check(rows, plans, course_id=run.course_id)
    for row, plan in zip(rows, plans, strict=True):
        row.outcome, row.reason, row.detail = plan.outcome, plan.reason, plan.detail
        row.user_id, row.commune_id = plan.user_id, plan.commune_id
        if plan.outcome == Outcome.REFUSED:
            row.imported_at = now
    RosterRow.objects.bulk_create(rows, batch_size=1000)
    ready = [row for row in rows if row.outcome != Outcome.REFUSED]
    if ready:
        rows_write(rows=ready, run=run, by=by)
    RosterImport.objects.filter(id=roster_import.id).update(
        status=RosterImport.Status.DONE, rows_done=len(rows), finished_at=timezone.now()
    )
    roster_import.written_rows = rows
    return roster_import


def row_of(official: Official, *, number: int, roster_import: RosterImport) -> RosterRow:
    """The roster row a file line naming this person would give (rosters.services.imports.row_from_line)."""
    return RosterRow(
        roster_import=roster_import,
        number=number,
        full_name=official.full_name[:150],
        email=official.email.strip().lower(),
        phone=official.phone,
        audience_group=official.audience_group,
        commune_text=official.commune,
        organisation=official.organisation[:200],
        position=official.position[:200],
    )


def commune_check(rows: list[RosterRow], plans: list[Plan], *, requester: User) -> None:
    """Find each commune of today by its code; one outside the requester's scope is refused as a roster's is."""
    communes = Commune.objects.in_bulk({row.commune_text for row in rows}, field_name="code")
    for row, plan in zip(rows, plans, strict=True):
        commune = communes.get(row.commune_text)
        if commune is None:
            plan.refuse("unknown_commune", row.commune_text)
            continue
        if not scope.can_change(requester, commune.province_id):
            plan.refuse("outside_province")
        plan.commune_id = commune.id
        row.commune = commune


def enrolment_results(roster_import: RosterImport) -> list[EnrolmentResult]:
    """Each person's result, from the rows the import wrote (reasons in the active language)."""
    return [
        EnrolmentResult(
            index=row.number - 1,
            email=row.email,
            phone=row.phone,
            result=RESULTS[row.outcome],
            reason=row.reason,
            reason_text=reason_text(row.reason, row.detail),
            account_id=row.user_id,
        )
        for row in roster_import.written_rows
    ]
