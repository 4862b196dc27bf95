"""Watched-interval arithmetic, the watch allowance, slide and reading clocks and the token, without the database."""

import math
import time
from datetime import UTC, datetime

import pytest

from learners.pure.progress import (
    HEARTBEAT_TOKEN_MAX_CHARS,
    HeartbeatForbidden,
    HeartbeatRefused,
    VideoRowState,
    heartbeat_token_make,
    heartbeat_token_read,
    heartbeat_token_sign,
    intervals_clamp,
    intervals_merge,
    intervals_parse,
    intervals_total,
    page_parse,
    reading_wait_seconds,
    resume_position,
    slide_show,
    slides_are_complete,
    video_heartbeat_apply,
    video_is_complete,
    watch_allowance,
    watch_allowance_renew,
    words_count,
)


def test_overlapping_intervals_merge_into_one():
    """Two overlapping intervals become one covering both."""
    assert intervals_merge([(0.0, 10.0), (5.0, 20.0)]) == [(0.0, 20.0)]


def test_touching_intervals_merge_and_gaps_stay():
    """An interval starting where another ends joins it; a gap keeps them apart."""
    assert intervals_merge([(0.0, 10.0), (10.0, 20.0), (25.0, 30.0)]) == [(0.0, 20.0), (25.0, 30.0)]


def test_unsorted_and_nested_intervals_merge_in_order():
    """Intervals in any order, one inside another, come out sorted and disjoint."""
    assert intervals_merge([(50.0, 60.0), (0.0, 30.0), (10.0, 20.0), (29.0, 31.0)]) == [(0.0, 31.0), (50.0, 60.0)]


def test_merge_of_nothing_is_nothing():
    """No intervals merge into no intervals."""
    assert intervals_merge([]) == []


def test_clamping_cuts_to_the_video_and_drops_what_lies_outside():
    """Intervals are cut to [0, duration]; one wholly past the end disappears."""
    assert intervals_clamp([(-5.0, 10.0), (95.0, 105.0), (120.0, 130.0)], duration=100.0) == [
        (0.0, 10.0),
        (95.0, 100.0),
    ]


def test_total_counts_covered_seconds():
    """The total is the sum of the merged intervals' lengths."""
    assert intervals_total([(0.0, 10.0), (20.0, 25.5)]) == 15.5


@pytest.mark.parametrize(
    "raw",
    [
        "0-10",
        {"start": 0, "end": 10},
        [[0, 10, 20]],
        [[10, 5]],
        [[5, 5]],
        [["0", "10"]],
        [[0, math.inf]],
        [[math.nan, 10]],
        [[True, 10]],
        [[0, 1]] * 51,
    ],
)
def test_malformed_intervals_are_refused(raw):
    """Anything but a short list of [start, end] finite numbers with start < end is refused."""
    with pytest.raises(HeartbeatRefused):
        intervals_parse(raw)


def test_well_formed_intervals_parse_as_floats():
    """Integer and float pairs parse as float pairs."""
    assert intervals_parse([[0, 10], [12.5, 20.25]]) == [(0.0, 10.0), (12.5, 20.25)]


def test_completion_needs_share_and_end():
    """90 % watched including the last seconds completes; 90 % without the end, or the end alone, does not."""
    assert video_is_complete([(0.0, 540.0), (590.0, 600.0)], duration=600.0, share=0.9)
    assert not video_is_complete([(0.0, 560.0)], duration=600.0, share=0.9)
    assert not video_is_complete([(590.0, 600.0)], duration=600.0, share=0.9)
    assert not video_is_complete([(0.0, 400.0), (590.0, 600.0)], duration=600.0, share=0.9)


def test_end_margin_is_five_percent_for_short_videos():
    """For a 20 s clip the end is reached within 1 s (5 %), not 5 s."""
    assert not video_is_complete([(0.0, 18.5)], duration=20.0, share=0.9)
    assert video_is_complete([(0.0, 19.2)], duration=20.0, share=0.9)


def heartbeat(known=(), reported=(), allowance=3600.0, duration=600.0, position=None):
    return video_heartbeat_apply(
        known=list(known),
        reported=[list(pair) for pair in reported],
        position=position,
        duration=duration,
        allowance_seconds=allowance,
        share=0.9,
    )


def test_heartbeat_merges_new_intervals_into_known_ones():
    """Ten seconds after [0, 10] the next ten merge into [0, 20]."""
    result = heartbeat(known=[[0.0, 10.0]], reported=[(10.0, 20.0)], position=20.0)
    assert result.intervals == [(0.0, 20.0)]
    assert result.watched_seconds == 20.0
    assert result.added_seconds == 10.0
    assert result.position_seconds == 20.0
    assert not result.is_complete


def test_rewatching_adds_nothing_and_is_never_capped():
    """Watching a part again adds no seconds, so the allowance does not refuse it."""
    result = heartbeat(known=[[0.0, 300.0]], reported=[(0.0, 300.0)], allowance=0.0)
    assert result.added_seconds == 0.0


