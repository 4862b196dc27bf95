"""The studio's learner preview (mounted under /studio/preview/): see learners/views/preview.py."""

from django.urls import path

from learners.views import preview as views

app_name = "studio_preview"
urlpatterns = [
    path("courses/<int:course_id>/", views.course_preview, name="course"),
    path("courses/<int:course_id>/frame/", views.course_preview_frame, name="course_frame"),
    path("lessons/<int:lesson_id>/", views.lesson_preview, name="lesson"),
    path("lessons/<int:lesson_id>/frame/", views.lesson_preview_frame, name="lesson_frame"),
]
