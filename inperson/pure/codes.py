"""Learners' check-in codes for an in-person day: pure HMAC over (day, learner, time step), no database.

A rotating code is 8 digits, one per 30-second step of Unix time, and is accepted for its own step
and the one before (so it lives at most about a minute): a screenshot sent to a friend, or a code
replayed later, is refused. A printable code (for a learner without a phone on the day) is 10
digits, one per day and learner, under another key; the service accepts it only inside the day's
check-in window. Both are useless for another day or another learner: the day's and the learner's
ids are inside the signed message, and the trainer's code is matched only against the learners
signed up to that day. Keys are derived from SECRET_KEY by the caller (`code_keys`), each with its
own purpose, so neither kind of code can be turned into the other.
"""

import enum
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

STEP_SECONDS = 30
ROTATING_DIGITS = 8
PRINTABLE_DIGITS = 10
# A rotating code is valid for its step and this many steps before (30 to 60 seconds in all).
STEPS_ACCEPTED = 2
# How far back a code is still recognised, to say "expired" rather than "not valid" (10 minutes).
STEPS_RECOGNISED_AS_EXPIRED = 20


@dataclass(frozen=True)
class CodeKeys:
    rotating: bytes
    printable: bytes


class CodeKind(enum.Enum):
    ROTATING = "rotating"
    PRINTABLE = "printable"


class CodeProblem(enum.Enum):
    MALFORMED = "malformed"
    EXPIRED = "expired"
    NOT_VALID = "not_valid"


@dataclass(frozen=True)
class CodeMatch:
    learner_id: int | None
    kind: CodeKind | None
    problem: CodeProblem | None


def step_at(moment: datetime) -> int:
    """Return the 30-second step of Unix time the (aware) moment falls in."""
    return int(moment.timestamp()) // STEP_SECONDS


def step_seconds_left(moment: datetime) -> int:
    """Return how many seconds are left until the moment's step ends (1 to 30)."""
    return STEP_SECONDS - int(moment.timestamp()) % STEP_SECONDS


def digits_of(key: bytes, message: str, digits: int) -> str:
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**digits).zfill(digits)


def rotating_code(*, keys: CodeKeys, day_id: int, learner_id: int, step: int) -> str:
    """Return the learner's 8-digit code for the day during one 30-second step."""
    return digits_of(keys.rotating, f"day:{day_id}:learner:{learner_id}:step:{step}", ROTATING_DIGITS)


def printable_code(*, keys: CodeKeys, day_id: int, learner_id: int) -> str:
    """Return the learner's 10-digit code for the whole day (the printable fallback)."""
    return digits_of(keys.printable, f"day:{day_id}:learner:{learner_id}", PRINTABLE_DIGITS)


def code_clean(text: str) -> str:
    """Return the digits of a typed or scanned code, dropping spaces and dashes ("1234 5678" → "12345678")."""
    return "".join(character for character in text if character not in " -\u00a0\t")


def code_grouped(code: str) -> str:
    """Return the code in groups of four from the left, easier to read aloud and to type."""
    return " ".join(code[index : index + 4] for index in range(0, len(code), 4))


def code_match(*, keys: CodeKeys, day_id: int, learner_ids: Iterable[int], code: str, step: int) -> CodeMatch:
    """Find which learner of `learner_ids` the code belongs to at `step`, or why it belongs to none.

    Costs one HMAC per learner and step looked at: a few hundred learners signed up times 2 steps,
    and only when a rotating code is not valid, 20 steps more to tell "expired" from "not valid".
    """
    code = code_clean(code)
    learner_ids = list(learner_ids)
    if not code.isascii() or not code.isdigit() or len(code) not in (ROTATING_DIGITS, PRINTABLE_DIGITS):
        return CodeMatch(learner_id=None, kind=None, problem=CodeProblem.MALFORMED)
    if len(code) == PRINTABLE_DIGITS:
        for learner_id in learner_ids:
            if hmac.compare_digest(printable_code(keys=keys, day_id=day_id, learner_id=learner_id), code):
                return CodeMatch(learner_id=learner_id, kind=CodeKind.PRINTABLE, problem=None)
        return CodeMatch(learner_id=None, kind=None, problem=CodeProblem.NOT_VALID)
    for steps in (
        range(step, step - STEPS_ACCEPTED, -1),
        range(step - STEPS_ACCEPTED, step - STEPS_RECOGNISED_AS_EXPIRED, -1),
    ):
        for past_step in steps:
            for learner_id in learner_ids:
                candidate = rotating_code(keys=keys, day_id=day_id, learner_id=learner_id, step=past_step)
                if hmac.compare_digest(candidate, code):
                    if past_step > step - STEPS_ACCEPTED:
                        return CodeMatch(learner_id=learner_id, kind=CodeKind.ROTATING, problem=None)
                    return CodeMatch(learner_id=learner_id, kind=CodeKind.ROTATING, problem=CodeProblem.EXPIRED)
    return CodeMatch(learner_id=None, kind=None, problem=CodeProblem.NOT_VALID)
