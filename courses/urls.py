from django.urls import include, path

from courses.urls_studio import urlpatterns as studio_urlpatterns
from courses.views import catalogue

app_name = "courses"
urlpatterns = [
    path("", catalogue.home, name="home"),
    path("courses/", catalogue.catalogue, name="list"),
    path("courses/<slug:slug>/", catalogue.course_detail, name="detail"),
    path("studio/", include(studio_urlpatterns)),
]
