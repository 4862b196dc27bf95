"""A real OpenID Connect provider on 127.0.0.1 for the single sign-on tests: oidc-provider-mock.

The provider is a Flask app (authlib underneath) served by werkzeug in a thread. It accepts any
client id and secret, takes the user's claims from PUT /users/<sub> and signs in whichever subject
its authorize form is given. It requires a nonce in every authorization request and puts it in the
ID token, as VNeID's must. It does not check PKCE itself, so every token request it receives is
recorded here for the tests to check the verifier against the challenge.
"""

import base64
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import parse_qs, quote

import httpx
import oidc_provider_mock
import werkzeug.serving

PROVIDER_ID = "vneid"
CLIENT_ID = "onetouch-test-client"
CLIENT_SECRET = "onetouch-test-secret"


@dataclass
class RunningProvider:
    issuer: str
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def user_set(self, sub: str, **claims) -> None:
        """Give the subject these claims (email, email_verified, phone_number, name…)."""
        response = httpx.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims)
        assert response.status_code == 204, response.text


def pkce_challenge_of(verifier: str) -> str:
    """RFC 7636's S256: the challenge a verifier answers."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


@contextmanager
def provider_running() -> Iterator[RunningProvider]:
    """Start the provider on a free port of 127.0.0.1; stop it after."""
    app = oidc_provider_mock.app(require_nonce=True)
    holder: dict[str, RunningProvider] = {}

    def recording(environ, start_response):
        # The body of a token request is read here and handed on unchanged.
        if environ.get("PATH_INFO") == "/oauth2/token":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            holder["provider"].token_requests.append({k: v[0] for k, v in parse_qs(body.decode()).items()})
            environ["wsgi.input"] = BytesIO(body)
        return app(environ, start_response)

    server = werkzeug.serving.make_server("127.0.0.1", 0, recording, threaded=True)
    holder["provider"] = RunningProvider(issuer=f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield holder["provider"]
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def provider_configure(settings, issuer: str, *, button_label: str = "") -> None:
    """Configure the platform for the provider as OIDC_ISSUER_URL & co. do (onetouch/settings/base.py)."""
    providers = {key: dict(value) for key, value in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["openid_connect"]["APPS"] = [
        {
            "provider_id": PROVIDER_ID,
            "name": "VNeID",
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "settings": {
                "server_url": issuer,
                "scope": ["openid", "profile", "email", "phone"],
                "oauth_pkce_enabled": True,
                "button_label": button_label,
            },
        }
    ]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    policy = {
        key: dict(value) if isinstance(value, dict) else value
        for key, value in settings.CONTENT_SECURITY_POLICY.items()
    }
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], issuer]
    settings.CONTENT_SECURITY_POLICY = policy
    # Test servers speak plain HTTP; production builds the callback address with https.
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
