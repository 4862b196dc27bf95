"""Writes of roster imports: upload, the dry run, the admin's decisions, and the import itself (docs/decisions/0022).

The flow: `roster_import_create` keeps the file and queues the dry run; `roster_check` (a worker)
reads the file and gives every row its planned outcome, writing only the import's own rows;
`roster_decide` records the admin's choice of commune for split old communes; `roster_confirm`
queues `rosters.services.import_rows.roster_import_run` (a worker), where each row's outcome stands
on its own: a failing row is reported and never undoes the others.

Nothing is ever duplicated: a person is matched by email (case-insensitive) or normalised mobile
number, both unique in the account table, and an enrolment is one per learner and course. Running
the import again, uploading the same file again, or two uploads of it importing at the same time all
end with each person once (rosters.services.import_rows says how).
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import CourseRun
from courses.pure.search import fold
from onetouch import scope
from onetouch.jobs import task_queue, task_queue_on_commit
from onetouch.models import AudienceGroup, Commune, User
from onetouch.pure.phones import mobile_number_normalize
from rosters.models import RosterImport, RosterRow
from rosters.pure import spreadsheets
from rosters.selectors import addresses as address_selectors
from rosters.selectors.imports import (
    chunks,
    decision_key,
    learners_enrolled,
    users_by_email,
    users_by_phone,
)

# Progress is written every this many rows: often enough for a bar, rarely enough to cost nothing.
PROGRESS_EVERY = 250
Outcome = RosterRow.Outcome


# --- Upload ---------------------------------------------------------------------------------------


@transaction.atomic
def roster_import_create(*, by: User, course_run: CourseRun, file_name: str, content: bytes) -> RosterImport:
    """Keep an uploaded roster (already read without a problem by the form) and queue its dry run."""
    if not scope.has_province_scope(by):
        raise ValidationError(_("Only province admins and ministry staff import rosters."))
    roster_import = RosterImport(
        course_run=course_run,
        province_id=None if scope.has_national_scope(by) else by.scope_province_id,
        created_by=by,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
    )
    roster_import.file.save("roster", ContentFile(content), save=False)
    roster_import.save()
    task_queue_on_commit("rosters.tasks.roster_check", roster_import.id)
    return roster_import


# --- One job per import at a time, and jobs that were lost ----------------------------------------

# The first key (a 32-bit integer) of the PostgreSQL advisory locks of roster jobs; the second is the import's id.
_LOCK_CLASS = 73_462_016
# A job still unfinished this long after it was queued is queued again (a duplicate finds the lock
# taken and stops); 20,000 rows take about a minute.
STALLED_AFTER = timedelta(minutes=10)


@contextmanager
def roster_job_lock(roster_import_id: int) -> Iterator[bool]:
    """Hold the import's job lock while the block runs; yield False if another job holds it.

    A session lock, not a transaction's: a job writes many transactions. A worker that dies closes
    its connection, which releases the lock, so the import can be taken up again.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_CLASS, roster_import_id])
        (taken,) = cursor.fetchone()
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, roster_import_id])


def roster_imports_stalled_requeue() -> int:
    """Queue again the checks and imports whose job was lost (broker down, worker restarted); return how many.

    The jobs are resumable (an import skips the rows already imported, a check starts over) and a
    duplicate of a job still running stops at once on the import's lock.
    """
    since = timezone.now() - STALLED_AFTER
    checking = RosterImport.objects.filter(status=RosterImport.Status.CHECKING, created_at__lt=since)
    importing = RosterImport.objects.filter(status=RosterImport.Status.IMPORTING, confirmed_at__lt=since)
    queued = 0
    for pk in checking.values_list("id", flat=True):
        task_queue("rosters.tasks.roster_check", pk)
        queued += 1
    for pk in importing.values_list("id", flat=True):
        task_queue("rosters.tasks.roster_import_run", pk)
        queued += 1
    return queued


