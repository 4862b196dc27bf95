"""Check-in and attendance pages: the learner's code, the trainer's check-in page and sign-in sheet,
the studio's attendance page and sheet.

The learner reaches only a day where they hold a seat; the trainer only their own days (through
day_get_for_trainer); the studio only the runs of its scope (course_run_get_for_day). Anything else
is 404, like a missing day. The services check again who may write (docs/decisions/0018).
"""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from courses.forms.studio import form_error_add
from inperson.forms import AttendanceCorrectForm, CheckInCodeForm, CheckInScan, LearnerPickForm
from inperson.models import Attendance, InPersonDay
from inperson.pure.checkin import window_is_near
from inperson.pure.codes import code_grouped, printable_code, rotating_code, step_at, step_seconds_left
from inperson.pure.qr import qr_data_uri
from inperson.selectors.attendance import (
    attendance_counts,
    corrections_for_day,
    day_get_for_code,
    name_of,
    roster_search,
    roster_with_attendance,
)
from inperson.selectors.days import course_run_get_for_day, day_get_for_run, day_get_for_trainer
from inperson.services.attendance import (
    attendance_check_in,
    attendance_correct,
    attendance_tick,
    code_keys,
    day_window,
)
from onetouch.models import User

# A phone that was offline sends its queue at once; more than this in one request is refused.
SCANS_PER_REQUEST = 200


# --- The learner's code -----------------------------------------------------------------------------


def rotating_code_now(*, day: InPersonDay, learner: User) -> dict:
    now = timezone.now()
    code = rotating_code(keys=code_keys(), day_id=day.id, learner_id=learner.id, step=step_at(now))
    return {
        "code": code,
        "grouped": code_grouped(code),
        "qr": qr_data_uri(code),
        "seconds_left": step_seconds_left(now),
    }


@login_required
def learner_day_code(request: HttpRequest, day_id: int) -> HttpResponse:
    day = day_get_for_code(learner=request.user, day_id=day_id)
    window = day_window(day)
    context = {
        "day": day,
        "course": day.course_run.course,
        "window": window,
        "window_open": window is not None and window.holds(timezone.now()),
        "now": rotating_code_now(day=day, learner=request.user),
    }
    return render(request, "inperson/learner_code.html", context)


@require_GET
@login_required
def learner_day_code_json(request: HttpRequest, day_id: int) -> JsonResponse:
    day = day_get_for_code(learner=request.user, day_id=day_id)
    response = JsonResponse(rotating_code_now(day=day, learner=request.user))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def learner_day_code_print(request: HttpRequest, day_id: int) -> HttpResponse:
    day = day_get_for_code(learner=request.user, day_id=day_id)
    code = printable_code(keys=code_keys(), day_id=day.id, learner_id=request.user.id)
    context = {
        "day": day,
        "course": day.course_run.course,
        "window": day_window(day),
        "grouped": code_grouped(code),
        "qr": qr_data_uri(code),
    }
    return render(request, "inperson/learner_code_print.html", context)


def checkin_is_near(*, day: InPersonDay) -> bool:
    """Whether a learner signed up should be offered their code now (the window is open or opens soon)."""
    return window_is_near(window=day_window(day), now=timezone.now())


# --- The trainer's check-in page --------------------------------------------------------------------


@login_required
def trainer_day_checkin(request: HttpRequest, day_id: int) -> HttpResponse:
    day = day_get_for_trainer(user=request.user, day_id=day_id)
    form = CheckInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checked = attendance_check_in(
                by=request.user, day=day, code=form.cleaned_data["code"], method=Attendance.Method.TYPED
            )
        except ValidationError as error:
            form_error_add(form, error)
        else:
            learner = checked.attendance.learner
            if checked.created:
                messages.success(request, _("%(name)s is checked in.") % {"name": name_of(learner)})
            else:
                messages.info(request, _("%(name)s was already checked in.") % {"name": name_of(learner)})
            return redirect("inperson:trainer_day_checkin", day.id)
    search = request.GET.get("q", "")
    window = day_window(day)
    rows = roster_with_attendance(day=day)
    context = {
        "day": day,
        "form": form,
        "search": search,
        "rows": roster_search(rows, search),
        "counts": attendance_counts(rows),
        "window": window,
        "can_tick": window is not None and window.holds(timezone.now()),
        "tick_action": reverse("inperson:trainer_day_tick", args=[day.id]),
        "scans_url": reverse("inperson:trainer_day_scans", args=[day.id]),
    }
    return render(request, "inperson/trainer/checkin.html", context)


@login_required
def trainer_day_scans(request: HttpRequest, day_id: int) -> HttpResponse:
    """Take the phone's queued scans (JSON) and answer each one: accepted, already counted, or refused and why."""
    day = day_get_for_trainer(user=request.user, day_id=day_id)  # before the method: another day is 404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        scans = json.loads(request.body)["scans"]
        if not isinstance(scans, list) or len(scans) > SCANS_PER_REQUEST:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("The scans could not be read.")}, status=400)
    return JsonResponse({"results": [scan_answer(request.user, day, scan) for scan in scans]})


