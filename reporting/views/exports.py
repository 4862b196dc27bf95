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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onetouch import scope
from onetouch.models import Province
from reporting.export_services import (
    CSV,
    LEARNERS,
    PLACES,
    XLSX,
    LearnerQuery,
    export_file_create,
    export_file_get_for_user,
    export_filename,
    learner_header,
    learner_rows,
    learner_rows_count,
    place_table,
)
from reporting.exports import csv_chunks, xlsx_write
from reporting.forms import DashboardFilterForm
from reporting.models import ExportFile
from reporting.selectors import course_list_for_filters, dashboard_get

CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportForm(DashboardFilterForm):
    """The dashboard's filters, plus what to export and in which format."""

    format = forms.ChoiceField(label=gettext_lazy("Format"), required=False, choices=[(CSV, "CSV"), (XLSX, "XLSX")])
    what = forms.ChoiceField(
        label=gettext_lazy("Contents"),
        required=False,
        choices=[(PLACES, gettext_lazy("The table of places")), (LEARNERS, gettext_lazy("One row per enrolment"))],
    )


def download(response: HttpResponse, filename: str) -> HttpResponse:
    """Mark a response as a private download that no browser may sniff into a page."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def table_response(header, rows, *, file_format: str, filename: str, title: str) -> HttpResponse:
    """Answer the rows as a CSV streamed as it is written, or as an XLSX spooled to a temporary file."""
    if file_format == CSV:
        response = StreamingHttpResponse(csv_chunks(header, rows), content_type=CONTENT_TYPES[CSV])
    else:
        spool = tempfile.TemporaryFile()  # FileResponse closes it, which deletes it
        xlsx_write(header, rows, title=title, target=spool)
        spool.seek(0)
        response = FileResponse(spool, content_type=CONTENT_TYPES[XLSX])
    return download(response, filename)


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
        learner_rows(query, viewer=request.user),
        file_format=file_format,
        filename=filename,
        title=_("Learners"),
    )


@login_required
@require_GET
def national_export(request: HttpRequest) -> HttpResponse:
    if not scope.has_national_scope(request.user):
        raise PermissionDenied
    return export_response(request, province=None)


@login_required
@require_GET
def province_export(request: HttpRequest, code: str) -> HttpResponse:
    province = scope.get_province_or_404(request.user, code)
    return export_response(request, province=province)


@login_required
@require_GET
def export_file_page(request: HttpRequest, export_id: int) -> HttpResponse:
    export = export_file_get_for_user(user=request.user, export_id=export_id)
    if export is None:
        raise Http404
    return render(request, "reporting/export_file.html", {"export": export})


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
    response = FileResponse(export.file.open("rb"), content_type=CONTENT_TYPES.get(export.file_format))
    return download(response, filename)
