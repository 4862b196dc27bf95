"""The addresses of in-person days, in the "inperson" namespace; the studio's are mounted at /studio/."""

from django.urls import path

from inperson.views import studio

app_name = "inperson"
urlpatterns = [
    path("studio/courses/<int:course_id>/days/", studio.studio_course_days, name="studio_course_days"),
    path("studio/runs/<int:run_id>/day/", studio.studio_day, name="studio_day"),
    path("studio/runs/<int:run_id>/day/cancel/", studio.studio_day_cancel, name="studio_day_cancel"),
]
