"""The signed token of a one-click unsubscribe link: who (a user id) and from what (a kind of message).

Signed with the site's secret (django.core.signing) under a salt of its own, so a token made for
anything else does not pass here and nobody can make one for another person. It does not expire:
an unsubscribe link in an old email must still work (RFC 8058 asks that it keep working).
"""

from dataclasses import dataclass

from django.core import signing

SALT = "announcements.unsubscribe"


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    kind: str


def unsubscribe_token_make(*, user_id: int, kind: str) -> str:
    """Return the token that unsubscribes this user from this kind of message."""
    return signing.dumps([user_id, kind], salt=SALT, compress=False)


def unsubscribe_token_read(token: str, *, kinds: list[str]) -> Unsubscription | None:
    """Return who and what the token unsubscribes, or None when it is forged, damaged or of an unknown kind."""
    try:
        user_id, kind = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or kind not in kinds:
        return None
    return Unsubscription(user_id=user_id, kind=kind)
