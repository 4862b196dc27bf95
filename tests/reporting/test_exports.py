"""Exports of the dashboards: contents, formula injection, scope, the worker path, bad input, memory."""

import csv
import io
import time
import tracemalloc
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Lesson
from courses.services import catalogue
from learners.models import Certificate, CourseCompletion, Enrolment, LearningEvent
from learners.services.enrolments import enrolment_create
from learners.services.progress import lesson_complete_manually
from onetouch.models import Province
from reporting.models import SUMMARY_COUNTS, ExportFile, FillState
from reporting.pure.spreadsheets import cell_neutralise
from reporting.services.exports import export_file_write, export_files_expire
from reporting.services.fold import statistics_fold
from tests.factories import course_make, courses_bulk_make, enrolments_bulk_make, learner_make, lesson_make

NATIONAL = reverse("reporting:national_export")


def province_url(code: str) -> str:
    return reverse("reporting:province_export", args=[code])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode()
    assert text.startswith("\ufeff")  # Excel reads Vietnamese right only with the byte-order mark
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def fold_everything(*, timeout: float = 120) -> None:
    """Fold until every event is counted: another transaction open on the server holds events back."""
    deadline = time.monotonic() + timeout
    statistics_fold()
    while LearningEvent.objects.filter(xact_id__gte=fill_mark()).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
        statistics_fold()


def fill_mark() -> int:
    return FillState.objects.get(statistic=SUMMARY_COUNTS).mark


# --- Writers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("", ""),
        (-2, -2),
        (None, None),
    ],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(value, written):
    """Text starting with = + - @ tab or carriage return is neutralised; numbers and other text are kept."""
    assert cell_neutralise(value) == written


# --- Places: the dashboard's table ----------------------------------------------------------------


ZEROS = [0, 0, 0, 0, "", 0, 0, 0]  # no activity: no completion rate


@pytest.mark.django_db(transaction=True)
def test_place_exports_hold_the_figures_of_what_happened(
    client, ministry_staff, admin_hanoi, learner_hanoi, learner_hue, commune_hanoi
):
    """Three enrolments and one completion, counted by hand, are the national CSV's and Hà Nội XLSX's figures."""
    course = course_make()
    lesson = lesson_make(course=course, kind=Lesson.Kind.TEXT)
    finisher = learner_make(commune=commune_hanoi)
    for learner in (learner_hanoi, learner_hue, finisher):
        enrolment_create(learner=learner, course=course)
    lesson_complete_manually(learner=finisher, lesson=lesson)
    fold_everything()
    # Columns: learners, enrolments, unenrolments, completions, rate (%), certificates, attendances, in person,
    # then in-person days held and attended (per province on the national table, totals only on a province's).
    hanoi_figures, hue_figures = [2, 2, 0, 1, 50.0, 0, 0, 0], [1, 1, 0, 0, 0.0, 0, 0, 0]
    no_days, days_per_commune = [0, 0], ["", ""]

    client.force_login(ministry_staff)
    header, *rows = csv_rows(client.get(NATIONAL, {"format": "csv"}))
    expected = {code: ZEROS + no_days for code in Province.objects.values_list("code", flat=True)}
    expected |= {"01": hanoi_figures + no_days, "46": hue_figures + no_days}
    assert len(header) == 12
    assert {row[0]: row[2:] for row in rows[:-1]} == {code: as_csv(values) for code, values in expected.items()}
    assert rows[-1][1:] == ["Tổng", *as_csv([3, 3, 0, 1, 33.3, 0, 0, 0, *no_days])]

    client.force_login(admin_hanoi)
    response = client.get(province_url("01"), {"format": "xlsx"})
    assert response["Content-Disposition"].startswith('attachment; filename="onetouch-01-places-')
    _header, *rows = xlsx_rows(response)
    expected = {code: ZEROS + days_per_commune for code in province_hanoi_communes(admin_hanoi)}
    expected |= {commune_hanoi.code: hanoi_figures + days_per_commune}
    # An empty cell reads back as None.
    assert {row[0]: row[2:] for row in rows[:-1]} == {code: as_xlsx(values) for code, values in expected.items()}
    assert rows[-1][2:] == hanoi_figures + no_days


