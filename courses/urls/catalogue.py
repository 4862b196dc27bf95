"""The catalogue's pages, at the site's root: the home page, the catalogue, a course's page and cover."""

from django.urls import path

from courses.views import catalogue, covers

urlpatterns = [
    path("", catalogue.home, name="home"),
    path("courses/", catalogue.catalogue, name="list"),
    path("courses/<slug:slug>/", catalogue.course_detail, name="detail"),
    path("courses/<slug:slug>/cover", covers.course_cover, name="cover"),
]
