from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from onetouch.views import health, icons, invitations

# Apps are included by their dotted path only: the project package imports no app (pyproject.toml).
# No URL serves the media folder, not even with DEBUG on: every stored file (lesson media, covers,
# certificates, exports) goes through a view that checks who asks (docs/decisions/0014).
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", icons.favicon, name="favicon"),
    # Switching language is harmless if forged, and without a CSRF token in the header the
    # visitors' pages can be cached whole (courses.views.catalogue).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # Before allauth's pages: setting a password from an invitation, and resetting one by SMS code.
    path("accounts/invitation/code/", invitations.invitation_code, name="invitation_code"),
    path("accounts/invitation/<str:token>/", invitations.invitation_link, name="invitation_link"),
    path("accounts/password/reset/phone/", invitations.password_reset_phone, name="password_reset_phone"),
    path(
        "accounts/password/reset/phone/code/",
        invitations.password_reset_phone_code,
        name="password_reset_phone_code",
    ),
    path("accounts/", include("allauth.urls")),
    # The mobile app's sign-in and its session token (allauth's headless API, docs/decisions/0037).
    path("_allauth/", include("allauth.headless.urls")),
    path("learning/", include("learners.urls.learning")),
    path("studio/preview/", include("learners.urls.preview")),
    path("studio/rosters/", include("rosters.urls")),
    path("certificates/", include("learners.urls.certificates")),
    path("statistics/", include("reporting.urls")),
    path("", include("inperson.urls")),
    path("", include("announcements.urls")),
    # The REST API and its keys' studio pages (api app, docs/decisions/0034).
    path("api/", include("api.urls.api")),
    path("studio/api-keys/", include("api.urls.studio")),
    path("admin/", admin.site.urls),
    path("", include("courses.urls")),
]