def test_watching_more_in_all_than_the_allowance_is_refused():
    """The total watched, not each heartbeat's share, is held to the allowance."""
    assert heartbeat(known=[[0.0, 20.0]], reported=[(20.0, 25.0)], allowance=25.0).watched_seconds == 25.0
    with pytest.raises(HeartbeatRefused):
        heartbeat(known=[[0.0, 20.0]], reported=[(20.0, 25.5)], allowance=25.0)


def test_allowance_grows_at_double_speed_from_the_page_opening():
    """Ten seconds after opening, a page that started at 5 s of allowance holds 25 s (2× playback)."""
    assert watch_allowance(seconds=5.0, elapsed_seconds=10.0) == 25.0
    assert watch_allowance(seconds=5.0, elapsed_seconds=-3.0) == 5.0
    assert heartbeat(reported=[(0.0, 20.0)], allowance=25.0).watched_seconds == 20.0


def test_opening_the_page_grants_the_slack_once_not_per_opening():
    """A first opening allows what was watched plus 5 s; opening again at once adds nothing more."""
    first = watch_allowance_renew(watched_seconds=0.0, seconds=None, elapsed_seconds=0.0)
    assert first == 5.0
    # The learner used the slack (watched 5 s) and opens the page again a tenth of a second later.
    again = watch_allowance_renew(watched_seconds=5.0, seconds=first, elapsed_seconds=0.1)
    assert again == pytest.approx(5.2)


def test_opening_the_page_the_next_day_starts_from_what_was_watched():
    """Yesterday's hours are not lent to today: the allowance restarts at what was watched plus the slack."""
    assert watch_allowance_renew(watched_seconds=20.0, seconds=25.0, elapsed_seconds=24 * 3600) == 25.0


@pytest.mark.parametrize("reported", [[(590.0, 660.0)], [(-3.0, 5.0)]])
def test_intervals_outside_the_video_are_refused(reported):
    """An interval ending past the duration or starting below zero is a forgery."""
    with pytest.raises(HeartbeatRefused):
        heartbeat(reported=reported)


def test_a_fraction_of_a_second_past_the_end_is_clamped():
    """Players report a little past ffprobe's duration; that is cut, not refused."""
    result = heartbeat(known=[[0.0, 595.0]], reported=[(595.0, 600.4)], position=600.4)
    assert result.intervals == [(0.0, 600.0)]
    assert result.position_seconds == 600.0
    assert result.is_complete


def test_report_without_position_or_intervals_leaves_the_position_unknown():
    """An empty report (a page hidden before playing) says nothing about the position."""
    assert heartbeat(known=[[0.0, 120.0]], reported=[], position=None).position_seconds is None


@pytest.mark.parametrize("position", [-1, 700, "12", math.inf])
def test_impossible_position_is_refused(position):
    """A position below zero, past the end or not a number is refused."""
    with pytest.raises(HeartbeatRefused):
        heartbeat(reported=[], position=position)


def test_a_report_names_one_page_of_the_deck():
    """A report names one whole page between 1 and the page count; a list of pages is malformed."""
    assert page_parse(3, page_count=3) == 3
    for raw in (0, 4, "2", 1.0, True, [1, 2, 3], None):
        with pytest.raises(HeartbeatRefused):
            page_parse(raw, page_count=3)


def test_a_page_counts_as_seen_only_after_it_stayed_on_screen():
    """The page on screen counts when the next report comes at least the minimum time later."""
    too_soon = slide_show(pages_viewed=[], shown_page=1, shown_seconds=2.9, page=2, min_seconds=3.0)
    assert too_soon.pages_viewed == [] and too_soon.shown_page == 2 and too_soon.restarts_clock
    in_time = slide_show(pages_viewed=[], shown_page=1, shown_seconds=3.0, page=2, min_seconds=3.0)
    assert in_time.pages_viewed == [1]


def test_reporting_the_same_page_again_keeps_its_clock_and_counts_it_when_due():
    """The viewer's second report of the page on screen counts it once the time is up."""
    same = slide_show(pages_viewed=[1], shown_page=2, shown_seconds=3.5, page=2, min_seconds=3.0)
    assert same.pages_viewed == [1, 2] and not same.restarts_clock


def test_first_report_counts_nothing():
    """The first page reported has not been on screen yet."""
    first = slide_show(pages_viewed=[], shown_page=None, shown_seconds=None, page=1, min_seconds=3.0)
    assert first.pages_viewed == [] and first.shown_page == 1 and first.restarts_clock


def test_slides_complete_when_every_page_was_seen():
    """A deck completes once every page number was seen, in any order."""
    assert not slides_are_complete([1, 3], page_count=3)
    assert slides_are_complete([1, 2, 3], page_count=3)


def test_words_are_counted_across_tags():
    """Words in separate elements are separate words; markup is not counted."""
    assert words_count("<p>Chuyển đổi số</p><p>bắt đầu <strong>từ</strong> người dân.</p>") == 8
    assert words_count("") == 0