def as_csv(values: list) -> list[str]:
    return [str(value) for value in values]


def as_xlsx(values: list) -> list:
    return [None if value == "" else value for value in values]


def province_hanoi_communes(admin) -> list[str]:
    return list(admin.scope_province.communes.values_list("code", flat=True))


# --- Learners: one row per enrolment --------------------------------------------------------------


@pytest.fixture
def named_learners(commune_hanoi):
    """Learners of Hà Nội whose names a spreadsheet would run as formulas, each enrolled in one course."""
    course = course_make(title="Kỹ năng số cơ bản")
    names = ['=HYPERLINK("http://evil.example","Bấm")', "+1", "-2", "@SUM(A1)"]
    for name in names:
        learner = learner_make(commune=commune_hanoi)
        learner.full_name = name
        learner.save(update_fields=["full_name"])
        enrolment_create(learner=learner, course=course)
    return names


@pytest.mark.django_db
def test_learner_names_are_neutralised_in_csv_and_xlsx(client, ministry_staff, named_learners):
    """Names starting with = + - @ come out as text in both formats, never as formulas."""
    client.force_login(ministry_staff)
    neutralised = sorted("'" + name for name in named_learners)

    rows = csv_rows(client.get(NATIONAL, {"what": "learners", "format": "csv"}))
    assert sorted(row[1] for row in rows[1:]) == neutralised

    sheet = openpyxl.load_workbook(
        io.BytesIO(body(client.get(NATIONAL, {"what": "learners", "format": "xlsx"})))
    ).active
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert sorted(cell.value for cell in names) == neutralised
    assert {cell.data_type for cell in names} == {"s"}


