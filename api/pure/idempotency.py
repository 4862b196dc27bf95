"""Idempotency keys as text: what a valid key looks like, and the digest of a request. Pure: no ORM."""

import hashlib
import json
import re

HEADER = "Idempotency-Key"
# The answer header of a write answered from its stored first answer, not run again.
REPLAYED_HEADER = "Idempotent-Replayed"
# How long a key is kept: a client retries within minutes; a day covers an outage overnight.
KEEP_HOURS = 24
# Printable ASCII without spaces, 1 to 255 characters: a UUID, a ULID or a script's own row number.
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


def key_is_valid(key: str) -> bool:
    return bool(KEY_PATTERN.match(key))


def request_digest(*, method: str, path: str, data) -> str:
    """SHA-256 of the method, the path and the body as canonical JSON (key order and spacing do not count)."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()}\n{path}\n{body}".encode()).hexdigest()
