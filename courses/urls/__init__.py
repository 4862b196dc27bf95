"""The addresses of courses, all in the "courses" namespace: one module per mount point.

The catalogue (urls/catalogue.py) is mounted at the site's root, the studio (urls/studio.py) at /studio/.
"""

from django.urls import include, path

app_name = "courses"
urlpatterns = [
    path("", include("courses.urls.catalogue")),
    path("studio/", include("courses.urls.studio")),
]
