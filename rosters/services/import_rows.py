"""Writes of a confirmed roster import: accounts, profiles and enrolments, by batches of rows (docs/decisions/0022).

Each row's outcome stands on its own. A batch of rows is written in one transaction with a handful
of bulk queries (the learners' rows locked in id order, so two imports naming the same people wait
for each other); when anything in a batch fails (an enrolment refused, an account created by another
upload at the same moment, a deadlock) the batch is rolled back whole and its rows are imported again
one by one, each in its own transaction, where a lost race retries once and then matches the account
the other upload created. Either way every row ends with its outcome and reason, and a row already
imported (`imported_at`) is never imported again, so a retried or repeated job changes nothing.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from courses.models import CourseRun
from learners.services.enrolments import NewProfile, enrolment_create, enrolments_create_many, profiles_create_missing
from onetouch.models import Commune, User
from onetouch.services.invitations import invitations_create_for_new_accounts
from rosters.models import RosterImport, RosterRow
from rosters.selectors.imports import is_enrolled, user_matching, users_by_email, users_by_phone
from rosters.services.imports import roster_job_lock

logger = logging.getLogger(__name__)

Outcome = RosterRow.Outcome
# Rows written per transaction: large enough that 10,000 rows take a few dozen commits, small enough
# that a batch falling back to row by row costs little.
BATCH_ROWS = 250


@dataclass(frozen=True)
class NewAccount:
    """A person a roster names who has no account yet."""

    full_name: str
    email: str
    phone: str


def roster_accounts_create(*, people: list[NewAccount], by: User) -> list[User]:
    """Create the accounts of people a roster names: inactive, without a usable password, until they accept.

    Every account a roster creates is made here and only here, inside the caller's transaction: this
    is the one place where each new account's invitation to set a password (an email link, or an SMS
    code for a phone-only person) is asked for, with the account and `by`, so a batch or row rolled
    back invites nobody.
    """
    users = []
    for person in people:
        user = User(
            email=person.email or None,
            phone=person.phone or None,
            full_name=person.full_name.strip()[:150],
            role=User.Role.LEARNER,
            is_active=False,
        )
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    invitations_create_for_new_accounts(users=users, by=by)
    return users


def roster_import_run(*, roster_import_id: int) -> None:
    """Import a confirmed roster by batches of rows; resumable, and one job per import at a time."""
    with roster_job_lock(roster_import_id) as taken:
        if taken:
            roster_import_run_locked(roster_import_id)


def roster_import_run_locked(roster_import_id: int) -> None:
    roster_import = RosterImport.objects.select_related("course_run__course", "created_by").get(id=roster_import_id)
    if roster_import.status != RosterImport.Status.IMPORTING:
        return
    run = roster_import.course_run
    rows = list(roster_import.rows.filter(imported_at__isnull=True).exclude(outcome=Outcome.REFUSED).order_by("number"))
    total = roster_import.rows.count()
    done = total - len(rows)
    communes = Commune.objects.in_bulk({row.commune_id for row in rows if row.commune_id})
    for row in rows:
        row.commune = communes.get(row.commune_id)
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        try:
            with transaction.atomic():
                commit_without_waiting_for_disk()
                rows_write(rows=batch, run=run, by=roster_import.created_by)
        except (IntegrityError, ValidationError, DatabaseError):
            logger.info("Roster %s: a batch is imported again row by row.", roster_import.id)
            for row in batch:
                roster_row_import(row=row, run=run, by=roster_import.created_by)
        done += len(batch)
        RosterImport.objects.filter(id=roster_import.id).update(rows_done=done)
    RosterImport.objects.filter(id=roster_import.id).update(
        status=RosterImport.Status.DONE, rows_done=total, finished_at=timezone.now()
    )


def rows_write(*, rows: list[RosterRow], run: CourseRun, by: User) -> None:
    """Write a batch of rows in the caller's transaction, in a bounded number of queries."""
    now = timezone.now()
    by_email = users_by_email(row.email for row in rows if row.email)
    by_phone = users_by_phone(row.phone for row in rows if row.phone)
    ready: list[RosterRow] = []
    for row in rows:
        email_user, phone_user = by_email.get(row.email), by_phone.get(row.phone)
        if row.outcome == Outcome.DECIDE or row.commune is None:
            row_mark(row, Outcome.REFUSED, "no_decision", now=now)
        elif email_user and phone_user and email_user != phone_user:
            row_mark(row, Outcome.REFUSED, "two_accounts", now=now)
        else:
            row.user_id = email_user or phone_user
            ready.append(row)
    new_rows = [row for row in ready if row.user_id is None]
    accounts = roster_accounts_create(
        people=[NewAccount(row.full_name, row.email, row.phone) for row in new_rows], by=by
    )
    for row, user in zip(new_rows, accounts, strict=True):
        row.user_id = user.id
    created = {user.id for user in accounts}
    profiles_create_missing(profiles=[profile_of(row) for row in ready])
    enrolled = enrolments_create_many(learner_ids=[row.user_id for row in ready], course=run.course, course_run=run)
    for row in ready:
        if row.user_id in created:
            outcome = Outcome.CREATE
        else:
            outcome = Outcome.MATCH if row.user_id in enrolled else Outcome.ALREADY
        row_mark(row, outcome, now=now)
    RosterRow.objects.bulk_update(rows, ["user", "outcome", "reason", "detail", "imported_at"])