@pytest.mark.django_db
def test_learner_export_holds_the_province_enrolments_with_completion_and_certificate(
    in_english, admin_hanoi, learner_hanoi, learner_hue
):
    """A province's learner export has its learners' enrolments only, with completion date and certificate code."""
    course = course_make(title="An toàn thông tin")
    enrolment = enrolment_create(learner=learner_hanoi, course=course)
    enrolment_create(learner=learner_hue, course=course)
    completion = CourseCompletion.objects.create(
        enrolment=enrolment, learner=learner_hanoi, course=course, completed_at=timezone.now()
    )
    Certificate.objects.create(
        completion=completion,
        code="ABCD-EFGH-JKLM-NPQR",
        learner_name="Nguyễn Văn An",
        course_title=course.title,
        issuer_name="Bộ",
        completed_on=timezone.localdate(),
    )
    in_english.force_login(admin_hanoi)

    response = in_english.get(province_url("01"), {"what": "learners"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv_rows(response)
    assert len(header) == 10
    [row] = rows
    assert row[0] == str(enrolment.id)
    province = admin_hanoi.scope_province
    assert row[1:7] == ["Nguyễn Văn An", province.name, "Phường Hoàn Kiếm", "General public", course.title, ""]
    assert row[8] != "" and row[9] == "ABCD-EFGH-JKLM-NPQR"


@pytest.mark.django_db
def test_learner_export_keeps_to_the_period_and_course(
    client, django_assert_max_num_queries, ministry_staff, learner_hanoi, learner_hue
):
    """Enrolments outside the period or of another course are left out."""
    course, other = course_make(), course_make()
    old = enrolment_create(learner=learner_hanoi, course=course)
    Enrolment.objects.filter(id=old.id).update(enrolled_at=timezone.now() - timedelta(days=60))
    enrolment_create(learner=learner_hue, course=course)
    enrolment_create(learner=learner_hue, course=other)
    client.force_login(ministry_staff)

    with django_assert_max_num_queries(5):  # session, user, the courses to choose from, the count, the rows
        rows = csv_rows(client.get(NATIONAL, {"what": "learners", "course": course.slug}))

    assert [row[5] for row in rows[1:]] == [course.title]


# --- Scope ----------------------------------------------------------------------------------------

EXPORT_QUERIES = [{"format": "csv"}, {"format": "xlsx"}, {"what": "learners"}]


@pytest.mark.django_db
@pytest.mark.parametrize("query", EXPORT_QUERIES)
def test_export_scope(client, query, ministry_staff, admin_hanoi, learner_hanoi, partner_trainer):
    """Ministry staff export anything; a provincial admin only their province; learners and partners nothing."""
    client.force_login(ministry_staff)
    assert client.get(NATIONAL, query).status_code == 200
    assert client.get(province_url("46"), query).status_code == 200

    client.force_login(admin_hanoi)
    assert client.get(province_url("01"), query).status_code == 200
    assert client.get(province_url("46"), query).status_code == 404
    assert client.get(province_url("99"), query).status_code == 404
    assert client.get(NATIONAL, query).status_code == 403

    for user in (learner_hanoi, partner_trainer):
        client.force_login(user)
        assert client.get(province_url("01"), query).status_code == 404
        assert client.get(NATIONAL, query).status_code == 403

    client.logout()
    for url in (NATIONAL, province_url("01")):
        response = client.get(url, query)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", EXPORT_QUERIES)
def test_export_answers_another_provinces_course_as_a_missing_one(
    in_english, settings, query, admin_hanoi, learner_hanoi, province_hanoi, province_hue
):
    """Hà Nội's admin asking for a Huế course or a national draft, by address or number, gets a missing course's 400.

    No export file is queued for it either, although a learner export of an own course goes to the worker.
    """
    settings.EXPORT_INLINE_MAX_ROWS = 0
    own = course_make(province=province_hanoi)
    enrolment_create(learner=learner_hanoi, course=own)
    others = [
        course_make(title="Bản nháp bí mật của Huế", province=province_hue, is_published=False),
        course_make(title="Khóa học đã xuất bản của Huế", province=province_hue),
        course_make(title="Bản nháp quốc gia", is_published=False),
    ]
    in_english.force_login(admin_hanoi)
    missing = in_english.get(province_url("01"), {**query, "course": "khong-co-khoa-nay"})
    assert (missing.status_code, missing.content) == (400, b"Unknown course: choose one from the list.")

    for course in others:
        for value in (course.slug, str(course.id)):
            response = in_english.get(province_url("01"), {**query, "course": value})
            assert (response.status_code, response.content) == (400, missing.content)
    assert not ExportFile.objects.exists()

    own_export = in_english.get(province_url("01"), {**query, "course": own.slug})
    assert own_export.status_code == (302 if query.get("what") == "learners" else 200)


@pytest.mark.django_db(transaction=True)
def test_learner_exports_name_no_course_of_another_province(
    client, celery_worker_running, settings, admin_hanoi, ministry_staff, learner_hanoi, province_hue
):
    """A Hà Nội learner's enrolment in a course Huế withdrew is left out of Hà Nội's export, inline or by the worker."""
    national = course_make(title="Khóa học quốc gia")
    hue = course_make(title="Khóa học Huế đã rút về", province=province_hue)
    for course in (national, hue):
        enrolment_create(learner=learner_hanoi, course=course)
    catalogue.course_unpublish(course=hue)

    client.force_login(ministry_staff)
    everything = csv_rows(client.get(province_url("01"), {"what": "learners"}))
    client.force_login(admin_hanoi)
    inline = csv_rows(client.get(province_url("01"), {"what": "learners"}))
    settings.EXPORT_INLINE_MAX_ROWS = 0
    written = export_written(client, province_url("01"))

    assert [row[5] for row in inline[1:]] == [row[5] for row in written[1:]] == [national.title]
    assert sorted(row[5] for row in everything[1:]) == sorted([national.title, hue.title])


def export_written(client, url: str) -> list[list[str]]:
    """Ask for a learner CSV that goes to the worker; wait for it and return its rows."""
    response = client.get(url, {"what": "learners"})
    assert response.status_code == 302
    export = ExportFile.objects.latest("id")
    deadline = time.monotonic() + 60
    while export.status == ExportFile.Status.QUEUED and time.monotonic() < deadline:
        time.sleep(0.2)
        export.refresh_from_db()
    return csv_rows(client.get(reverse("reporting:export_download", args=[export.id])))


@pytest.fixture
def ready_export(admin_hanoi, province_hanoi):
    """A written export of Hà Nội's learners that belongs to the Hà Nội admin."""
    today = timezone.localdate().isoformat()
    export = ExportFile.objects.create(
        owner=admin_hanoi,
        province=province_hanoi,
        what="learners",
        file_format="csv",
        query={"start": today, "end": today, "audience_group": None, "course_id": None},
    )
    export_file_write(export_id=export.id)
    export.refresh_from_db()
    assert export.status == ExportFile.Status.READY
    return export


@pytest.mark.django_db
def test_export_file_only_for_its_owner_while_in_scope(client, ready_export, admin_hue, ministry_staff, province_hue):
    """Another user (even ministry staff) gets 404 for an export file; so does its owner once moved elsewhere."""
    page = reverse("reporting:export_file", args=[ready_export.id])
    download = reverse("reporting:export_download", args=[ready_export.id])

    client.force_login(ready_export.owner)
    assert client.get(page).status_code == 200
    assert client.get(download).status_code == 200

    for user in (admin_hue, ministry_staff):
        client.force_login(user)
        assert client.get(page).status_code == 404
        assert client.get(download).status_code == 404

    owner = ready_export.owner
    owner.scope_province = province_hue
    owner.save(update_fields=["scope_province"])
    client.force_login(owner)
    assert client.get(page).status_code == 404
    assert client.get(download).status_code == 404

    client.logout()
    assert client.get(page).status_code == 302


@pytest.mark.django_db
def test_downloads_are_private_attachments_no_browser_sniffs(client, ready_export, learner_hanoi):
    """Every download, streamed CSV, spooled XLSX or a written file, is an attachment no cache keeps."""
    client.force_login(ready_export.owner)
    downloads = [
        client.get(province_url("01"), {"format": "csv"}),
        client.get(province_url("01"), {"what": "learners", "format": "xlsx"}),
        client.get(reverse("reporting:export_download", args=[ready_export.id])),
    ]
    for response in downloads:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="onetouch-01-')
        assert {"no-store", "private", "no-cache"} <= {part.strip() for part in response["Cache-Control"].split(",")}
        assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("reporting:export_file", args=[ready_export.id]))
    assert "no-store" in page["Cache-Control"]


# --- Large exports: the worker ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_large_learner_export_is_written_by_the_worker(
    client, in_english, settings, celery_worker_running, ministry_staff, learner_hanoi, learner_hue, named_learners
):
    """Above the inline limit the export is queued, written by the worker, and downloaded from its page."""
    settings.EXPORT_INLINE_MAX_ROWS = 2
    client.force_login(ministry_staff)

    response = client.get(NATIONAL, {"what": "learners", "format": "xlsx"})

    export = ExportFile.objects.get(owner=ministry_staff)
    assert response.status_code == 302 and response["Location"] == reverse("reporting:export_file", args=[export.id])
    deadline = time.monotonic() + 60
    while export.status == ExportFile.Status.QUEUED and time.monotonic() < deadline:
        time.sleep(0.2)
        export.refresh_from_db()
    assert export.status == ExportFile.Status.READY and export.rows == 4
    page = client.get(response["Location"])
    assert "The file is ready: 4 rows." in page.content.decode()
    download = client.get(reverse("reporting:export_download", args=[export.id]))
    assert download["Content-Disposition"].startswith('attachment; filename="onetouch-national-learners-')
    rows = xlsx_rows(download)
    assert rows[0][1] == "Full name"
    assert sorted(row[1] for row in rows[1:]) == sorted("'" + name for name in named_learners)

    name = export.file.name
    export_file_write(export_id=export.id)  # a redelivered task
    export.refresh_from_db()
    assert export.file.name == name


