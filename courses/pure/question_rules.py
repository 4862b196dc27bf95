"""The rules of a question, the same for the studio's form, its services and a spreadsheet's rows.

Pure: no ORM, no storage. The kinds are those of courses.models.Question.Kind (this module does not
import models). `choices_problems` is the one statement of what choices make a question of a kind;
the form and the services say its first problem with `choices_problem`, a spreadsheet row says each
in the words of its columns (courses.pure.question_sheet).

Invariants callers may rely on:
- `question_import_key` gives the same digest for the same question whatever the spacing, letter
  case, Unicode form or order of its choices, so importing a file twice finds its questions again.
"""

import enum
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Kinds, as stored in courses.models.Question.Kind (this module does not import models).
SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"
KINDS = (SINGLE, MULTIPLE, TRUE_FALSE)
KIND_LABELS = {SINGLE: "Một đáp án", MULTIPLE: "Nhiều đáp án", TRUE_FALSE: "Đúng/Sai"}

CHOICE_LETTERS = "ABCDEF"
# The model's lengths (courses.models.Choice.text, QuestionTag.name) and a sane bound for the rest.
CHOICE_MAX_LENGTH = 500
TAG_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 5000

_SPACES = re.compile(r"\s+")
_LIST_SEPARATORS = re.compile(r"[,;]")


@dataclass(frozen=True)
class ChoiceRow:
    text: str
    is_correct: bool


def text_clean(value: str) -> str:
    """Return the text in Unicode NFC with runs of spaces made one, trimmed (line breaks kept)."""
    lines = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in lines).strip()


def tag_names_clean(names: Iterable[str]) -> list[str]:
    """Return the tag names trimmed, without empty ones or repeats (letter case ignored), in order."""
    seen, kept = set(), []
    for name in names:
        name = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return kept


def tag_names_split(value: str) -> list[str]:
    """Split "An toàn; Thanh toán, Lừa đảo" into clean tag names."""
    return tag_names_clean(_LIST_SEPARATORS.split(value))


class ChoicesProblem(enum.Enum):
    """What makes a list of choices wrong for a kind of question."""

    TRUE_FALSE_NOT_TWO = "true_false_not_two"
    TOO_FEW = "too_few"
    SAME_TWICE = "same_twice"
    NONE_CORRECT = "none_correct"
    SEVERAL_CORRECT = "several_correct"


def choices_problems(kind: str | None, choices: Sequence[ChoiceRow]) -> list[ChoicesProblem]:
    """Return every way these choices fail to make a question of this kind (none when they do).

    A true or false question has exactly two choices, any other at least two; no two choices are the
    same (letter case and spacing aside); at least one is correct, and exactly one for a single
    choice or true or false question. An unknown kind (None) is checked for count and repeats only.
    """
    problems = []
    if kind == TRUE_FALSE and len(choices) != 2:
        problems.append(ChoicesProblem.TRUE_FALSE_NOT_TWO)
    elif len(choices) < 2:
        problems.append(ChoicesProblem.TOO_FEW)
    elif len({fold_exact(choice.text) for choice in choices}) != len(choices):
        problems.append(ChoicesProblem.SAME_TWICE)
    correct = sum(choice.is_correct for choice in choices)
    if correct == 0:
        problems.append(ChoicesProblem.NONE_CORRECT)
    elif kind in (SINGLE, TRUE_FALSE) and correct > 1:
        problems.append(ChoicesProblem.SEVERAL_CORRECT)
    return problems


def choices_problem(kind: str, choices: Sequence[ChoiceRow]) -> str | None:
    """Return why these choices do not make a question of this kind, or None when they do."""
    problems = choices_problems(kind, choices)
    if not problems:
        return None
    return {
        ChoicesProblem.TRUE_FALSE_NOT_TWO: _(
            "A true or false question has exactly two choices (for example “Đúng” and “Sai”)."
        ),
        ChoicesProblem.TOO_FEW: _("A question needs at least two answer choices."),
        ChoicesProblem.SAME_TWICE: _("Two answer choices are the same."),
        ChoicesProblem.NONE_CORRECT: _("Mark the correct answer."),
        ChoicesProblem.SEVERAL_CORRECT: _(
            "This kind of question has exactly one correct answer, but several are marked."
        ),
    }[problems[0]]


def question_import_key(*, kind: str, text: str, choices: Sequence[ChoiceRow]) -> str:
    """Return the sha256 digest that recognises this question, whatever its spacing, case or choice order."""
    content = [
        kind,
        fold_exact(text),
        sorted([fold_exact(choice.text), bool(choice.is_correct)] for choice in choices),
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def fold_exact(text: str) -> str:
    """Return the text in NFC, letter case folded, with single spaces; diacritics are kept (they change meaning)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()
