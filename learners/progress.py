"""Watched-interval arithmetic and heartbeat checks: pure functions, no ORM.

A video's progress is a list of merged, sorted, disjoint intervals in seconds, each inside
[0, duration]. What the browser reports is never trusted: an interval must be a pair of finite
numbers with start < end, none may begin below zero or end beyond the duration (a little
tolerance for players that report a fraction of a second past the end), and one heartbeat may
add no more newly watched seconds than the wall time since the previous one allows at the fastest
playback rate. A video completes only when both a share of it was watched and its last seconds
were reached, so neither one "100%" nor a seek to the end completes it.
"""

import math
import time
from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext_lazy as _

Interval = tuple[float, float]

# The most intervals one heartbeat may carry (a heartbeat every ~10 s holds one or two).
MAX_INTERVALS_PER_HEARTBEAT = 50
# The most slide pages one heartbeat may report.
MAX_PAGES_PER_HEARTBEAT = 500
# Players report currentTime a little past the duration measured by ffprobe.
DURATION_TOLERANCE_SECONDS = 1.0
# Browsers play at up to 2×; the slack absorbs network jitter between two heartbeats.
PLAYBACK_RATE_MAX = 2.0
WALL_TIME_SLACK_SECONDS = 5.0
# "The last seconds": the end must be reached within min(5 s, 5 % of the duration).
END_MARGIN_SECONDS = 5.0
END_MARGIN_SHARE = 0.05


# The heartbeat token: signed with SECRET_KEY under its own salt, so no other signed value of
# the site can stand in for it; a page left open longer than this must be reloaded.
HEARTBEAT_TOKEN_SALT = "learners.progress.heartbeat"
HEARTBEAT_TOKEN_MAX_AGE_SECONDS = 12 * 3600


class HeartbeatRefused(ValueError):
    """A heartbeat that is malformed or claims what cannot have happened; nothing is recorded."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class HeartbeatForbidden(HeartbeatRefused):
    """A heartbeat whose token is forged, expired, or no longer matches an enrolment or the lesson."""


@dataclass(frozen=True)
class HeartbeatClaim:
    """What a lesson page's token says: whose progress row, for which lesson and video, since when."""

    progress_id: int
    learner_id: int
    lesson_id: int
    duration: float | None
    issued_at: float


def heartbeat_token_make(
    *, progress_id: int, learner_id: int, lesson_id: int, duration: float | None, issued_at: float | None = None
) -> str:
    """Return the signed token a lesson page hands its player, bound to one learner and lesson."""
    claim = {
        "p": progress_id,
        "u": learner_id,
        "l": lesson_id,
        "d": duration,
        "t": time.time() if issued_at is None else issued_at,
    }
    return signing.dumps(claim, salt=HEARTBEAT_TOKEN_SALT)


