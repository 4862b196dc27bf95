"""The learner's pages (mounted under /learning/): My learning, profile, enrolment, lessons, quizzes,
progress heartbeats and lesson media."""

from django.urls import path

from learners.views import accounts, learning, quiz

app_name = "learners"
urlpatterns = [
    path("", accounts.my_learning, name="my_learning"),
    path("profile/", accounts.profile_edit, name="profile"),
    path("communes/", accounts.commune_list, name="communes"),
    path("enrol/<slug:slug>/", accounts.enrolment_create_view, name="enrol"),
    path("unenrol/<slug:slug>/", accounts.enrolment_cancel_view, name="unenrol"),
    path("province/<str:province_code>/learners/", accounts.province_learner_list, name="province_learners"),
    path("courses/<slug:course_slug>/<int:lesson_id>/", learning.lesson_page, name="lesson"),
    path("courses/<slug:course_slug>/<int:lesson_id>/done/", learning.lesson_complete, name="lesson_complete"),
    path("courses/<slug:course_slug>/<int:lesson_id>/outline/", learning.lesson_outline, name="lesson_outline"),
    path("courses/<slug:course_slug>/<int:lesson_id>/slide/", learning.lesson_slide_seen, name="lesson_slide"),
    path("courses/<slug:course_slug>/<int:lesson_id>/download/", learning.lesson_download, name="lesson_download"),
    path("courses/<slug:course_slug>/<int:lesson_id>/quiz/start/", quiz.quiz_start, name="quiz_start"),
    path("quiz/attempts/<int:attempt_id>/", quiz.quiz_attempt, name="quiz_attempt"),
    path("quiz/attempts/<int:attempt_id>/answer/", quiz.quiz_answer, name="quiz_answer"),
    path("quiz/attempts/<int:attempt_id>/status/", quiz.quiz_status, name="quiz_status"),
    path("quiz/attempts/<int:attempt_id>/submit/", quiz.quiz_submit, name="quiz_submit"),
    path("quiz/attempts/<int:attempt_id>/result/", quiz.quiz_result, name="quiz_result"),
    path("save-data/", learning.save_data_choose_view, name="save_data"),
    path("heartbeat/", learning.lesson_heartbeat, name="lesson_heartbeat"),
    path("media/<int:lesson_id>/<path:name>", learning.lesson_media, name="lesson_media"),
]
