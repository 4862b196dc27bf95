"""What an export contains: the dashboard's place table or the learner rows, and the export files' reads.

Two contents: "places" is the dashboard's place table (provinces or communes, and a totals row),
a few thousand rows at most; "learners" is one row per enrolment, which can be millions. Learner
rows come from the database in chunks through a server-side cursor and are never gathered in a
list, so the writers in `reporting.pure.spreadsheets` stream them with flat memory.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learners.models import Enrolment
from onetouch import scope
from onetouch.models import AudienceGroup, Province, User
from reporting.models import ExportFile
from reporting.pure.spreadsheets import csv_chunks
from reporting.selectors.courses import course_list_readable
from reporting.selectors.days_held import DayFigures

PLACES, LEARNERS = "places", "learners"
CSV, XLSX = "csv", "xlsx"
# Rows fetched from the server-side cursor at a time: the most rows Python holds at once.
LEARNER_CHUNK_ROWS = 2000

# The dashboard's figures, in the order of the export's columns.
FIGURE_COLUMNS = (
    ("learners", gettext_lazy("New learners")),
    ("enrolments", gettext_lazy("Enrolments")),
    ("unenrolments", gettext_lazy("Unenrolments")),
    ("completions", gettext_lazy("Completions online")),
    ("completion_rate", gettext_lazy("Completion rate (%)")),
    ("certificates", gettext_lazy("Certificates")),
    ("attendances", gettext_lazy("In-person attendances")),
    ("completions_in_person", gettext_lazy("Completions in person")),
)
# The in-person days held in the period where the place is, and who attended them (net).
DAY_COLUMNS = (gettext_lazy("In-person days held"), gettext_lazy("Attended at in-person days"))


@dataclass(frozen=True)
class LearnerQuery:
    """Which enrolments a learner-level export holds: enrolled in the period, in the province, group and course."""

    province_id: int | None
    start: date
    end: date
    audience_group: str | None = None
    course_id: int | None = None

    def as_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "audience_group": self.audience_group,
            "course_id": self.course_id,
        }

    @classmethod
    def from_export(cls, export: ExportFile) -> "LearnerQuery":
        query = export.query
        return cls(
            province_id=export.province_id,
            start=date.fromisoformat(query["start"]),
            end=date.fromisoformat(query["end"]),
            audience_group=query.get("audience_group"),
            course_id=query.get("course_id"),
        )


# --- Places ---------------------------------------------------------------------------------------


def figure_values(figures) -> list:
    """Return a Figures' values in the export's column order, the completion rate as a percentage."""
    values = {name: getattr(figures, name) for name, _label in FIGURE_COLUMNS}
    rate = values["completion_rate"]
    values["completion_rate"] = "" if rate is None else round(rate * 100, 1)
    return list(values.values())


def place_table(dashboard, *, province: Province | None) -> tuple[list[str], list[list]]:
    """Return the header and rows of the dashboard's place table: places, place not known, then totals.

    The last columns are the in-person days held and who attended them: per province where the
    days were held on the national table; a day is not counted per commune, so a province's table
    has them on its totals row only.
    """
    place = _("Province") if province is None else _("Commune")
    header = [
        _("Code"),
        place,
        *(str(label) for _name, label in FIGURE_COLUMNS),
        *(str(label) for label in DAY_COLUMNS),
    ]
    held = {row.code: row.figures for row in dashboard.days_held.by_province}
    rows = [
        [row.code, row.name, *figure_values(row.figures), *_day_values(held.get(row.code, DayFigures()), province)]
        for row in dashboard.places
    ]
    if dashboard.unplaced is not None:
        rows.append(["", _("Place not known"), *figure_values(dashboard.unplaced), "", ""])
    rows.append(["", _("Total"), *figure_values(dashboard.totals), *_day_values(dashboard.days_held.totals, None)])
    return header, rows


def _day_values(figures: DayFigures, province: Province | None) -> list:
    """A place's in-person days held and attendance at them; empty for a commune (days are per province)."""
    return ["", ""] if province is not None else [figures.days, figures.attended]