@pytest.mark.django_db
def test_a_second_click_gets_the_queued_export(client, settings, ministry_staff, learner_hanoi, learner_hue):
    """Asking twice for the same large export while it is being prepared queues it once."""
    settings.EXPORT_INLINE_MAX_ROWS = 1
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    enrolment_create(learner=learner_hue, course=course)
    client.force_login(ministry_staff)

    first = client.get(NATIONAL, {"what": "learners"})
    second = client.get(NATIONAL, {"what": "learners"})

    assert first["Location"] == second["Location"]
    assert ExportFile.objects.filter(owner=ministry_staff, status=ExportFile.Status.QUEUED).count() == 1


@pytest.mark.django_db
def test_failed_export_says_so(client, in_english, ministry_staff):
    """An export that cannot be written is marked failed and its page shows the message, not a 500."""
    export = ExportFile.objects.create(owner=ministry_staff, what="learners", file_format="csv", query={})

    export_file_write(export_id=export.id)

    export.refresh_from_db()
    assert export.status == ExportFile.Status.FAILED and export.finished_at is not None
    client.force_login(ministry_staff)
    assert "could not be written" in client.get(reverse("reporting:export_file", args=[export.id])).content.decode()
    assert client.get(reverse("reporting:export_download", args=[export.id])).status_code == 404


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2025-03-01", "end": "2025-02-01"}, "The end date is before the start date."),
        ({"start": "2020-01-01", "end": "2025-12-31"}, "The period may be at most"),
        ({"start": "hôm qua"}, "Enter a valid date."),
        ({"audience": "aliens"}, "Select a valid choice."),
        ({"course": "999999"}, "Unknown course: choose one from the list."),
        ({"format": "pdf"}, "Select a valid choice."),
        ({"what": "everything"}, "Select a valid choice."),
    ],
)
def test_bad_filters_answer_400_with_the_reason(in_english, ministry_staff, query, message):
    """A filter that cannot be read answers 400 with a message, never a server error."""
    in_english.force_login(ministry_staff)
    response = in_english.get(NATIONAL, query)
    assert response.status_code == 400
    assert message in response.content.decode()


