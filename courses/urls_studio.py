"""The studio: authoring pages for ministry staff and provincial admins (mounted at /studio/)."""

from django.urls import path

from courses.views import studio

urlpatterns = [
    path("", studio.studio_home, name="studio_home"),
    path("courses/new/", studio.studio_course_create, name="studio_course_create"),
    path("courses/<int:course_id>/", studio.studio_course, name="studio_course"),
    path("courses/<int:course_id>/edit/", studio.studio_course_edit, name="studio_course_edit"),
    path("courses/<int:course_id>/preview/", studio.studio_course_preview, name="studio_course_preview"),
    path("courses/<int:course_id>/publish/", studio.studio_course_publish, name="studio_course_publish"),
    path("courses/<int:course_id>/unpublish/", studio.studio_course_unpublish, name="studio_course_unpublish"),
    path("courses/<int:course_id>/modules/new/", studio.studio_module_create, name="studio_module_create"),
    path("courses/<int:course_id>/modules/order/", studio.studio_module_reorder, name="studio_module_reorder"),
    path("modules/<int:module_id>/edit/", studio.studio_module_edit, name="studio_module_edit"),
    path("modules/<int:module_id>/delete/", studio.studio_module_delete, name="studio_module_delete"),
    path("modules/<int:module_id>/move/", studio.studio_module_move, name="studio_module_move"),
    path("modules/<int:module_id>/lessons/new/", studio.studio_lesson_create, name="studio_lesson_create"),
    path("modules/<int:module_id>/lessons/order/", studio.studio_lesson_reorder, name="studio_lesson_reorder"),
    path("lessons/<int:lesson_id>/", studio.studio_lesson, name="studio_lesson"),
    path("lessons/<int:lesson_id>/file/", studio.studio_lesson_upload, name="studio_lesson_upload"),
    path("lessons/<int:lesson_id>/captions/", studio.studio_lesson_captions, name="studio_lesson_captions"),
    path("lessons/<int:lesson_id>/retry/", studio.studio_lesson_retry, name="studio_lesson_retry"),
    path("lessons/<int:lesson_id>/publish/", studio.studio_lesson_publish, name="studio_lesson_publish"),
    path("lessons/<int:lesson_id>/unpublish/", studio.studio_lesson_unpublish, name="studio_lesson_unpublish"),
    path("lessons/<int:lesson_id>/move/", studio.studio_lesson_move, name="studio_lesson_move"),
    path("lessons/<int:lesson_id>/delete/", studio.studio_lesson_delete, name="studio_lesson_delete"),
]