# --- Learners -------------------------------------------------------------------------------------


def learner_header() -> list[str]:
    return [
        _("Enrolment"),
        _("Full name"),
        _("Province"),
        _("Commune"),
        _("Audience group"),
        _("Course"),
        _("Course run"),
        _("Enrolled at"),
        _("Completed at"),
        _("Certificate code"),
    ]


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def learner_enrolments_of_place(*, province_id: int | None, viewer: User) -> QuerySet[Enrolment]:
    """Return every enrolment a learner export of this province (None: national) may hold, whenever made.

    The learners who live in the province now (their profile), in courses the viewer may read: a
    row names its course, and another province's course must not be named
    (reporting.selectors.courses.course_list_readable). The API's completions and enrolments read
    the same rows.
    """
    enrolments = Enrolment.objects.filter(course__in=course_list_readable(user=viewer))
    if province_id is not None:
        enrolments = enrolments.filter(learner__profile__province_id=province_id)
    return enrolments


def learner_enrolments(query: LearnerQuery, *, viewer: User) -> QuerySet[Enrolment]:
    """Return the enrolments of the export: enrolled in the period (local days), filtered as asked."""
    enrolments = learner_enrolments_of_place(province_id=query.province_id, viewer=viewer).filter(
        enrolled_at__gte=local_midnight(query.start),
        enrolled_at__lt=local_midnight(query.end + timedelta(days=1)),
    )
    if query.audience_group:
        enrolments = enrolments.filter(learner__profile__audience_group=query.audience_group)
    if query.course_id is not None:
        enrolments = enrolments.filter(course_id=query.course_id)
    return enrolments


def learner_rows_count(query: LearnerQuery, *, viewer: User) -> int:
    return learner_enrolments(query, viewer=viewer).count()


def local_naive(moment: datetime | None) -> datetime | None:
    """Return the moment as a naive local time to the second: what a spreadsheet cell can hold."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def learner_rows(query: LearnerQuery, *, viewer: User) -> Iterator[tuple]:
    """Yield one row per enrolment of the export, reading the database a chunk at a time."""
    groups = {value: str(label) for value, label in AudienceGroup.choices}
    enrolments = (
        learner_enrolments(query, viewer=viewer)
        .order_by("id")
        .values_list(
            "id",
            "learner__full_name",
            "learner__profile__province__name",
            "learner__profile__commune__name",
            "learner__profile__audience_group",
            "course__title",
            "course_run__title",
            "enrolled_at",
            "completion__completed_at",
            "completion__certificate__code",
        )
    )
    for enrolment in enrolments.iterator(chunk_size=LEARNER_CHUNK_ROWS):
        enrolment_id, name, province, commune, group, course, run, enrolled_at, completed_at, code = enrolment
        yield (
            enrolment_id,
            name,
            province or "",
            commune or "",
            groups.get(group, ""),
            course,
            run or "",
            local_naive(enrolled_at),
            local_naive(completed_at) or "",
            code or "",
        )


def learner_rows_csv(query: LearnerQuery, *, viewer: User) -> Iterator[bytes]:
    """Yield the learner-level export as CSV bytes, with flat memory whatever the number of rows."""
    return csv_chunks(learner_header(), learner_rows(query, viewer=viewer))


# --- Export files ---------------------------------------------------------------------------------


def export_filename(*, province: Province | None, what: str, start: date, end: date, file_format: str) -> str:
    place = province.code if province is not None else "national"
    return f"onetouch-{place}-{what}-{start.isoformat()}-{end.isoformat()}.{file_format}"


def export_file_get_for_user(*, user: User, export_id: int) -> ExportFile | None:
    """Return the user's own export if they may still see its province, else None."""
    export = ExportFile.objects.select_related("province").filter(id=export_id, owner_id=user.id).first()
    if export is None or not scope.can_see_province(user, export.province_id):
        return None
    return export
