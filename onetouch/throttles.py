"""Rate limits: which address a request comes from, failed sign-ins, and lookups that find nothing.

The limits are counted by django-allauth's rate limiter (a sliding log per key in the cache, taken
under a short cache lock), with our rates from settings.ONETOUCH_RATE_LIMITS; allauth's own limits
ask client_address() too, through onetouch.adapters. Its module is internal to allauth: the pinned
version is the one these functions and their tests were written against.

Failed sign-ins are counted so that guessing is slowed and the owner is never refused
(docs/decisions/0013). A browser that signed in to an account carries a signed "known device"
cookie naming that account; its attempts are counted on their own, so nobody else's failures reach
them. Every other attempt is counted per address, per account and address, and per account.
While the cache is unreachable every count starts from zero, so the limits let requests through.
"""

import ipaddress
import secrets
from collections.abc import Callable
from functools import wraps

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "onetouch.throttles.known_device"
KNOWN_DEVICE_MAX_AGE = 365 * 24 * 3600
# A shared computer in a commune hall remembers this many accounts, the most recent first.
KNOWN_DEVICE_ACCOUNTS = 20


def client_address(request: HttpRequest) -> str:
    """Return the address of the client, trusting X-Forwarded-For only as far as our own proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        # Fewer entries than proxies: the request did not come through them, so its peer is the client.
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass
    return request.META["REMOTE_ADDR"]


def consume(request: HttpRequest, action: str, *, key: str | None = None) -> ratelimit.RateLimitUsage | None:
    """Count one request against the action's rates; None when one of them is used up."""
    return ratelimit.consume(
        request,
        app="onetouch",
        action=action,
        config=settings.ONETOUCH_RATE_LIMITS,
        key=key,
        limit_get=True,
    )


def account_digest(login: str) -> str:
    """Return a keyed digest of a login, so cookies and cache keys never carry an email or phone."""
    return salted_hmac("onetouch.throttles.account", login).hexdigest()[:32]


def sign_in_attempt_consume(request: HttpRequest, *, login: str) -> ratelimit.RateLimitUsage | None:
    """Count one sign-in attempt to login before its password is checked; None when refused.

    Roll the returned usage back when the password was right: only failures are counted.
    """
    account = account_digest(login)
    device = known_device_id(request, account)
    if device:
        return consume(request, "login_failed_known_device", key=f"{account}:{device}")
    counted = ratelimit.RateLimitUsage(usage=[])
    for action, key in (
        ("login_failed_address", None),
        # allauth's form of the address: an IPv6 client counts as its whole /64 network.
        ("login_failed_account_address", f"{account}:{ratelimit.get_ip(request)}"),
        ("login_failed_account", account),
    ):
        usage = consume(request, action, key=key)
        if usage is None:
            # A refused attempt tries no password, so it leaves no count behind.
            counted.rollback()
            return None
        counted.usage += usage.usage
    return counted


def known_device_read(request: HttpRequest) -> tuple[str, list[str]] | None:
    """Return the device id and account digests of the browser's known-device cookie, if valid."""
    value = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not value:
        return None
    try:
        device, accounts = signing.loads(value, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return device, accounts


def known_device_id(request: HttpRequest, account: str) -> str | None:
    known = known_device_read(request)
    return known[0] if known and account in known[1] else None


def known_device_remember(request: HttpRequest, response: HttpResponse, logins: list[str]) -> None:
    """Mark the browser as one where the account of these logins signed in."""
    device, accounts = known_device_read(request) or (secrets.token_urlsafe(16), [])
    signed_in = [account_digest(login) for login in logins]
    accounts = (signed_in + [account for account in accounts if account not in signed_in])[:KNOWN_DEVICE_ACCOUNTS]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps([device, accounts], salt=KNOWN_DEVICE_SALT),
        max_age=KNOWN_DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def rate_limit_not_found(action: str) -> Callable:
    """Limit a view's 404 answers per the action's rates; past them it answers 429 to everything."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            usage = consume(request, action)
            if usage is None:
                return ratelimit.respond_429(request)
            response = view(request, *args, **kwargs)
            if response.status_code != 404:
                usage.rollback()
            return response

        return limited

    return decorator
