"""Completion arithmetic and the heartbeat token: pure functions, no ORM.

A video's progress is a list of merged, sorted, disjoint intervals in seconds, each inside
[0, duration]. What the browser reports is never trusted: an interval must be a pair of finite
numbers with start < end, none may begin below zero or end beyond the duration (a little
tolerance for players that report a fraction of a second past the end), and the seconds watched
in all may never pass the watch allowance: the real time since the lesson page was opened at the
fastest playback rate, plus one fixed slack (`watch_allowance_renew`), however many heartbeats
carry them. A video completes only when both a share of it was watched and its last seconds were
reached, so neither one "100%" nor a seek to the end completes it.

Each answer to a video's report carries a new token holding what the progress row then held (its
intervals, its watch allowance and when that was set, when the report was written: `VideoRowState`),
so the next report can be checked without reading the row; the database then writes it only if the
row still holds exactly that (docs/decisions/0045).

A slide page counts as seen only once it was shown for a few seconds by the server's clock
(`slide_show`); a text or document lesson may be marked read only once a share of its estimated
reading time has passed since it was opened (`reading_wait_seconds`).
"""

import math
import re
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

Interval = tuple[float, float]

# The most intervals one heartbeat may carry (a heartbeat every ~10 s holds one or two).
MAX_INTERVALS_PER_HEARTBEAT = 50
# Players report currentTime a little past the duration measured by ffprobe.
DURATION_TOLERANCE_SECONDS = 1.0
# Browsers' players offer up to 2×. The slack, granted once per opening of the page and never
# per heartbeat, absorbs the time between the page's rendering and the first second played.
PLAYBACK_RATE_MAX = 2.0
WALL_TIME_SLACK_SECONDS = 5.0
# "The last seconds": the end must be reached within min(5 s, 5 % of the duration).
END_MARGIN_SECONDS = 5.0
END_MARGIN_SHARE = 0.05


# The heartbeat token: signed with SECRET_KEY under its own salt, so no other signed value of
# the site can stand in for it; a page left open longer than this must be reloaded. It names the
# session it was issued in by a keyed hash (the page must not show the session key itself).
# The salts keep the module's first name: changing them would void every page open now.
# Salts name what is signed (Django signing); the secret is SECRET_KEY.
HEARTBEAT_TOKEN_SALT = "learners.progress.heartbeat"  # noqa: S105
HEARTBEAT_SESSION_SALT = "learners.progress.heartbeat.session"
HEARTBEAT_TOKEN_MAX_AGE_SECONDS = 12 * 3600
# The longest token read. An answer's token carrying the row's state stays well under it: one whose
# intervals would not fit (a learner who skipped around a great deal) is sent without the state,
# and the next report reads the row.
HEARTBEAT_TOKEN_MAX_CHARS = 2000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class HeartbeatRefused(ValueError):
    """A heartbeat that is malformed or claims what cannot have happened; nothing is recorded."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class HeartbeatForbidden(HeartbeatRefused):
    """A heartbeat whose token is forged, expired, or no longer matches an enrolment or the lesson."""


@dataclass(frozen=True)
class VideoRowState:
    """What a video's progress row held when a report was written: the next report is checked against it.

    Signed into the answer's token, it is as trustworthy as the row it was copied from, for as long as
    the row still holds it: the write of the next report is conditioned on `last_heartbeat_at`,
    `watch_allowance_at` and completion being unchanged (every write of the intervals sets
    `last_heartbeat_at`; every opening of the page sets `watch_allowance_at`).
    """

    intervals: list[Interval]
    last_heartbeat_at: datetime
    allowance_seconds: float
    allowance_at: datetime
    is_completed: bool


@dataclass(frozen=True)
class HeartbeatClaim:
    """What a lesson page's token says: whose progress row, for which lesson and video, in which session.

    `opened_at` (seconds since the epoch) is when the page was opened: the tokens of its answers
    hold twelve hours from then, as the page's own does. `video`: the row's state when the last
    report was written, carried by an answer's token (None in the page's token).
    """

    progress_id: int
    learner_id: int
    lesson_id: int
    duration: float | None
    session_hash: str
    opened_at: float
    video: VideoRowState | None = None

    def is_for_session(self, session_key: str | None) -> bool:
        """Return whether the report comes with the session cookie the token was issued under."""
        return bool(session_key) and constant_time_compare(self.session_hash, session_hash(session_key))

    def with_video(self, video: VideoRowState | None) -> "HeartbeatClaim":
        """The claim of the token that answers a report: the same page, the row as the report left it."""
        return replace(self, video=video)


def session_hash(session_key: str) -> str:
    """Return the keyed hash a token carries in place of the session key."""
    return salted_hmac(HEARTBEAT_SESSION_SALT, session_key, algorithm="sha256").hexdigest()[:32]


def microseconds_since_epoch(moment: datetime) -> int:
    """`moment` as a whole number of microseconds: a token carries a timestamp exactly, as the database holds it."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def moment_from_microseconds(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=microseconds)