def heartbeat_token_read(token: object) -> HeartbeatClaim:
    """Return the claim of a genuine, unexpired token, else refuse."""
    if not isinstance(token, str) or len(token) > 500:
        raise HeartbeatForbidden(_("This page has expired; reload it to keep saving your progress."))
    try:
        claim = signing.loads(token, salt=HEARTBEAT_TOKEN_SALT, max_age=HEARTBEAT_TOKEN_MAX_AGE_SECONDS)
        return HeartbeatClaim(
            progress_id=int(claim["p"]),
            learner_id=int(claim["u"]),
            lesson_id=int(claim["l"]),
            duration=None if claim["d"] is None else float(claim["d"]),
            issued_at=float(claim["t"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise HeartbeatForbidden(_("This page has expired; reload it to keep saving your progress.")) from error


@dataclass(frozen=True)
class VideoHeartbeat:
    """The outcome of applying one heartbeat to a video's progress."""

    intervals: list[Interval]
    watched_seconds: float
    added_seconds: float
    position_seconds: float | None  # None: the report said nothing about where the player is
    is_complete: bool


def number_parse(value: object) -> float:
    """Return a finite float from a JSON number (not a bool, not a string), else refuse."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HeartbeatRefused(_("The progress report is malformed."))
    number = float(value)
    if not math.isfinite(number):
        raise HeartbeatRefused(_("The progress report is malformed."))
    return number


def intervals_parse(raw: object, *, max_count: int = MAX_INTERVALS_PER_HEARTBEAT) -> list[Interval]:
    """Return the reported intervals as float pairs, refusing any malformed or backwards one."""
    if not isinstance(raw, list) or len(raw) > max_count:
        raise HeartbeatRefused(_("The progress report is malformed."))
    intervals = []
    for item in raw:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise HeartbeatRefused(_("The progress report is malformed."))
        start, end = number_parse(item[0]), number_parse(item[1])
        if not start < end:
            raise HeartbeatRefused(_("The progress report is malformed."))
        intervals.append((start, end))
    return intervals


def intervals_merge(intervals: list[Interval]) -> list[Interval]:
    """Return the intervals sorted, with overlapping and touching ones joined."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intervals_clamp(intervals: list[Interval], *, duration: float) -> list[Interval]:
    """Return the intervals cut to [0, duration], dropping what lies wholly outside."""
    clamped = []
    for start, end in intervals:
        start, end = max(0.0, start), min(duration, end)
        if start < end:
            clamped.append((start, end))
    return clamped


def intervals_total(intervals: list[Interval]) -> float:
    """Return the seconds covered by merged (disjoint) intervals."""
    return sum(end - start for start, end in intervals)


def intervals_check_inside(intervals: list[Interval], *, duration: float) -> None:
    """Refuse intervals that begin before zero or end beyond the video's duration."""
    for start, end in intervals:
        if start < 0 or end > duration + DURATION_TOLERANCE_SECONDS:
            raise HeartbeatRefused(_("The progress report does not match this video."))


def wall_time_allowance(elapsed_seconds: float) -> float:
    """Return the most newly watched seconds that `elapsed_seconds` of wall time can hold."""
    return max(0.0, elapsed_seconds) * PLAYBACK_RATE_MAX + WALL_TIME_SLACK_SECONDS


def end_margin(duration: float) -> float:
    """Return how close to the end the watched intervals must reach."""
    return min(END_MARGIN_SECONDS, END_MARGIN_SHARE * duration)


def video_is_complete(intervals: list[Interval], *, duration: float, share: float) -> bool:
    """Return whether enough was watched and the last seconds were reached."""
    if duration <= 0 or not intervals:
        return False
    watched_enough = intervals_total(intervals) >= share * duration
    reached_end = max(end for _, end in intervals) >= duration - end_margin(duration)
    return watched_enough and reached_end


def video_heartbeat_apply(
    *,
    known: list[Interval],
    reported: object,
    position: object,
    duration: float,
    elapsed_seconds: float,
    share: float,
) -> VideoHeartbeat:
    """Merge a heartbeat's intervals into the known ones, or refuse it whole."""
    if not duration or duration <= 0:
        raise HeartbeatRefused(_("This lesson has no video to watch yet."))
    new = intervals_parse(reported)
    intervals_check_inside(new, duration=duration)
    position_seconds = number_parse(position) if position is not None else None
    if position_seconds is not None and not 0 <= position_seconds <= duration + DURATION_TOLERANCE_SECONDS:
        raise HeartbeatRefused(_("The progress report does not match this video."))
    before = intervals_merge(intervals_clamp([tuple(pair) for pair in known], duration=duration))
    after = intervals_merge(before + intervals_clamp(new, duration=duration))
    watched_before, watched_after = intervals_total(before), intervals_total(after)
    added = watched_after - watched_before
    if added > wall_time_allowance(elapsed_seconds):
        raise HeartbeatRefused(_("The progress report claims more than the time since the last one allows."))
    if position_seconds is None and new:
        position_seconds = max(end for _, end in new)
    return VideoHeartbeat(
        intervals=after,
        watched_seconds=watched_after,
        added_seconds=added,
        position_seconds=None if position_seconds is None else min(position_seconds, duration),
        is_complete=video_is_complete(after, duration=duration, share=share),
    )


def pages_parse(raw: object, *, page_count: int | None) -> list[int]:
    """Return the reported slide page numbers, refusing any outside 1..page_count."""
    if not page_count or not isinstance(raw, list) or len(raw) > MAX_PAGES_PER_HEARTBEAT:
        raise HeartbeatRefused(_("The progress report is malformed."))
    pages = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= page_count:
            raise HeartbeatRefused(_("The progress report does not match these slides."))
        pages.append(item)
    return pages


def pages_merge(known: list[int], new: list[int]) -> list[int]:
    """Return the sorted set of pages seen."""
    return sorted(set(known) | set(new))


def slides_are_complete(pages: list[int], *, page_count: int | None) -> bool:
    """Return whether every page of the deck was viewed."""
    return bool(page_count) and set(range(1, page_count + 1)) <= set(pages)


def resume_position(position: float, *, duration: float | None) -> int:
    """Return the whole second the player starts at: the saved position, or 0 near the end."""
    if not duration or position <= 0 or position >= duration - end_margin(duration):
        return 0
    return int(position)
