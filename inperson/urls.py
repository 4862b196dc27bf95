"""The addresses of in-person days, in the "inperson" namespace: the studio's under /studio/, the learner's
under /learning/days/ (after the learners app's own /learning/ addresses, which none of these shadow), the
partner trainer's under /trainer/."""

from django.urls import path

from inperson.views import learning, studio, trainer

app_name = "inperson"
urlpatterns = [
    path("studio/courses/<int:course_id>/days/", studio.studio_course_days, name="studio_course_days"),
    path("studio/runs/<int:run_id>/day/", studio.studio_day, name="studio_day"),
    path("studio/runs/<int:run_id>/day/cancel/", studio.studio_day_cancel, name="studio_day_cancel"),
    path("learning/days/<int:day_id>/", learning.learner_day, name="learner_day"),
    path("learning/days/<int:day_id>/calendar.ics", learning.learner_day_calendar, name="learner_day_calendar"),
    path("learning/days/<int:day_id>/sign-up/", learning.learner_seat_take, name="learner_seat_take"),
    path("learning/days/<int:day_id>/cancel/", learning.learner_seat_release, name="learner_seat_release"),
    path("trainer/", trainer.trainer_days, name="trainer_days"),
    path("trainer/days/<int:day_id>/", trainer.trainer_day_roster, name="trainer_day_roster"),
]