def heartbeat_token_make(
    *, progress_id: int, learner_id: int, lesson_id: int, duration: float | None, session_key: str
) -> str:
    """Return the signed token a lesson page hands its player, bound to one learner, lesson and session."""
    claim = HeartbeatClaim(
        progress_id=progress_id,
        learner_id=learner_id,
        lesson_id=lesson_id,
        duration=duration,
        session_hash=session_hash(session_key),
        opened_at=time.time(),
    )
    return heartbeat_token_sign(claim)


def heartbeat_token_sign(claim: HeartbeatClaim) -> str:
    """Return the signed token of `claim`, without its video state if the token would be too long."""
    fields = {
        "p": claim.progress_id,
        "u": claim.learner_id,
        "l": claim.lesson_id,
        "d": claim.duration,
        "s": claim.session_hash,
        "o": int(claim.opened_at),
    }
    if claim.video is not None:
        video = claim.video
        fields["v"] = [
            [list(pair) for pair in video.intervals],
            microseconds_since_epoch(video.last_heartbeat_at),
            video.allowance_seconds,
            microseconds_since_epoch(video.allowance_at),
            int(video.is_completed),
        ]
        token = signing.dumps(fields, salt=HEARTBEAT_TOKEN_SALT)
        if len(token) <= HEARTBEAT_TOKEN_MAX_CHARS:
            return token
        del fields["v"]
    return signing.dumps(fields, salt=HEARTBEAT_TOKEN_SALT)


