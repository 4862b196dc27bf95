"""The addresses of in-person days, in the "inperson" namespace: the studio's under /studio/, the learner's
under /learning/days/ (after the learners app's own /learning/ addresses, which none of these shadow), the
partner trainer's under /trainer/."""

from django.urls import path

from inperson.views import checkin, learning, studio, trainer

app_name = "inperson"
urlpatterns = [
    path("studio/courses/<int:course_id>/days/", studio.studio_course_days, name="studio_course_days"),
    path("studio/runs/<int:run_id>/day/", studio.studio_day, name="studio_day"),
    path("studio/runs/<int:run_id>/day/cancel/", studio.studio_day_cancel, name="studio_day_cancel"),
    path("studio/runs/<int:run_id>/day/attendance/", checkin.studio_day_attendance, name="studio_day_attendance"),
    path("studio/runs/<int:run_id>/day/sheet/", checkin.studio_day_sheet, name="studio_day_sheet"),
    path("learning/days/<int:day_id>/", learning.learner_day, name="learner_day"),
    path("learning/days/<int:day_id>/calendar.ics", learning.learner_day_calendar, name="learner_day_calendar"),
    path("learning/days/<int:day_id>/sign-up/", learning.learner_seat_take, name="learner_seat_take"),
    path("learning/days/<int:day_id>/cancel/", learning.learner_seat_release, name="learner_seat_release"),
    path("learning/days/<int:day_id>/code/", checkin.learner_day_code, name="learner_day_code"),
    path("learning/days/<int:day_id>/code.json", checkin.learner_day_code_json, name="learner_day_code_json"),
    path("learning/days/<int:day_id>/code/print/", checkin.learner_day_code_print, name="learner_day_code_print"),
    path("trainer/", trainer.trainer_days, name="trainer_days"),
    path("trainer/days/<int:day_id>/", trainer.trainer_day_roster, name="trainer_day_roster"),
    path("trainer/days/<int:day_id>/check-in/", checkin.trainer_day_checkin, name="trainer_day_checkin"),
    path("trainer/days/<int:day_id>/check-in/scans/", checkin.trainer_day_scans, name="trainer_day_scans"),
    path("trainer/days/<int:day_id>/check-in/tick/", checkin.trainer_day_tick, name="trainer_day_tick"),
    path("trainer/days/<int:day_id>/sheet/", checkin.trainer_day_sheet, name="trainer_day_sheet"),
]
