"""Learning pages: lessons, progress heartbeats and lesson media (mounted under /learning/)."""

from django.urls import path

from learners.views import learning

urlpatterns: list = [
    path("courses/<slug:course_slug>/<int:lesson_id>/", learning.lesson_page, name="lesson"),
    path("courses/<slug:course_slug>/<int:lesson_id>/done/", learning.lesson_complete, name="lesson_complete"),
    path("courses/<slug:course_slug>/<int:lesson_id>/download/", learning.lesson_download, name="lesson_download"),
    path("heartbeat/", learning.lesson_heartbeat, name="lesson_heartbeat"),
    path("media/<int:lesson_id>/<path:name>", learning.lesson_media, name="lesson_media"),
]
