from django.urls import path

from courses import views

app_name = "courses"
urlpatterns = [
    path("", views.home, name="home"),
    path("courses/", views.catalogue, name="list"),
    path("courses/<slug:slug>/", views.course_detail, name="detail"),
]
