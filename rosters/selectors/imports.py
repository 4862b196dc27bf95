"""Reads of roster imports: the runs an admin may fill, their imports (through onetouch.scope), rows and accounts.

Which runs a roster may fill: runs of published courses the admin's scope reaches, that is the
national courses and their own province's (scope.filter_national_published_or_own). Enrolling a
province's officials in a national course is what provinces do most; a run of another province's
course is 404 like a missing one, and so is every page for an account without a province scope.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.models import CourseRun
from learners.models import Enrolment
from onetouch import scope
from onetouch.models import Commune, User
from rosters.models import RosterImport, RosterRow


def course_runs_for_roster(*, user: User) -> QuerySet[CourseRun]:
    """Return the runs the user may enrol a roster in (404 for an account without province scope)."""
    if not scope.has_province_scope(user):
        raise Http404
    runs = CourseRun.objects.filter(course__is_published=True).select_related("course__owner_province")
    runs = scope.filter_national_published_or_own(
        runs, user, province_field="course__owner_province", published_field="course__is_published"
    )
    return runs.order_by("-starts_on", "id")


def course_run_get_for_roster(*, user: User, run_id: int) -> CourseRun:
    """Return the run if the user may enrol a roster in it, else 404."""
    return get_object_or_404(course_runs_for_roster(user=user), id=run_id)


def roster_imports_for(*, user: User) -> QuerySet[RosterImport]:
    """Return the imports the user may see: their province's (every one for ministry staff)."""
    if not scope.has_province_scope(user):
        raise Http404
    imports = RosterImport.objects.select_related("course_run__course", "created_by")
    return scope.filter_to_scope(imports, user, province_field="province")


def roster_import_get(*, user: User, import_id: int) -> RosterImport:
    """Return the import if the user may see it, else 404."""
    return get_object_or_404(roster_imports_for(user=user), id=import_id)


def roster_import_earlier(*, roster_import: RosterImport) -> RosterImport | None:
    """Return an earlier import of the same file into the same run, already imported, if any."""
    return (
        RosterImport.objects.filter(
            file_sha256=roster_import.file_sha256,
            course_run_id=roster_import.course_run_id,
            status=RosterImport.Status.DONE,
            created_at__lt=roster_import.created_at,
        )
        .order_by("-finished_at")
        .first()
    )


def roster_outcome_counts(*, roster_import: RosterImport) -> dict[str, int]:
    """Return the number of rows of each outcome (every outcome present, zero when none)."""
    counts = dict.fromkeys(RosterRow.Outcome.values, 0)
    rows = roster_import.rows.order_by().values("outcome").annotate(total=Count("id"))
    counts.update({row["outcome"]: row["total"] for row in rows})
    return counts


def roster_rows(*, roster_import: RosterImport, outcome: str = "") -> QuerySet[RosterRow]:
    """Return the import's rows in file order, of one outcome when asked, with their commune."""
    rows = roster_import.rows.select_related("commune__province").order_by("number")
    return rows.filter(outcome=outcome) if outcome else rows


@dataclass(frozen=True)
class DecisionGroup:
    """The rows that name one old commune split into several of today, and the communes to choose from."""

    key: str
    province_text: str
    district_text: str
    commune_text: str
    rows: list[RosterRow]
    candidates: list[Commune]


def decision_key(row: RosterRow) -> str:
    """Rows naming the same old commune are decided together: the same communes of today to choose from,
    however the old name was spelt ("Xã Thử Nghiệm", "xa thu nghiem")."""
    return ",".join(str(pk) for pk in sorted(row.candidate_ids))


def roster_decisions(*, roster_import: RosterImport) -> list[DecisionGroup]:
    """Return the rows waiting for a commune, grouped by old commune, in two queries."""
    rows = list(roster_import.rows.filter(outcome=RosterRow.Outcome.DECIDE).order_by("number"))
    candidate_ids = {pk for row in rows for pk in row.candidate_ids}
    communes = Commune.objects.select_related("province").in_bulk(candidate_ids)
    groups: dict[str, DecisionGroup] = {}
    for row in rows:
        key = decision_key(row)
        if key not in groups:
            candidates = [communes[pk] for pk in row.candidate_ids if pk in communes]
            groups[key] = DecisionGroup(key, row.province_text, row.district_text, row.commune_text, [], candidates)
        groups[key].rows.append(row)
    return list(groups.values())


def users_by_email(emails: Iterable[str]) -> dict[str, int]:
    """Return the ids of the accounts with these email addresses (lower case), by address."""
    found: dict[str, int] = {}
    for chunk in chunks(sorted(set(emails))):
        found.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
    return {email.lower(): pk for email, pk in found.items()}


def users_by_phone(phones: Iterable[str]) -> dict[str, int]:
    """Return the ids of the accounts with these mobile numbers (E.164), by number."""
    found: dict[str, int] = {}
    for chunk in chunks(sorted(set(phones))):
        found.update(User.objects.filter(phone__in=chunk).values_list("phone", "id"))
    return found


def learners_enrolled(*, course_id: int, learner_ids: Iterable[int]) -> set[int]:
    """Return which of these learners hold an active enrolment in the course."""
    enrolled: set[int] = set()
    for chunk in chunks(sorted(set(learner_ids))):
        enrolled.update(
            Enrolment.objects.filter(course_id=course_id, learner_id__in=chunk, is_active=True).values_list(
                "learner_id", flat=True
            )
        )
    return enrolled


def user_matching(*, email: str, phone: str) -> tuple[User | None, bool]:
    """Return the account with this email or mobile number, and whether the two name different accounts."""
    by_email = User.objects.filter(email__iexact=email).first() if email else None
    by_phone = User.objects.filter(phone=phone).first() if phone else None
    if by_email and by_phone and by_email.id != by_phone.id:
        return None, True
    return by_email or by_phone, False


def is_enrolled(*, learner: User, course_id: int) -> bool:
    return Enrolment.objects.filter(learner=learner, course_id=course_id, is_active=True).exists()


def roster_report_rows(*, roster_import: RosterImport) -> Iterator[RosterRow]:
    """Yield every row of the import for its report, in file order, a batch at a time."""
    return roster_rows(roster_import=roster_import).iterator(chunk_size=2000)


def chunks(values: list, size: int = 2000) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
