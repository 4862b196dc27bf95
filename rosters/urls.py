"""The addresses of roster imports, in the "rosters" namespace, under /studio/rosters/."""

from django.urls import path

from rosters.views import studio

app_name = "rosters"
urlpatterns = [
    path("", studio.roster_home, name="home"),
    path("template.xlsx", studio.roster_template, name="template"),
    path("runs/<int:run_id>/", studio.roster_upload, name="upload"),
    path("<int:import_id>/", studio.roster_detail, name="detail"),
    path("<int:import_id>/progress/", studio.roster_progress, name="progress"),
    path("<int:import_id>/decide/", studio.roster_decide, name="decide"),
    path("<int:import_id>/confirm/", studio.roster_confirm, name="confirm"),
    path("<int:import_id>/report.xlsx", studio.roster_report, name="report"),
]
