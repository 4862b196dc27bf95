"""Who may call an endpoint, beyond being authenticated (DRF's IsAuthenticated, the default)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request


class LearnerOnly(PermissionDenied):
    default_detail = _(
        "These endpoints are a learner's own: sign in with your account (the site's session, or the app's"
        " X-Session-Token), not with an API key."
    )
    default_code = "learner-only"


class IsSignedInPerson(IsAuthenticated):
    """A person signed in as themselves (a session or the app's session token), never an API key.

    A key's requester is an unsaved user with no id (api.authentication): it has no enrolments of
    its own, and enrolling "itself" would write a row for nobody. Refused with a 403 problem that
    says why rather than an empty list, so an integrator sees the mistake at once.
    """

    def has_permission(self, request: Request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.user.pk is None:
            raise LearnerOnly
        return True
