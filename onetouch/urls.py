from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from onetouch import views

# Apps are included by their dotted path only: the project package imports no app (pyproject.toml).
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("learning/", include("learners.urls")),
    path("admin/", admin.site.urls),
    path("", include("courses.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
