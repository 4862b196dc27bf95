"""Check-in codes and the check-in window: pure functions over ids and times."""

import datetime as dt

import pytest

from inperson.pure.checkin import ScanProblem, checkin_window, scan_time_problem
from inperson.pure.codes import (
    CodeKeys,
    CodeKind,
    CodeProblem,
    code_clean,
    code_grouped,
    code_match,
    printable_code,
    rotating_code,
    step_at,
    step_seconds_left,
)

KEYS = CodeKeys(rotating=b"r" * 32, printable=b"p" * 32)
OTHER_KEYS = CodeKeys(rotating=b"x" * 32, printable=b"y" * 32)
T = dt.datetime(2026, 12, 4, 8, 0, 10, tzinfo=dt.UTC)
STEP = step_at(T)
SIGNED_UP = [11, 12, 13]


def match(code: str, *, step: int = STEP, learners=SIGNED_UP, day_id: int = 7):
    return code_match(keys=KEYS, day_id=day_id, learner_ids=learners, code=code, step=step)


def test_rotating_code_is_eight_digits_and_changes_every_thirty_seconds():
    first = rotating_code(keys=KEYS, day_id=7, learner_id=12, step=STEP)
    assert len(first) == 8 and first.isdigit()
    assert step_at(T + dt.timedelta(seconds=19)) == STEP and step_at(T + dt.timedelta(seconds=20)) == STEP + 1
    assert rotating_code(keys=KEYS, day_id=7, learner_id=12, step=STEP + 1) != first
    assert step_seconds_left(T) == 20


def test_code_of_this_or_the_previous_step_finds_its_learner():
    for step in (STEP, STEP - 1):
        code = rotating_code(keys=KEYS, day_id=7, learner_id=12, step=step)
        assert match(code) == match(code_grouped(code)) == match(code) and match(code).learner_id == 12
        assert match(code).kind == CodeKind.ROTATING and match(code).problem is None


def test_older_code_is_expired():
    code = rotating_code(keys=KEYS, day_id=7, learner_id=12, step=STEP - 2)
    found = match(code)
    assert found.problem == CodeProblem.EXPIRED


def test_much_older_code_is_simply_not_valid():
    code = rotating_code(keys=KEYS, day_id=7, learner_id=12, step=STEP - 100)
    assert match(code).problem == CodeProblem.NOT_VALID


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (rotating_code(keys=KEYS, day_id=8, learner_id=12, step=STEP), "another day's"),
        (rotating_code(keys=KEYS, day_id=7, learner_id=99, step=STEP), "a learner not signed up"),
        (rotating_code(keys=OTHER_KEYS, day_id=7, learner_id=12, step=STEP), "forged with another key"),
        ("12345678", "made up"),
        (printable_code(keys=KEYS, day_id=8, learner_id=12), "another day's printed code"),
    ],
)
def test_foreign_or_forged_code_matches_nobody(code, why):
    assert match(code).learner_id is None and match(code).problem == CodeProblem.NOT_VALID, why


@pytest.mark.parametrize("code", ["", "1234", "12345678901", "abcdefgh", "１２３４５６７８"])
def test_code_of_the_wrong_shape_is_malformed(code):
    assert match(code).problem == CodeProblem.MALFORMED


def test_printable_code_holds_all_day_under_its_own_key():
    code = printable_code(keys=KEYS, day_id=7, learner_id=13)
    assert len(code) == 10 and code_grouped(code) == f"{code[:4]} {code[4:8]} {code[8:]}"
    assert match(code, step=STEP + 500).learner_id == 13 and match(code).kind == CodeKind.PRINTABLE
    assert printable_code(keys=KEYS, day_id=7, learner_id=13) != rotating_code(
        keys=KEYS, day_id=7, learner_id=13, step=0
    )


def test_typed_spaces_and_dashes_are_ignored():
    assert code_clean(" 1234-5678 ") == "12345678"


START = dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=3)
WINDOW = checkin_window(starts_at=START, ends_at=END, cancelled=False)


def test_window_opens_an_hour_before_and_closes_at_the_end_and_a_cancelled_day_has_none():
    assert (WINDOW.opens_at, WINDOW.closes_at) == (START - dt.timedelta(hours=1), END)
    assert checkin_window(starts_at=START, ends_at=END, cancelled=True) is None


@pytest.mark.parametrize(
    ("scanned", "received", "problem"),
    [
        (START, START, None),
        (START - dt.timedelta(minutes=61), START - dt.timedelta(minutes=61), ScanProblem.OUTSIDE_WINDOW),
        (END + dt.timedelta(seconds=1), END + dt.timedelta(seconds=1), ScanProblem.OUTSIDE_WINDOW),
        (END - dt.timedelta(minutes=1), END + dt.timedelta(hours=23), None),  # queued offline, sent the next day
        (END - dt.timedelta(minutes=1), END + dt.timedelta(hours=25), ScanProblem.SENT_TOO_LATE),
        (START + dt.timedelta(minutes=10), START, ScanProblem.IN_THE_FUTURE),
        (START + dt.timedelta(minutes=1), START, None),  # a phone's clock a minute fast
    ],
)
def test_scan_time_is_bounded(scanned, received, problem):
    assert scan_time_problem(window=WINDOW, scanned_at=scanned, now=received) == problem
