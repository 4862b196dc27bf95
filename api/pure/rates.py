"""The API's rate, written amount/period ("600/m", "10/30s"), as a number of requests per window."""

from dataclasses import dataclass

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rate:
    limit: int
    window_seconds: int


def rate_parse(text: str) -> Rate:
    """Read "600/m" (600 a minute) or "100/10s" (100 every ten seconds)."""
    amount, period = text.split("/")
    multiple = int(period[:-1]) if period[:-1] else 1
    return Rate(limit=int(amount), window_seconds=multiple * UNIT_SECONDS[period[-1]])
