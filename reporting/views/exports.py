"""Exports of what a dashboard shows, as CSV or XLSX, and the page of an export written by a worker.

Scope is checked exactly as on the dashboards (onetouch.scope): the national export for national
staff only, a province's for whoever may see that province, an export file for its owner while
they may still see its province. Anything else answers 404 (403 for the national export, as the
national dashboard).
"""

import tempfile

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onetouch import scope
from onetouch.db_routers import replica_iterate, replica_reads
from onetouch.models import Province
from reporting.forms import ExportForm
from reporting.models import ExportFile
from reporting.pure.spreadsheets import csv_chunks, xlsx_write
from reporting.selectors.courses import course_list_for_filters
from reporting.selectors.dashboards import dashboard_get
from reporting.selectors.exports import (
    CSV,
    PLACES,
    XLSX,
    LearnerQuery,
    export_file_get_for_user,
    export_filename,
    learner_header,
    learner_rows,
    learner_rows_count,
    place_table,
)
from reporting.services.exports import export_file_create

CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def nosniff(response: HttpResponse) -> HttpResponse:
    """Forbid browsers to sniff a download into a page; the views' never_cache keeps it private and unstored."""
    response["X-Content-Type-Options"] = "nosniff"
    return response


def table_response(header, rows, *, file_format: str, filename: str, title: str) -> HttpResponse:
    """Answer the rows as a CSV streamed as it is written, or as an XLSX spooled to a temporary file."""
    if file_format == CSV:
        response = StreamingHttpResponse(csv_chunks(header, rows), content_type=CONTENT_TYPES[CSV])
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return nosniff(response)
    spool = tempfile.TemporaryFile()  # FileResponse closes it, which deletes it
    xlsx_write(header, rows, title=title, target=spool)
    spool.seek(0)
    return nosniff(FileResponse(spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[XLSX]))


def bad_request(form: forms.Form) -> HttpResponse:
    messages = [message for errors in form.errors.values() for message in errors]
    return HttpResponseBadRequest("\n".join(messages), content_type="text/plain; charset=utf-8")


def export_response(request: HttpRequest, province: Province | None) -> HttpResponse:
    courses = course_list_for_filters(user=request.user)
    form = ExportForm(request.GET, courses=courses)
    if not form.is_valid():
        return bad_request(form)
    filters = form.filters()
    what = form.cleaned_data["what"] or PLACES
    file_format = form.cleaned_data["format"] or CSV
    filename = export_filename(
        province=province, what=what, start=filters.start, end=filters.end, file_format=file_format
    )
    if what == PLACES:
        header, rows = place_table(
            dashboard_get(filters=filters, province=province, courses=courses), province=province
        )
        return table_response(header, rows, file_format=file_format, filename=filename, title=_("Places"))

    query = LearnerQuery(
        province_id=province.id if province is not None else None,
        start=filters.start,
        end=filters.end,
        audience_group=filters.audience_group,
        course_id=filters.course_id,
    )
    # Small exports come at once; a large one is written by a worker while the page says so.
    if learner_rows_count(query, viewer=request.user) > getattr(settings, "EXPORT_INLINE_MAX_ROWS", 10_000):
        export = export_file_create(owner=request.user, query=query, file_format=file_format)
        return redirect("reporting:export_file", export.id)
    return table_response(
        learner_header(),
        # Streamed after the view has returned, so each step asks for the replica again.
        replica_iterate(learner_rows(query, viewer=request.user)),
        file_format=file_format,
        filename=filename,
        title=_("Learners"),
    )


# Exports read from the replica when there is one (onetouch.db_routers); a large export's record is
# written on the primary, and its page (export_file_page, which must find it at once) reads there.
@never_cache
@login_required
@require_GET
@replica_reads()
def national_export(request: HttpRequest) -> HttpResponse:
    if not scope.has_national_scope(request.user):
        raise PermissionDenied
    return export_response(request, province=None)


@never_cache
@login_required
@require_GET
@replica_reads()
def province_export(request: HttpRequest, code: str) -> HttpResponse:
    province = scope.get_province_or_404(request.user, code)
    return export_response(request, province=province)


@never_cache
@login_required
@require_GET
def export_file_page(request: HttpRequest, export_id: int) -> HttpResponse:
    export = export_file_get_for_user(user=request.user, export_id=export_id)
    if export is None:
        raise Http404
    return render(request, "reporting/export_file.html", {"export": export})


@never_cache
@login_required
@require_GET
def export_file_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = export_file_get_for_user(user=request.user, export_id=export_id)
    if export is None or export.status != ExportFile.Status.READY:
        raise Http404
    query = LearnerQuery.from_export(export)
    filename = export_filename(
        province=export.province, what=export.what, start=query.start, end=query.end, file_format=export.file_format
    )
    file = export.file.open("rb")
    return nosniff(
        FileResponse(file, as_attachment=True, filename=filename, content_type=CONTENT_TYPES.get(export.file_format))
    )
