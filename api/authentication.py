"""Who calls the API: an API key in `Authorization: Bearer <key>`, resolved to a requester.

The requester is an unsaved User carrying the role and province the key stands for, so that
onetouch.scope decides what it sees exactly as for a person of that role:

- a province's key: a provincial admin of that province;
- the ministry's key: ministry staff;
- a partner organisation's key: a partner trainer, who has no province scope (the partner's own
  in-person days are read by partner, as the trainer pages read them by trainer).

It has no id and owns nothing: a learner's own endpoints (/api/v1/me/…) refuse it (api.permissions).
Signed-in people come as themselves: through DRF's SessionAuthentication (CSRF checked for writes),
or, from the mobile app, with the session token of allauth's headless sign-in in `X-Session-Token`
(SessionTokenAuthentication; no CSRF: no browser sends that header by itself).
"""

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from api.models import ApiKey
from api.selectors.keys import api_key_find
from api.services.keys import api_key_used
from onetouch.models import User

KEYWORD = "Bearer"

REQUESTER_ROLE = {
    ApiKey.Kind.PROVINCE: User.Role.PROVINCIAL_ADMIN,
    ApiKey.Kind.MINISTRY: User.Role.MINISTRY_STAFF,
    ApiKey.Kind.PARTNER: User.Role.PARTNER_TRAINER,
}


class KeyRefused(exceptions.AuthenticationFailed):
    """A key that was sent but cannot be used; `code` names the problem type (api.problems)."""


def requester_for_key(key: ApiKey) -> User:
    """Return the unsaved user a key stands for (see the module's docstring)."""
    requester = User(
        role=REQUESTER_ROLE[key.kind],
        scope_province_id=key.province_id,
        full_name=key.name,
        is_active=True,
    )
    requester.api_key_id = key.id
    requester.api_partner_id = key.partner_id
    return requester


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`; no header at all leaves the request to the next authenticator."""

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise KeyRefused(_("Send the key in the Authorization header, after “Bearer ”."), code="key-malformed")
        try:
            plain = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise KeyRefused(_("This API key is not valid."), code="key-invalid") from None
        key = api_key_find(plain=plain)
        if key is None:
            raise KeyRefused(_("This API key is not valid."), code="key-invalid")
        if key.is_revoked:
            raise KeyRefused(_("This API key was revoked."), code="key-revoked")
        if key.is_expired():
            raise KeyRefused(_("This API key has expired."), code="key-expired")
        api_key_used(key=key)
        return requester_for_key(key), key

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's `X-Session-Token` (the app's sign-in, docs/decisions/0038); a token that was sent but
    is no session any more (signed out, expired, made up) is refused with the `session-invalid`
    problem instead of being treated as no credentials at all."""

    def authenticate(self, request: Request) -> tuple[User, object] | None:
        token = self.get_session_token(request)
        if not token:
            return None
        authenticated = super().authenticate(request)
        if authenticated is None:
            raise exceptions.AuthenticationFailed(
                _("Your session is not valid: sign in again."), code="session-invalid"
            )
        return authenticated
