"""Sign-in with an OpenID Connect provider (VNeID, a ministry's SSO): django-allauth's provider, plus a nonce.

allauth 65.21's `openid_connect` provider checks the state (one use, bound to the session) and sends
a PKCE challenge, but it neither sends a nonce nor checks one in the ID token. This subclass, put
in place by SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"], adds both: an ID token
issued for another sign-in (replayed, or injected with a stolen code) is refused before anything
is looked up or written. It also reads the provider's "verified" claims strictly, because they
decide whether a sign-in may enter an existing account (docs/decisions/0033).
"""

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

NONCE_SALT = "onetouch.oidc.nonce"


def nonce_for_state(state_id: str) -> str:
    """Return the nonce sent with the sign-in whose state parameter is state_id.

    Derived from the state with the secret key, so nothing more is kept in the session: the state
    itself is already one use only and bound to the browser's session by allauth, and nobody
    without the key can make the nonce of a state.
    """
    return salted_hmac(NONCE_SALT, state_id, algorithm="sha256").hexdigest()


def claim_is_true(value: object) -> bool:
    """Return whether a "verified" claim says yes. OpenID Connect sends a boolean; a few providers
    send the text "true". Anything else ("false", 1, missing) is no: it could open someone's account."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def claims_of(data: dict) -> dict:
    """The user's claims in a provider's answer: the userinfo answer, else the ID token (as allauth reads them)."""
    return data.get("userinfo") or data.get("id_token") or {}


class NonceCheckingOpenIDConnectProvider(OpenIDConnectProvider):
    # allauth mounts a provider's URLs from its package: these are still openid_connect's own.
    package = "allauth.socialaccount.providers.openid_connect"
    # No sign-in by handing over an ID token (the app API's POST /_allauth/app/v1/auth/provider/token):
    # such a token carries no nonce of ours, so a token leaked from anywhere would open the account
    # until it expires, and the app would need a client of its own at the provider (docs/decisions/0038).
    supports_token_authentication = False

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        # The state is chosen here rather than by allauth, so that its nonce can go in the same request.
        state_id = kwargs.pop("state_id", None) or get_adapter(request).generate_state_param({})
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce_for_state(state_id)}
        return super().redirect(request, process, next_url, data, state_id=state_id, auth_params=auth_params, **kwargs)

    def sociallogin_from_response(self, request: HttpRequest, response: dict):
        # Called by the callback once the code was exchanged, before the account is looked up. The
        # state was checked already (an unknown one never reaches this): the ID token must carry its nonce.
        id_token = response.get("id_token") or {}
        state_id = request.GET.get("state", "")
        nonce = id_token.get("nonce")
        if not state_id or not isinstance(nonce, str) or not constant_time_compare(nonce, nonce_for_state(state_id)):
            raise PermissionDenied("The ID token's nonce is not the one sent with this sign-in.")
        userinfo = response.get("userinfo")
        if userinfo and userinfo.get("sub") != id_token.get("sub"):
            # OpenID Connect Core 5.3.2: userinfo about someone else must not be used.
            raise PermissionDenied("The userinfo answer is about another subject than the ID token.")
        return super().sociallogin_from_response(request, response)

    def extract_email_addresses(self, data: dict) -> list:
        addresses = super().extract_email_addresses(data)
        verified = claim_is_true(claims_of(data).get("email_verified"))
        for address in addresses:
            address.verified = verified
        return addresses

    def extract_common_fields(self, data: dict) -> dict:
        claims = claims_of(data)
        fields = super().extract_common_fields(data)
        # allauth normalises the phone with our account adapter's field (onetouch.forms.MobileNumberField)
        # and drops one that is no Vietnamese mobile number.
        if claims.get("phone_number"):
            fields["phone"] = str(claims["phone_number"])
            fields["phone_verified"] = claim_is_true(claims.get("phone_number_verified"))
        return fields