def test_reading_wait_is_a_share_of_the_reading_time_and_bounded():
    """Half of a 4-minute read is 120 s; a very long read never asks more than the maximum."""
    assert reading_wait_seconds(reading_seconds=240.0, share=0.5, max_seconds=600) == 120
    assert reading_wait_seconds(reading_seconds=10 * 3600.0, share=0.5, max_seconds=600) == 600
    assert reading_wait_seconds(reading_seconds=0.6, share=0.5, max_seconds=600) == 0


def test_resume_starts_at_saved_second_or_at_the_beginning_near_the_end():
    """The player resumes at the saved whole second, and from the start once the end was reached."""
    assert resume_position(120.7, duration=600.0) == 120
    assert resume_position(598.0, duration=600.0) == 0
    assert resume_position(0.0, duration=600.0) == 0


def test_token_round_trips_and_refuses_tampering():
    """A token reads back its claim; a changed character or another salt's signature is refused."""
    token = heartbeat_token_make(progress_id=7, learner_id=3, lesson_id=5, duration=600.0, session_key="abc")
    claim = heartbeat_token_read(token)
    assert (claim.progress_id, claim.learner_id, claim.lesson_id, claim.duration) == (7, 3, 5, 600.0)
    with pytest.raises(HeartbeatForbidden):
        heartbeat_token_read(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    from django.core import signing

    with pytest.raises(HeartbeatForbidden):
        heartbeat_token_read(signing.dumps({"p": 7, "u": 3, "l": 5, "d": 600.0, "s": claim.session_hash}))


def test_token_names_its_session_without_showing_the_key():
    """The token holds for the session it was issued in, and the page never shows the session key."""
    session_key = "k2j3h4g5f6d7s8a9qwertyuiopzxcvbn"
    token = heartbeat_token_make(progress_id=7, learner_id=3, lesson_id=5, duration=None, session_key=session_key)
    claim = heartbeat_token_read(token)
    assert claim.is_for_session(session_key)
    assert not claim.is_for_session("another-session-key")
    assert not claim.is_for_session(None) and not claim.is_for_session("")
    from django.core import signing

    assert session_key not in signing.b64_decode(token.split(":")[0].encode()).decode()


def test_expired_token_is_refused(monkeypatch):
    """A token signed more than twelve hours ago is refused."""
    thirteen_hours_ago = time.time() - 13 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: thirteen_hours_ago)
        token = heartbeat_token_make(progress_id=7, learner_id=3, lesson_id=5, duration=None, session_key="abc")
    with pytest.raises(HeartbeatForbidden):
        heartbeat_token_read(token)


def video_state(intervals: list) -> VideoRowState:
    return VideoRowState(
        intervals=intervals,
        last_heartbeat_at=datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=UTC),
        allowance_seconds=245.5,
        allowance_at=datetime(2026, 12, 5, 9, 28, 1, 7, tzinfo=UTC),
        is_completed=False,
    )


def test_an_answer_s_token_carries_the_row_s_state_to_the_microsecond():
    """The state the next report is checked against reads back exactly: the database compares its
    timestamps for equality."""
    page = heartbeat_token_read(
        heartbeat_token_make(progress_id=7, learner_id=3, lesson_id=5, duration=600.0, session_key="abc")
    )
    assert page.video is None
    state = video_state([(0.0, 10.25), (30.0, 45.5)])

    claim = heartbeat_token_read(heartbeat_token_sign(page.with_video(state)))

    assert claim.video == state
    assert (claim.progress_id, claim.learner_id, claim.lesson_id, claim.duration) == (7, 3, 5, 600.0)
    assert claim.session_hash == page.session_hash and claim.opened_at == page.opened_at


def test_a_state_too_long_for_a_token_is_left_out():
    """A learner who skipped around a great deal: the answer's token carries no state (the next report
    reads the row) rather than a token longer than any read accepts."""
    page = heartbeat_token_read(
        heartbeat_token_make(progress_id=7, learner_id=3, lesson_id=5, duration=3600.0, session_key="abc")
    )
    skipped = [(start + 0.123456789, start + 1.987654321) for start in range(0, 3000, 10)]

    token = heartbeat_token_sign(page.with_video(video_state(skipped)))

    assert len(token) <= HEARTBEAT_TOKEN_MAX_CHARS
    assert heartbeat_token_read(token).video is None
    assert heartbeat_token_read(heartbeat_token_sign(page.with_video(video_state(skipped[:10])))).video is not None


def test_an_answer_s_token_holds_no_longer_than_its_page_s(monkeypatch):
    """Answers' tokens are signed afresh, but they hold twelve hours from the page's opening, as its own."""
    thirteen_hours_ago = time.time() - 13 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: thirteen_hours_ago)
        page_token = heartbeat_token_make(progress_id=7, learner_id=3, lesson_id=5, duration=None, session_key="abc")
        page = heartbeat_token_read(page_token)

    with pytest.raises(HeartbeatForbidden):
        heartbeat_token_read(heartbeat_token_sign(page.with_video(video_state([(0.0, 10.0)]))))
