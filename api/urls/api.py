"""The REST API, mounted at /api/: version 1's endpoints, the schema and the docs.

Every route here has its line in tests/api/test_scope_table.py, which fails for a route without one.
Write endpoints (enrolments, attendance) and the events feed come under v1 the same way.
"""

from django.urls import path, re_path

from api.problems import not_found
from api.views import attendance as attendance_views
from api.views import completions as completion_views
from api.views import courses, days, docs
from api.views import enrolments as enrolment_views
from api.views import me as me_views
from api.views import statistics as statistics_views

app_name = "api"

urlpatterns = [
    path("v1/courses/", courses.CourseList.as_view(), name="course_list"),
    path("v1/courses/<slug:slug>/", courses.CourseDetail.as_view(), name="course_detail"),
    # Reads of a province's learners (issue 18, h18b-reads).
    path("v1/completions/", completion_views.CompletionFeed.as_view(), name="completion_feed"),
    # GET a course's enrolments (docs/decisions/0036); POST enrols officials (0035).
    path("v1/enrolments/", enrolment_views.EnrolmentCollection.as_view(), name="enrolments"),
    path("v1/statistics/", statistics_views.Statistics.as_view(), name="statistics"),
    # In-person days (docs/decisions/0037): the key's days, and one day's attendance.
    path("v1/days/", days.DayList.as_view(), name="day_list"),
    path("v1/days/<int:day_id>/", days.DayDetail.as_view(), name="day_detail"),
    # A signed-in learner's own (docs/decisions/0038): a session or the app's X-Session-Token, never a key.
    path("v1/me/", me_views.Me.as_view(), name="me"),
    path("v1/me/enrolments/", me_views.MyEnrolmentCollection.as_view(), name="my_enrolments"),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(url_name="api:schema"), name="docs"),
    # Writes (docs/decisions/0035): idempotent through the Idempotency-Key header.
    path(
        "v1/days/<int:day_id>/attendance/", attendance_views.DayAttendanceCreate.as_view(), name="day_attendance_create"
    ),
    # Anything else under /api/ answers the same problem as a missing id.
    # Any character, a line break (%0A) too: `.` stops there and Django's HTML 404 would answer.
    re_path(r"^[\s\S]*$", not_found, name="not_found"),
]