def heartbeat_token_read(token: object) -> HeartbeatClaim:
    """Return the claim of a genuine, unexpired token, else refuse."""
    expired = HeartbeatForbidden(_("This page has expired; reload it to keep saving your progress."))
    if not isinstance(token, str) or len(token) > HEARTBEAT_TOKEN_MAX_CHARS:
        raise expired
    try:
        claim = signing.loads(token, salt=HEARTBEAT_TOKEN_SALT, max_age=HEARTBEAT_TOKEN_MAX_AGE_SECONDS)
        # A page opened before tokens said when counts from now: its own token was signed within the
        # twelve hours.
        opened_at = float(claim.get("o", time.time()))
        read = HeartbeatClaim(
            progress_id=int(claim["p"]),
            learner_id=int(claim["u"]),
            lesson_id=int(claim["l"]),
            duration=None if claim["d"] is None else float(claim["d"]),
            session_hash=str(claim["s"]),
            opened_at=opened_at,
            video=None if claim.get("v") is None else video_row_state_read(claim["v"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise expired from error
    if time.time() - read.opened_at > HEARTBEAT_TOKEN_MAX_AGE_SECONDS:
        raise expired
    return read


def video_row_state_read(fields: list) -> VideoRowState:
    """The video state an answer's token carries (signed by the server, so well formed)."""
    intervals, last_heartbeat_at, allowance_seconds, allowance_at, is_completed = fields
    return VideoRowState(
        intervals=[(float(start), float(end)) for start, end in intervals],
        last_heartbeat_at=moment_from_microseconds(int(last_heartbeat_at)),
        allowance_seconds=float(allowance_seconds),
        allowance_at=moment_from_microseconds(int(allowance_at)),
        is_completed=bool(is_completed),
    )


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


def watch_allowance(*, seconds: float, elapsed_seconds: float) -> float:
    """Return the most seconds watched in all that an allowance of `seconds` holds `elapsed_seconds` later."""
    return seconds + max(0.0, elapsed_seconds) * PLAYBACK_RATE_MAX


def watch_allowance_renew(*, watched_seconds: float, seconds: float | None, elapsed_seconds: float) -> float:
    """Return the allowance a page opened now starts from: what was watched plus the one slack.

    Never more than the allowance already running (`seconds`, set `elapsed_seconds` ago), so
    opening the page again and again adds no slack on top of slack; a page opened the next day
    starts from what was watched, not from yesterday's hours.
    """
    fresh = watched_seconds + WALL_TIME_SLACK_SECONDS
    if seconds is None:
        return fresh
    return min(fresh, watch_allowance(seconds=seconds, elapsed_seconds=elapsed_seconds))


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
    allowance_seconds: float,
    share: float,
) -> VideoHeartbeat:
    """Merge a heartbeat's intervals into the known ones, or refuse it whole.

    `allowance_seconds` is the most seconds watched in all that the time since the page was opened
    allows (`watch_allowance`); a report that would take the total past it is refused.
    """
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
    if added > 0 and watched_after > allowance_seconds:
        raise HeartbeatRefused(_("The progress report claims more than the time since the page was opened allows."))
    if position_seconds is None and new:
        position_seconds = max(end for _, end in new)
    return VideoHeartbeat(
        intervals=after,
        watched_seconds=watched_after,
        added_seconds=added,
        position_seconds=None if position_seconds is None else min(position_seconds, duration),
        is_complete=video_is_complete(after, duration=duration, share=share),
    )


def page_parse(raw: object, *, page_count: int | None) -> int:
    """Return the one slide page a report says is shown, refusing anything but a page of the deck."""
    if not page_count or isinstance(raw, bool) or not isinstance(raw, int):
        raise HeartbeatRefused(_("The progress report is malformed."))
    if not 1 <= raw <= page_count:
        raise HeartbeatRefused(_("The progress report does not match these slides."))
    return raw


@dataclass(frozen=True)
class SlideShow:
    """The outcome of a report that a page is shown: the pages seen, and the page on screen now."""

    pages_viewed: list[int]
    shown_page: int
    restarts_clock: bool  # True: the page on screen changed, its time counts from now


def slide_show(
    *, pages_viewed: list[int], shown_page: int | None, shown_seconds: float | None, page: int, min_seconds: float
) -> SlideShow:
    """Apply a report that `page` is on screen to a deck whose `shown_page` was shown `shown_seconds` ago.

    The page that was on screen counts as seen only if it stayed there `min_seconds` by the
    server's clock; reporting the same page again keeps its clock running, so a viewer reports it
    once more when the time is up. One report names one page: a list of every page completes nothing.
    """
    seen = set(pages_viewed)
    if shown_page is not None and shown_seconds is not None and shown_seconds >= min_seconds:
        seen.add(shown_page)
    return SlideShow(pages_viewed=sorted(seen), shown_page=page, restarts_clock=page != shown_page)


def slides_are_complete(pages: list[int], *, page_count: int | None) -> bool:
    """Return whether every page of the deck was seen."""
    return bool(page_count) and set(range(1, page_count + 1)) <= set(pages)


def words_count(html: str) -> int:
    """Return the number of words of a lesson's text (a Vietnamese syllable counts as a word)."""
    return len(strip_tags(re.sub(r"<", " <", html or "")).split())


def reading_wait_seconds(*, reading_seconds: float, share: float, max_seconds: float) -> int:
    """Return the whole seconds that must pass after opening a lesson before it may be marked read."""
    return int(min(max_seconds, share * max(0.0, reading_seconds)))


def resume_position(position: float, *, duration: float | None) -> int:
    """Return the whole second the player starts at: the saved position, or 0 near the end."""
    if not duration or position <= 0 or position >= duration - end_margin(duration):
        return 0
    return int(position)
