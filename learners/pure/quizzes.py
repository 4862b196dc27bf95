"""The rules of taking a quiz over plain data: the seeded draw, the values of the choices, an answer, grading.

No ORM here. The draw is a pure function of the attempt's seed and the candidate questions, so an
attempt stored with its seed could always be drawn again the same way; the attempt stores the
draw as well, so a question added to the bank later never changes an attempt under way.

A choice never appears in a page by its database id: ids follow the order the author wrote the
choices in, so "pick the lowest" would pass a quiz without reading it. The page carries
`choice_value`s instead, opaque and different in every attempt, and an answer is read back through
`answer_decode`, which knows only the values of this attempt's choices.
"""

import base64
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

SINGLE_ANSWER_KINDS = ("single", "true_false")
# The server is the judge of time, with this much allowance for the network: an answer clicked just
# before the deadline on a slow connection still arrives within it. Grading counts exactly the
# answers the server accepted, so both sides of the rule use this one number.
ANSWER_GRACE = timedelta(seconds=2)
# The salt keeps the module's first name: changing it would change every open attempt's values.
CHOICE_VALUE_SALT = "learners.quizzes.choice_value"
# 96 bits of the HMAC, 16 characters of URL-safe base64; anything longer is not one of our values.
CHOICE_VALUE_BYTES = 12
CHOICE_VALUE_MAX_LENGTH = 64


class AnswerRefused(ValueError):
    """An answer that cannot be saved, with the message the learner is shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Grade:
    correct: int
    total: int
    score_percent: Decimal
    passed: bool
    question_is_correct: dict[int, bool]


def answers_close_at(deadline_at: datetime | None) -> datetime | None:
    """Return the last moment an answer is accepted (None: no time limit)."""
    return None if deadline_at is None else deadline_at + ANSWER_GRACE


def seconds_left(deadline_at: datetime | None, *, now: datetime) -> int | None:
    """Return the whole seconds until the deadline, never negative (None: no time limit)."""
    return None if deadline_at is None else max(0, int((deadline_at - now).total_seconds()))


def questions_pick(*, seed: int, candidate_ids: Iterable[int], count: int) -> list[int]:
    """Return up to `count` of the candidates in a random order fixed by the seed.

    The candidates are sorted first, so the result does not depend on the order the database
    returned them in.
    """
    candidates = sorted(set(candidate_ids))
    # Reproducible from the attempt's stored seed on purpose; what must stay secret is the choice
    # values, keyed by SECRET_KEY (choice_value).
    return random.Random(seed).sample(candidates, min(count, len(candidates)))  # noqa: S311


def choices_arrange(
    *, seed: int, question_ids: Sequence[int], choice_ids: Mapping[int, Sequence[int]], shuffle: bool
) -> dict[str, list[int]]:
    """Return each drawn question's choice ids in display order, keyed by str(question id) (JSON keys).

    Without shuffling the authored order is kept; with it, the order is fixed by the seed.
    """
    rng = random.Random(f"choices:{seed}")  # noqa: S311 (reproducible from the seed, as above)
    orders: dict[str, list[int]] = {}
    for question_id in question_ids:
        order = list(choice_ids.get(question_id, ()))
        if shuffle:
            rng.shuffle(order)
        orders[str(question_id)] = order
    return orders


def choice_value(*, seed: int, choice_id: int) -> str:
    """Return the opaque value that stands for a choice in the page of the attempt drawn with this seed.

    An HMAC under the site's secret key of the attempt's own random seed and the choice id: without
    the key, a page's values say nothing of the choices' ids or authored order, and nothing that
    holds in another attempt. The same attempt always gets the same values, so a reload keeps them.
    """
    digest = salted_hmac(CHOICE_VALUE_SALT, f"{seed}:{choice_id}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:CHOICE_VALUE_BYTES]).decode()


def answer_parse(value: object) -> list[str]:
    """Return the picked choice values as a sorted list without repeats, or refuse a malformed value."""
    if not isinstance(value, list) or len(value) > 50:
        raise AnswerRefused(_("The answer is malformed."))
    if not all(isinstance(item, str) and 0 < len(item) <= CHOICE_VALUE_MAX_LENGTH for item in value):
        raise AnswerRefused(_("The answer is malformed."))
    return sorted(set(value))


def answer_decode(*, seed: int, values: Iterable[str], choice_ids: Iterable[int]) -> list[int]:
    """Return the choice ids that the values stand for in this attempt, sorted.

    A value that stands for none of these choices (another question's, another attempt's, a bare
    choice id) is refused.
    """
    by_value = {choice_value(seed=seed, choice_id=choice_id): choice_id for choice_id in choice_ids}
    picked = [by_value.get(value) for value in values]
    if None in picked:
        raise AnswerRefused(_("This answer is not one of the question's choices."))
    return sorted(picked)


def answer_check(*, kind: str, picked: Sequence[int], allowed: Iterable[int]) -> None:
    """Refuse choices that are not the question's, or a number of them its kind does not allow."""
    if not set(picked) <= set(allowed):
        raise AnswerRefused(_("This answer is not one of the question's choices."))
    if kind in SINGLE_ANSWER_KINDS and len(picked) != 1:
        raise AnswerRefused(_("Choose exactly one answer for this question."))


def question_is_correct(*, picked: Iterable[int], correct: Iterable[int]) -> bool:
    """Return whether the picked choices are exactly the correct ones (nothing missing, nothing extra)."""
    correct_set = set(correct)
    return bool(correct_set) and set(picked) == correct_set


def attempt_grade(
    *,
    question_ids: Sequence[int],
    picked: Mapping[int, Iterable[int]],
    correct: Mapping[int, Iterable[int]],
    pass_mark_percent: int,
) -> Grade:
    """Score the drawn questions one point each; the score is 100 × correct / drawn, passed at the mark."""
    marks = {
        question_id: question_is_correct(picked=picked.get(question_id, ()), correct=correct.get(question_id, ()))
        for question_id in question_ids
    }
    total = len(question_ids)
    right = sum(marks.values())
    score = (Decimal(100 * right) / total if total else Decimal(0)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Grade(
        correct=right,
        total=total,
        score_percent=score,
        passed=total > 0 and 100 * right >= pass_mark_percent * total,  # exact, not the rounded score
        question_is_correct=marks,
    )