def roster_files_expire(*, now=None) -> int:
    """Delete the uploaded files of imports checked more than ROSTER_FILES_KEEP_DAYS ago; return how many.

    A roster lists people's names, numbers and addresses: once checked, its rows hold all the import and
    its report need, and the file (read by the check only) is kept no longer than that. The import keeps
    its SHA-256, so a second upload of the same file is still recognised. The row is changed first and
    the file deleted after the commit, so no import ever points at a file that is gone.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.ROSTER_FILES_KEEP_DAYS)
    with transaction.atomic():
        expired = list(
            RosterImport.objects.select_for_update()
            .exclude(status=RosterImport.Status.CHECKING)
            .exclude(file="")
            .filter(created_at__lt=cutoff)
        )
        for roster_import in expired:
            transaction.on_commit(lambda file=roster_import.file: file.storage.delete(file.name))
        RosterImport.objects.filter(id__in=[roster_import.id for roster_import in expired]).update(file="")
    return len(expired)


# --- The dry run ----------------------------------------------------------------------------------


@dataclass
class Plan:
    """A row's planned outcome while it is checked."""

    outcome: str = Outcome.CREATE
    reason: str = ""
    detail: str = ""
    user_id: int | None = None
    commune_id: int | None = None
    candidate_ids: tuple[int, ...] = ()

    def refuse(self, reason: str, detail: str = "") -> None:
        if self.outcome != Outcome.REFUSED:
            self.outcome, self.reason, self.detail = Outcome.REFUSED, reason, detail[:300]


def roster_check(*, roster_import_id: int) -> None:
    """The dry run: plan every row's outcome, writing only the import's rows (never accounts or enrolments).

    Run again (a retried task), it starts over: the rows it wrote before are replaced.
    """
    with roster_job_lock(roster_import_id) as taken:
        if taken:
            roster_check_locked(roster_import_id)


def roster_check_locked(roster_import_id: int) -> None:
    roster_import = RosterImport.objects.select_related("course_run", "created_by").get(id=roster_import_id)
    if roster_import.status != RosterImport.Status.CHECKING:
        return
    with roster_import.file.open("rb") as stored:
        read = spreadsheets.roster_read(stored)
    if read.problem:
        RosterImport.objects.filter(id=roster_import.id).update(
            status=RosterImport.Status.FAILED, problem=read.problem, finished_at=timezone.now()
        )
        return
    lines = read.lines
    RosterImport.objects.filter(id=roster_import.id).update(rows_total=len(lines), rows_done=0)
    rows = [row_from_line(line) for line in lines]
    plans = [Plan() for _row in rows]
    contact_check(rows, plans)
    audience_check(rows, plans)
    duplicates_check(rows, plans)
    progress = progress_writer(roster_import.id)
    address_check(rows, plans, by=roster_import.created_by, progress=progress)
    account_check(rows, plans, course_id=roster_import.course_run.course_id)
    for row, plan in zip(rows, plans, strict=True):
        row.roster_import = roster_import
        row.outcome, row.reason, row.detail = plan.outcome, plan.reason, plan.detail
        row.user_id, row.commune_id, row.candidate_ids = plan.user_id, plan.commune_id, list(plan.candidate_ids)
    with transaction.atomic():
        RosterRow.objects.filter(roster_import=roster_import).delete()
        RosterRow.objects.bulk_create(rows, batch_size=1000)
        RosterImport.objects.filter(id=roster_import.id).update(status=RosterImport.Status.CHECKED, rows_done=len(rows))


def row_from_line(line: spreadsheets.RosterLine) -> RosterRow:
    return RosterRow(
        number=line.number,
        full_name=line.get(spreadsheets.FULL_NAME)[:150],
        # Checked whole (contact_check), cut to the columns' lengths after.
        email=line.get(spreadsheets.EMAIL).strip().lower(),
        phone=line.get(spreadsheets.PHONE),
        # Kept whole until it is matched (labels run longer than the code the row stores).
        audience_group=line.get(spreadsheets.AUDIENCE),
        province_text=line.get(spreadsheets.PROVINCE),
        district_text=line.get(spreadsheets.DISTRICT),
        commune_text=line.get(spreadsheets.COMMUNE),
        organisation=line.get(spreadsheets.ORGANISATION)[:200],
        position=line.get(spreadsheets.POSITION)[:200],
    )


def accounts_without_email_possible() -> bool:
    """Return whether an account may be created with a mobile number and no email address.

    The account table decides: while its email is required, a row with only a phone is refused with
    a reason the admin can act on, rather than an account made up with an address nobody reads.
    """
    return User._meta.get_field("email").null