def profile_of(row: RosterRow) -> NewProfile:
    return NewProfile(
        user_id=row.user_id,
        audience_group=row.audience_group,
        commune=row.commune,
        organisation=row.organisation,
        position=row.position,
    )


def row_mark(row: RosterRow, outcome: str, reason: str = "", detail: str = "", *, now) -> None:
    row.outcome, row.reason, row.detail, row.imported_at = outcome, reason, detail[:300], now


def roster_row_import(*, row: RosterRow, run: CourseRun, by: User) -> None:
    """Import one row in its own transaction; a lost race for the same person is retried once, then matched."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                commit_without_waiting_for_disk()
                row_write(row=row, run=run, by=by)
            return
        except IntegrityError:
            if attempt:
                logger.exception("Roster row %s could not be imported.", row.id)
                row_refuse(row, "conflict")
        except ValidationError as error:
            row_refuse(row, "enrolment_refused", " ".join(error.messages))
            return


def commit_without_waiting_for_disk() -> None:
    """Let this transaction's commit return before PostgreSQL has flushed it to disk (asynchronous commit).

    Many small transactions otherwise wait for a disk flush each. A crash may lose the last commits,
    whole (rows' writes and their `imported_at` together), never half of one; running the import
    again imports exactly those rows.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def row_write(*, row: RosterRow, run: CourseRun, by: User) -> None:
    """Find or create the person, give them a profile if they have none, enrol them in the run, record the outcome."""
    if row.outcome == Outcome.DECIDE or row.commune is None:
        row_refuse(row, "no_decision")
        return
    user, two_accounts = user_matching(email=row.email, phone=row.phone)
    if two_accounts:
        row_refuse(row, "two_accounts")
        return
    created = user is None
    if created:
        (user,) = roster_accounts_create(people=[NewAccount(row.full_name, row.email, row.phone)], by=by)
    row.user_id = user.id
    profiles_create_missing(profiles=[profile_of(row)])
    if is_enrolled(learner=user, course_id=run.course_id):
        outcome = Outcome.ALREADY
    else:
        enrolment_create(learner=user, course=run.course, course_run=run)
        outcome = Outcome.CREATE if created else Outcome.MATCH
    row_mark(row, outcome, now=timezone.now())
    row.save(update_fields=["user", "outcome", "reason", "detail", "imported_at"])


def row_refuse(row: RosterRow, reason: str, detail: str = "") -> None:
    RosterRow.objects.filter(id=row.id).update(
        outcome=Outcome.REFUSED, reason=reason, detail=detail[:300], imported_at=timezone.now()
    )
