"""API keys as text: making one, reading its prefix back, and its digest. No database.

A key is `ot_<prefix>_<secret>`: the prefix (12 hex digits) is stored in clear so a key can be
found and named in the studio; the secret is 256 random bits. Only the SHA-256 of the whole key is
stored: with that much randomness a slow password hash would add nothing (nobody can guess it), and
a fast digest keeps every API request cheap (docs/decisions/0034).
"""

import hashlib
import hmac
import secrets

SCHEME = "ot_"
PREFIX_LENGTH = 12
# What the studio shows of a key: the scheme and the prefix.
SHOWN_LENGTH = len(SCHEME) + PREFIX_LENGTH


def key_generate() -> str:
    """Return a new plain key."""
    return f"{SCHEME}{secrets.token_hex(PREFIX_LENGTH // 2)}_{secrets.token_urlsafe(32)}"


def key_prefix(plain: str) -> str | None:
    """Return the key's shown prefix (`ot_` and 12 hex digits), or None for text that is no key."""
    if not plain.startswith(SCHEME) or len(plain) < SHOWN_LENGTH + 2 or plain[SHOWN_LENGTH] != "_":
        return None
    prefix = plain[len(SCHEME) : SHOWN_LENGTH]
    if any(character not in "0123456789abcdef" for character in prefix):
        return None
    return plain[:SHOWN_LENGTH]


def key_digest(plain: str) -> str:
    """Return the SHA-256 of the key, in hex: what the database keeps."""
    return hashlib.sha256(plain.encode()).hexdigest()


def key_matches(plain: str, digest: str) -> bool:
    """Compare a key with a stored digest in constant time."""
    return hmac.compare_digest(key_digest(plain), digest)