def contact_check(rows: list[RosterRow], plans: list[Plan]) -> None:
    """Refuse rows without a name, or without a valid email or Vietnamese mobile; normalise the phone."""
    phone_only_allowed = accounts_without_email_possible()
    for row, plan in zip(rows, plans, strict=True):
        if not row.full_name.strip():
            plan.refuse("missing_name")
        if row.email:
            try:
                validate_email(row.email)
                if len(row.email) > RosterRow._meta.get_field("email").max_length:
                    raise ValidationError("too long")
            except ValidationError:
                plan.refuse("bad_email", row.email)
        if row.phone:
            try:
                row.phone = mobile_number_normalize(row.phone)
            except ValidationError:
                plan.refuse("bad_phone", row.phone)
        if not row.email and not row.phone:
            plan.refuse("no_contact")
        elif not row.email and not phone_only_allowed:
            plan.refuse("needs_email")
        row.email = row.email[: RosterRow._meta.get_field("email").max_length]
        row.phone = row.phone[: RosterRow._meta.get_field("phone").max_length]


def audience_words() -> dict[str, str]:
    """Every way of writing an audience group a file may use, folded: its code and its Vietnamese and English labels."""
    words: dict[str, str] = {}
    for code, label in AudienceGroup.choices:
        words[fold(code)] = code
        for language in ("vi", "en"):
            with translation.override(language):
                words[fold(str(label))] = code
    return words


def audience_check(rows: list[RosterRow], plans: list[Plan]) -> None:
    words = audience_words()
    for row, plan in zip(rows, plans, strict=True):
        code = words.get(fold(row.audience_group))
        if code is None:
            plan.refuse("bad_audience", row.audience_group)
            code = row.audience_group[: RosterRow._meta.get_field("audience_group").max_length]
        row.audience_group = code


def duplicates_check(rows: list[RosterRow], plans: list[Plan]) -> None:
    """Refuse a person the file already named (same email or mobile number) on an earlier row."""
    first_row: dict[str, int] = {}
    for row, plan in zip(rows, plans, strict=True):
        if plan.reason in ("bad_email", "bad_phone", "no_contact"):
            continue
        keys = [f"email:{row.email}" if row.email else "", f"phone:{row.phone}" if row.phone else ""]
        earlier = next((first_row[key] for key in keys if key and key in first_row), None)
        if earlier is not None:
            plan.refuse("duplicate", str(earlier))
            continue
        for key in keys:
            if key:
                first_row[key] = row.number


def address_check(rows: list[RosterRow], plans: list[Plan], *, by: User, progress: Callable[[int], None]) -> None:
    """Resolve each address to a commune of today; a split old commune waits for the admin's choice.

    Only communes in the admin's scope count: an address in another province is refused, and a split
    commune offers only the parts in scope.
    """
    done = 0
    for batch in chunks(list(zip(rows, plans, strict=True)), PROGRESS_EVERY * 4):
        matches = address_selectors.addresses_resolve(
            [(row.province_text, row.commune_text, row.district_text) for row, _plan in batch]
        )
        province_of = dict(
            Commune.objects.filter(id__in={pk for match in matches for pk in match.candidate_ids}).values_list(
                "id", "province_id"
            )
        )
        for (row, plan), match in zip(batch, matches, strict=True):
            address_plan(row, plan, match, by=by, province_of=province_of)
        done += len(batch)
        progress(done)


def address_plan(row: RosterRow, plan: Plan, match, *, by: User, province_of: dict[int, int]) -> None:
    if match.problem == address_selectors.UNKNOWN_PROVINCE:
        plan.refuse("unknown_province", row.province_text)
    elif match.problem == address_selectors.UNKNOWN_COMMUNE:
        plan.refuse("unknown_commune", row.commune_text)
    elif match.commune_id is not None:
        if not scope.can_change(by, match.province_id):
            plan.refuse("outside_province")
        plan.commune_id = match.commune_id
    else:
        candidates = tuple(pk for pk in match.candidate_ids if scope.can_change(by, province_of.get(pk)))
        if not candidates:
            plan.refuse("outside_province")
        elif plan.outcome != Outcome.REFUSED:
            plan.outcome = Outcome.DECIDE
            plan.reason = address_selectors.SPLIT if match.problem == address_selectors.SPLIT else "ambiguous"
            plan.detail = row.commune_text[:300]
        plan.candidate_ids = candidates


