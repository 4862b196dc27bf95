"""The studio: authoring pages for ministry staff and provincial admins (mounted at /studio/)."""

from django.urls import include, path

from courses.views import studio_courses, studio_lessons, studio_modules, studio_questions

# The question bank of a course, its import, and the settings of quiz lessons. Their scope tests
# are in tests/courses/test_views_studio_questions.py, which checks this list is covered whole.
question_urlpatterns = [
    path("courses/<int:course_id>/questions/", studio_questions.studio_question_list, name="studio_question_list"),
    path(
        "courses/<int:course_id>/questions/new/", studio_questions.studio_question_create, name="studio_question_create"
    ),
    path(
        "courses/<int:course_id>/questions/import/",
        studio_questions.studio_question_import,
        name="studio_question_import",
    ),
    path(
        "questions/template.<str:file_format>",
        studio_questions.studio_question_template,
        name="studio_question_template",
    ),
    path("questions/<int:question_id>/", studio_questions.studio_question_edit, name="studio_question_edit"),
    path(
        "questions/<int:question_id>/deactivate/",
        studio_questions.studio_question_deactivate,
        name="studio_question_deactivate",
    ),
    path(
        "questions/<int:question_id>/activate/",
        studio_questions.studio_question_activate,
        name="studio_question_activate",
    ),
    path("questions/<int:question_id>/delete/", studio_questions.studio_question_delete, name="studio_question_delete"),
    path("lessons/<int:lesson_id>/quiz/", studio_questions.studio_quiz_settings, name="studio_quiz_settings"),
]

urlpatterns = [
    path("", studio_courses.studio_home, name="studio_home"),
    path("courses/new/", studio_courses.studio_course_create, name="studio_course_create"),
    path("courses/<int:course_id>/", studio_courses.studio_course, name="studio_course"),
    path("courses/<int:course_id>/edit/", studio_courses.studio_course_edit, name="studio_course_edit"),
    path("courses/<int:course_id>/preview/", studio_courses.studio_course_preview, name="studio_course_preview"),
    path("courses/<int:course_id>/publish/", studio_courses.studio_course_publish, name="studio_course_publish"),
    path("courses/<int:course_id>/unpublish/", studio_courses.studio_course_unpublish, name="studio_course_unpublish"),
    path("courses/<int:course_id>/modules/new/", studio_modules.studio_module_create, name="studio_module_create"),
    path("courses/<int:course_id>/modules/order/", studio_modules.studio_module_reorder, name="studio_module_reorder"),
    path("modules/<int:module_id>/edit/", studio_modules.studio_module_edit, name="studio_module_edit"),
    path("modules/<int:module_id>/delete/", studio_modules.studio_module_delete, name="studio_module_delete"),
    path("modules/<int:module_id>/move/", studio_modules.studio_module_move, name="studio_module_move"),
    path("modules/<int:module_id>/lessons/new/", studio_lessons.studio_lesson_create, name="studio_lesson_create"),
    path("modules/<int:module_id>/lessons/order/", studio_lessons.studio_lesson_reorder, name="studio_lesson_reorder"),
    path("lessons/<int:lesson_id>/", studio_lessons.studio_lesson, name="studio_lesson"),
    path("lessons/<int:lesson_id>/file/", studio_lessons.studio_lesson_upload, name="studio_lesson_upload"),
    path("lessons/<int:lesson_id>/captions/", studio_lessons.studio_lesson_captions, name="studio_lesson_captions"),
    path("lessons/<int:lesson_id>/retry/", studio_lessons.studio_lesson_retry, name="studio_lesson_retry"),
    path("lessons/<int:lesson_id>/publish/", studio_lessons.studio_lesson_publish, name="studio_lesson_publish"),
    path("lessons/<int:lesson_id>/unpublish/", studio_lessons.studio_lesson_unpublish, name="studio_lesson_unpublish"),
    path("lessons/<int:lesson_id>/move/", studio_lessons.studio_lesson_move, name="studio_lesson_move"),
    path("lessons/<int:lesson_id>/delete/", studio_lessons.studio_lesson_delete, name="studio_lesson_delete"),
    path("", include(question_urlpatterns)),
]
