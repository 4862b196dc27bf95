"""The learner's in-person day page (under /learning/): the day, their seat, sign-up and cancelling.

Only learners enrolled in the day's run reach it; anyone else gets 404, as for a missing day.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inperson.models import DaySeat
from inperson.selectors.calendar import day_calendar_get
from inperson.selectors.days import day_get_for_learner, seat_get_for_learner, seat_waiting_place
from inperson.services.seats import seat_release, seat_take


@login_required
def learner_day(request: HttpRequest, day_id: int) -> HttpResponse:
    day = day_get_for_learner(learner=request.user, day_id=day_id)
    seat = seat_get_for_learner(learner=request.user, day=day)
    waiting_place = seat_waiting_place(seat=seat) if seat and seat.status == DaySeat.Status.WAITING else None
    context = {"day": day, "course": day.course_run.course, "seat": seat, "waiting_place": waiting_place}
    return render(request, "inperson/learner_day.html", context)


@require_POST
@login_required
def learner_seat_take(request: HttpRequest, day_id: int) -> HttpResponse:
    day = day_get_for_learner(learner=request.user, day_id=day_id, for_page=False)
    try:
        seat = seat_take(learner=request.user, day=day, language=request.LANGUAGE_CODE)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if seat.status == DaySeat.Status.SIGNED_UP:
            messages.success(request, _("You are signed up for the in-person day."))
        else:
            messages.info(request, _("The day is full: you are on the waiting list and will be told if a seat frees."))
    return redirect("inperson:learner_day", day.id)


@require_POST
@login_required
def learner_seat_release(request: HttpRequest, day_id: int) -> HttpResponse:
    day = day_get_for_learner(learner=request.user, day_id=day_id, for_page=False)
    try:
        seat_release(learner=request.user, day=day)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your place at the in-person day is cancelled."))
    return redirect("inperson:learner_day", day.id)


@login_required
def learner_day_calendar(request: HttpRequest, day_id: int) -> HttpResponse:
    """The day as an .ics file for the learner's calendar app ("Add to my calendar")."""
    day = day_get_for_learner(learner=request.user, day_id=day_id)
    response = HttpResponse(day_calendar_get(day=day), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="in-person-day-{day.id}.ics"'
    return response