def account_check(rows: list[RosterRow], plans: list[Plan], *, course_id: int) -> None:
    """Match existing accounts by email or mobile number, and see who is already enrolled."""
    by_email = users_by_email(row.email for row in rows if row.email)
    by_phone = users_by_phone(row.phone for row in rows if row.phone)
    first_row_of_account: dict[int, int] = {}
    for row, plan in zip(rows, plans, strict=True):
        email_user, phone_user = by_email.get(row.email), by_phone.get(row.phone)
        if email_user and phone_user and email_user != phone_user:
            plan.refuse("two_accounts")
        plan.user_id = email_user or phone_user
        # One account named by two rows (one by its email, the other by its phone) is the same person twice.
        if plan.user_id and plan.outcome != Outcome.REFUSED:
            earlier = first_row_of_account.setdefault(plan.user_id, row.number)
            if earlier != row.number:
                plan.refuse("duplicate", str(earlier))
    enrolled = learners_enrolled(course_id=course_id, learner_ids=[plan.user_id for plan in plans if plan.user_id])
    for plan in plans:
        if plan.outcome in (Outcome.REFUSED, Outcome.DECIDE):
            continue
        plan.outcome = account_outcome(user_id=plan.user_id, enrolled=plan.user_id in enrolled)


def account_outcome(*, user_id: int | None, enrolled: bool) -> str:
    if user_id is None:
        return Outcome.CREATE
    return Outcome.ALREADY if enrolled else Outcome.MATCH


def progress_writer(roster_import_id: int) -> Callable[[int], None]:
    def write(done: int) -> None:
        RosterImport.objects.filter(id=roster_import_id).update(rows_done=done)

    return write


# --- The admin's decisions ------------------------------------------------------------------------


@transaction.atomic
def roster_decide(*, roster_import: RosterImport, row: RosterRow, commune_id: int, for_all: bool) -> int:
    """Set the commune of today for a row of a split old commune, or for every such row naming it; return how many."""
    if roster_import.status != RosterImport.Status.CHECKED:
        raise ValidationError(_("This import is no longer waiting for decisions."))
    if row.outcome != Outcome.DECIDE or commune_id not in row.candidate_ids:
        raise ValidationError(_("Choose one of the communes offered for this row."))
    waiting = RosterRow.objects.select_for_update().filter(roster_import=roster_import, outcome=Outcome.DECIDE)
    rows = [other for other in waiting if decision_key(other) == decision_key(row)] if for_all else [row]
    rows = [other for other in rows if commune_id in other.candidate_ids]
    enrolled = learners_enrolled(
        course_id=roster_import.course_run.course_id, learner_ids=[r.user_id for r in rows if r.user_id]
    )
    for decided in rows:
        decided.commune_id = commune_id
        decided.outcome = account_outcome(user_id=decided.user_id, enrolled=decided.user_id in enrolled)
        decided.reason, decided.detail = "", ""
    RosterRow.objects.bulk_update(rows, ["commune", "outcome", "reason", "detail"])
    return len(rows)


@transaction.atomic
def roster_confirm(*, roster_import: RosterImport) -> None:
    """Start the import of a checked file once every split commune has been decided."""
    locked = RosterImport.objects.select_for_update().get(id=roster_import.id)
    if locked.status != RosterImport.Status.CHECKED:
        raise ValidationError(_("This import has already been confirmed."))
    waiting = locked.rows.filter(outcome=Outcome.DECIDE).count()
    if waiting:
        raise ValidationError(
            _("%(count)d rows still need a commune of today: choose them before confirming.") % {"count": waiting}
        )
    locked.status = RosterImport.Status.IMPORTING
    locked.confirmed_at = timezone.now()
    locked.rows_done = 0
    locked.save(update_fields=["status", "confirmed_at", "rows_done"])
    task_queue_on_commit("rosters.tasks.roster_import_run", locked.id)