# --- Memory ---------------------------------------------------------------------------------------


def streamed_peak(client) -> tuple[int, int]:
    """Consume a national learner CSV export; return its size and the peak Python memory while streaming."""
    response = client.get(NATIONAL, {"what": "learners"})
    assert response.status_code == 200 and response.streaming
    size = 0
    tracemalloc.start()
    try:
        for chunk in response.streaming_content:
            size += len(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size, peak


@pytest.mark.django_db
def test_learner_csv_streams_with_flat_memory(client, settings, ministry_staff):
    """Streaming 20,000 rows takes about the memory of 5,000: rows are never gathered in a list."""
    settings.EXPORT_INLINE_MAX_ROWS = 100_000
    courses = courses_bulk_make(20, audience_codes=("public",))
    client.force_login(ministry_staff)
    enrolments_bulk_make(courses, learner_count=250)
    small_size, small_peak = streamed_peak(client)
    enrolments_bulk_make(courses, learner_count=750)
    large_size, large_peak = streamed_peak(client)

    assert large_size > 3.5 * small_size
    assert large_peak < 1.5 * small_peak
    # The 20,000 rows as a list of tuples would take over 10 MB.
    assert large_peak < 4 * 1024 * 1024


@pytest.mark.django_db(transaction=True)  # the files are deleted after the commit
def test_exports_past_their_keeping_time_are_deleted_with_their_files(ready_export, settings):
    settings.EXPORT_FILES_KEEP_DAYS = 7
    storage, name = ready_export.file.storage, ready_export.file.name
    fresh = ExportFile.objects.create(owner=ready_export.owner, what="learners", file_format="csv")
    assert storage.exists(name)
    ExportFile.objects.filter(id=ready_export.id).update(created_at=timezone.now() - timedelta(days=8))

    assert export_files_expire() == 1

    assert not ExportFile.objects.filter(id=ready_export.id).exists()
    assert not storage.exists(name)
    assert ExportFile.objects.filter(id=fresh.id).exists()
    assert export_files_expire() == 0
