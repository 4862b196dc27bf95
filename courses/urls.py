from django.urls import include, path

from courses.urls_studio import urlpatterns as studio_urlpatterns
from courses.views import catalogue, covers

app_name = "courses"
urlpatterns = [
    path("", catalogue.home, name="home"),
    path("courses/", catalogue.catalogue, name="list"),
    path("courses/<slug:slug>/", catalogue.course_detail, name="detail"),
    path("courses/<slug:slug>/cover", covers.course_cover, name="cover"),
    path("studio/", include(studio_urlpatterns)),
]
