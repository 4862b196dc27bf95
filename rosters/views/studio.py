"""Studio pages of roster imports: choose a run, upload, follow the dry run, decide split communes,
confirm, read the report.

Every page reaches its run or import through rosters.selectors.imports, which asks onetouch.scope:
a run or an import of another province is 404 like a missing one, and so is every page for an
account without a province scope.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onetouch.models import AudienceGroup
from onetouch.upload_limits import upload_limit
from rosters.forms import RosterDecisionForm, RosterUploadForm
from rosters.models import RosterImport, RosterRow
from rosters.pure import spreadsheets
from rosters.pure.reasons import reason_text
from rosters.selectors import imports as selectors
from rosters.services import imports as services

ROWS_PER_PAGE = 50
IMPORTS_PER_PAGE = 20
TEMPLATE_FILE_NAME = "danh-sach-hoc-vien.xlsx"


@login_required
def roster_home(request: HttpRequest) -> HttpResponse:
    runs = selectors.course_runs_for_roster(user=request.user)
    imports = Paginator(selectors.roster_imports_for(user=request.user), IMPORTS_PER_PAGE)
    page = imports.get_page(request.GET.get("page"))
    return render(request, "rosters/studio/home.html", {"runs": runs, "page": page})


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    selectors.course_runs_for_roster(user=request.user)  # 404 for an account without a province scope
    with translation.override("vi"):
        labels = [str(label) for label in AudienceGroup.labels]
    target = io.BytesIO()
    spreadsheets.template_write(target, audience_labels=labels)
    response = HttpResponse(target.getvalue(), content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=TEMPLATE_FILE_NAME)
    return response


def roster_file_max_bytes(request: HttpRequest, run_id: int) -> int:
    return spreadsheets.MAX_FILE_BYTES


@upload_limit(roster_file_max_bytes)
@login_required
def roster_upload(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.course_run_get_for_roster(user=request.user, run_id=run_id)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            roster_import = services.roster_import_create(
                by=request.user, course_run=run, file_name=uploaded.name, content=uploaded.read()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("rosters:detail", roster_import.id)
    status = 400 if request.method == "POST" else 200
    context = {"run": run, "course": run.course, "form": form, "headers": spreadsheets.TEMPLATE_HEADERS.values()}
    return render(request, "rosters/studio/upload.html", context, status=status)


@login_required
def roster_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    roster_import = selectors.roster_import_get(user=request.user, import_id=import_id)
    context = {
        "roster_import": roster_import,
        "run": roster_import.course_run,
        "course": roster_import.course_run.course,
    }
    if roster_import.status in (RosterImport.Status.CHECKED, RosterImport.Status.DONE):
        outcome = request.GET.get("outcome", "")
        if outcome not in RosterRow.Outcome.values:
            outcome = ""
        page = Paginator(selectors.roster_rows(roster_import=roster_import, outcome=outcome), ROWS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        for row in page:
            row.reason_text = reason_text(row.reason, row.detail)
        context.update(
            counts=selectors.roster_outcome_counts(roster_import=roster_import),
            outcomes=RosterRow.Outcome.choices,
            outcome=outcome,
            page=page,
            query_string=f"outcome={outcome}" if outcome else "",
            earlier=selectors.roster_import_earlier(roster_import=roster_import),
        )
        if roster_import.status == RosterImport.Status.CHECKED:
            context["decisions"] = selectors.roster_decisions(roster_import=roster_import)
    return render(request, "rosters/studio/detail.html", context)


@login_required
def roster_progress(request: HttpRequest, import_id: int) -> JsonResponse:
    roster_import = selectors.roster_import_get(user=request.user, import_id=import_id)
    return JsonResponse(
        {
            "status": roster_import.status,
            "done": roster_import.rows_done,
            "total": roster_import.rows_total,
            "finished": roster_import.status not in (RosterImport.Status.CHECKING, RosterImport.Status.IMPORTING),
        }
    )


@require_POST
@login_required
def roster_decide(request: HttpRequest, import_id: int) -> HttpResponse:
    roster_import = selectors.roster_import_get(user=request.user, import_id=import_id)
    waiting = {row.id: row for row in roster_import.rows.filter(outcome=RosterRow.Outcome.DECIDE)}
    form = RosterDecisionForm(request.POST, rows=waiting)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect("rosters:detail", roster_import.id)
    try:
        decided = services.roster_decide(
            roster_import=roster_import,
            row=form.cleaned_data["row"],
            commune_id=form.cleaned_data["commune"],
            for_all=form.cleaned_data["for_all"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The commune of today is set for %(count)d rows.") % {"count": decided})
    return redirect("rosters:detail", roster_import.id)


@require_POST
@login_required
def roster_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    roster_import = selectors.roster_import_get(user=request.user, import_id=import_id)
    try:
        services.roster_confirm(roster_import=roster_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import has started. Each row is imported on its own; follow it here."))
    return redirect("rosters:detail", roster_import.id)


@login_required
def roster_report(request: HttpRequest, import_id: int) -> HttpResponse:
    roster_import = selectors.roster_import_get(user=request.user, import_id=import_id)
    header = [
        _("Row"),
        _("Full name"),
        _("Email"),
        _("Mobile number"),
        _("Commune of today"),
        _("Province"),
        _("Outcome"),
        _("Reason"),
    ]
    rows = (
        [
            row.number,
            row.full_name,
            row.email,
            row.phone,
            row.commune.name if row.commune else "",
            row.commune.province.name if row.commune else "",
            row.get_outcome_display(),
            reason_text(row.reason, row.detail),
        ]
        for row in selectors.roster_report_rows(roster_import=roster_import)
    )
    target = io.BytesIO()
    spreadsheets.xlsx_write([(_("Report"), header, rows)], target)
    response = HttpResponse(target.getvalue(), content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"roster-report-{roster_import.id}.xlsx"
    )
    return response