def scan_answer(user: User, day: InPersonDay, scan) -> dict:
    """Check one queued scan in; each in its own transaction, so one refusal leaves the others."""
    form = CheckInScan(scan if isinstance(scan, dict) else {})
    scan_id = str(scan.get("scan_id", "")) if isinstance(scan, dict) else ""
    if not form.is_valid():
        return {"scan_id": scan_id, "status": "refused", "message": _("This scan could not be read.")}
    method = Attendance.Method.TYPED if form.cleaned_data["method"] == "typed" else Attendance.Method.SCANNED
    try:
        checked = attendance_check_in(
            by=user,
            day=day,
            code=form.cleaned_data["code"],
            scanned_at=form.cleaned_data["scanned_at"],
            scan_id=form.cleaned_data["scan_id"],
            method=method,
        )
    except ValidationError as error:
        return {"scan_id": scan_id, "status": "refused", "message": " ".join(error.messages)}
    learner = checked.attendance.learner
    return {
        "scan_id": scan_id,
        "status": "accepted" if checked.created else "already",
        "learner_id": learner.id,
        "name": name_of(learner),
        "message": (_("%(name)s is checked in.") if checked.created else _("%(name)s was already checked in."))
        % {"name": name_of(learner)},
    }


@login_required
def trainer_day_tick(request: HttpRequest, day_id: int) -> HttpResponse:
    day = day_get_for_trainer(user=request.user, day_id=day_id)  # before the method: another day is 404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    roster_tick(request, day)
    search = request.POST.get("q", "")
    query = "?" + urlencode({"q": search}) if search else ""
    return redirect(reverse("inperson:trainer_day_checkin", args=[day.id]) + query)


def roster_tick(request: HttpRequest, day: InPersonDay) -> None:
    form = LearnerPickForm(request.POST)
    if not form.is_valid():
        raise Http404
    learner = get_object_or_404(User, id=form.cleaned_data["learner"])
    try:
        checked = attendance_tick(by=request.user, day=day, learner=learner)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if checked.created:
            messages.success(request, _("%(name)s is checked in.") % {"name": name_of(learner)})
        else:
            messages.info(request, _("%(name)s was already checked in.") % {"name": name_of(learner)})


@login_required
def trainer_day_sheet(request: HttpRequest, day_id: int) -> HttpResponse:
    day = day_get_for_trainer(user=request.user, day_id=day_id)
    return render(request, "inperson/day_sheet.html", sheet_context(day))


def sheet_context(day: InPersonDay) -> dict:
    rows = [row for row in roster_with_attendance(day=day) if row.signed_up]
    return {"day": day, "course": day.course_run.course, "rows": rows}


# --- The studio: attendance of a run's day, ticking during the day, corrections afterwards -----------


def studio_day_or_404(request: HttpRequest, run_id: int) -> InPersonDay:
    run = course_run_get_for_day(user=request.user, run_id=run_id)
    day = day_get_for_run(run=run)
    if day is None:
        raise Http404
    day.course_run = run  # read once, with its course, by the scoped selector
    return day


@login_required
def studio_day_attendance(request: HttpRequest, run_id: int) -> HttpResponse:
    day = studio_day_or_404(request, run_id)
    form = AttendanceCorrectForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "tick":
        roster_tick(request, day)
        return redirect("inperson:studio_day_attendance", run_id)
    if request.method == "POST" and form.is_valid():
        learner = get_object_or_404(User, id=form.cleaned_data["learner"])
        try:
            attendance_correct(
                by=request.user,
                day=day,
                learner=learner,
                present=form.cleaned_data["present"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The attendance of %(name)s is corrected.") % {"name": name_of(learner)})
            return redirect("inperson:studio_day_attendance", run_id)
    elif request.method == "POST":
        messages.error(request, _("Choose present or absent and say why the attendance is corrected."))
    window = day_window(day)
    now = timezone.now()
    rows = roster_with_attendance(day=day)
    context = {
        "day": day,
        "run": day.course_run,
        "course": day.course_run.course,
        "rows": rows,
        "counts": attendance_counts(rows),
        "corrections": corrections_for_day(day=day),
        "window": window,
        "can_tick": window is not None and window.holds(now),
        "can_correct": window is not None and window.opens_at <= now,
        "form": form,
    }
    return render(request, "inperson/studio/day_attendance.html", context)


@login_required
def studio_day_sheet(request: HttpRequest, run_id: int) -> HttpResponse:
    day = studio_day_or_404(request, run_id)
    return render(request, "inperson/day_sheet.html", sheet_context(day))
