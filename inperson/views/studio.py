"""Studio pages of in-person days: a course's runs and their days, a day's schedule or change, its cancellation.

Every page reaches its course or run through inperson.selectors.days, which asks onetouch.scope: a
run of another province, or a national course for a provincial admin, is 404 like a missing one,
and so is every run for an account without a province scope (learners, trainers).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from courses.forms.studio import form_error_add
from inperson.forms import SERVICE_FIELDS, DayCancelForm, DayForm
from inperson.selectors.days import course_get_with_days, course_run_get_for_day, day_get_for_run, day_history
from inperson.services.days import day_cancel, day_change, day_schedule


@login_required
def studio_course_days(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_with_days(user=request.user, course_id=course_id)
    return render(request, "inperson/studio/course_days.html", {"course": course})


@login_required
def studio_day(request: HttpRequest, run_id: int) -> HttpResponse:
    run = course_run_get_for_day(user=request.user, run_id=run_id)
    day = day_get_for_run(run=run)
    history = day_history(day=day) if day else []
    if day is not None and day.is_cancelled:
        context = {"run": run, "course": run.course, "day": day, "history": history}
        return render(request, "inperson/studio/day_cancelled.html", context)
    initial = DayForm.initial_for(day) if day else {}
    form = DayForm(request.POST or None, course=run.course, day=day, initial=initial)
    if request.method == "POST" and not request.POST.get("choose_province") and form.is_valid():
        try:
            if day is None:
                day_schedule(by=request.user, course_run=run, **form.service_fields())
            else:
                day_change(by=request.user, day=day, **form.service_fields())
        except ValidationError as error:
            form_error_add(form, service_error_on_form(error))
        else:
            messages.success(request, _("The in-person day is saved."))
            return redirect("inperson:studio_course_days", run.course_id)
    context = {"run": run, "course": run.course, "day": day, "form": form, "history": history}
    return render(request, "inperson/studio/day_form.html", context)


@login_required
def studio_day_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = course_run_get_for_day(user=request.user, run_id=run_id)
    day = day_get_for_run(run=run)
    if day is None or day.is_cancelled:
        return redirect("inperson:studio_day", run.id)
    form = DayCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            day_cancel(by=request.user, day=day, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The in-person day is cancelled. Its history is kept."))
            return redirect("inperson:studio_course_days", run.course_id)
    return render(
        request, "inperson/studio/day_cancel.html", {"run": run, "course": run.course, "day": day, "form": form}
    )


def service_error_on_form(error: ValidationError) -> ValidationError:
    """Name the form's fields in a service's refusal (the service speaks of moments, the form of date and hours)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {SERVICE_FIELDS.get(field, field): messages_ for field, messages_ in error.message_dict.items()}
    )
