"""The partner trainer's pages (under /trainer/): their days and each day's roster, and nothing else.

Every page reaches a day through inperson.selectors.days.day_get_for_trainer: a day the trainer is
not attached to, and every day for anyone who is not its trainer, is 404 like a missing one.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inperson.selectors.days import day_get_for_trainer, day_list_for_trainer, roster_for_day


@login_required
def trainer_days(request: HttpRequest) -> HttpResponse:
    return render(request, "inperson/trainer/day_list.html", {"days": day_list_for_trainer(user=request.user)})


@login_required
def trainer_day_roster(request: HttpRequest, day_id: int) -> HttpResponse:
    day = day_get_for_trainer(user=request.user, day_id=day_id)
    return render(request, "inperson/trainer/day_roster.html", {"day": day, "seats": roster_for_day(day=day)})
