from django.urls import include, path

from learners.urls_learning import urlpatterns as learning_urlpatterns
from learners.views import accounts as views

app_name = "learners"
urlpatterns = [
    path("", views.my_learning, name="my_learning"),
    path("profile/", views.profile_edit, name="profile"),
    path("communes/", views.commune_list, name="communes"),
    path("enrol/<slug:slug>/", views.enrolment_create_view, name="enrol"),
    path("unenrol/<slug:slug>/", views.enrolment_cancel_view, name="unenrol"),
    path("province/<str:province_code>/learners/", views.province_learner_list, name="province_learners"),
    path("", include(learning_urlpatterns)),
]
