"""The completions feed's cursor as text: opaque to the client, two numbers inside.

Not signed: a hand-made cursor only moves the reader within what its key may read anyway. What
cannot be read back is refused (the view answers a 400 problem on `since`).
"""

import base64
import binascii

PREFIX = "f1"


def feed_cursor_text(transaction: int, event_id: int) -> str:
    raw = f"{PREFIX}.{transaction}.{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def feed_cursor_read(text: str) -> tuple[int, int] | None:
    """Return (transaction, event id) of a cursor this API gave out, or None for anything else."""
    if not text or len(text) > 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    parts = raw.split(".")
    if len(parts) != 3 or parts[0] != PREFIX or not all(part.isdigit() for part in parts[1:]):
        return None
    transaction, event_id = int(parts[1]), int(parts[2])
    if transaction >= 2**63 or event_id >= 2**63:
        return None
    return transaction, event_id
