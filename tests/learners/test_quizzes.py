"""The pure rules of a quiz: the seeded draw, the shape of an answer and grading."""

from collections import Counter
from decimal import Decimal

import pytest

from learners.pure.quizzes import (
    AnswerRefused,
    answer_check,
    answer_decode,
    answer_parse,
    attempt_grade,
    choice_value,
    choices_arrange,
    question_is_correct,
    questions_pick,
)

BANK = list(range(101, 131))  # thirty question ids


def test_same_seed_draws_the_same_questions_whatever_the_candidates_order():
    """A seed fixes the draw: the same ids in the same order, however the bank was listed."""
    first = questions_pick(seed=42, candidate_ids=BANK, count=10)
    again = questions_pick(seed=42, candidate_ids=list(reversed(BANK)), count=10)
    assert first == again
    assert len(first) == 10 and len(set(first)) == 10 and set(first) <= set(BANK)


def test_different_seeds_draw_different_questions_from_thirty():
    """Twenty seeds over a bank of thirty give (almost) twenty different draws and use most of the bank."""
    draws = [tuple(questions_pick(seed=seed, candidate_ids=BANK, count=10)) for seed in range(1000, 1020)]
    assert len(set(draws)) == 20
    assert len({frozenset(draw) for draw in draws}) == 20
    assert len({question for draw in draws for question in draw}) >= 25


def test_a_small_bank_is_drawn_whole():
    """Asking for more questions than the bank holds draws every question once."""
    assert sorted(questions_pick(seed=7, candidate_ids=[3, 1, 2], count=10)) == [1, 2, 3]
    assert questions_pick(seed=7, candidate_ids=[], count=10) == []


def test_choices_keep_the_authored_order_unless_shuffled():
    """Without shuffling each question keeps its choices' order; with it the order depends on the seed only."""
    choice_ids = {1: [11, 12, 13, 14], 2: [21, 22]}
    assert choices_arrange(seed=5, question_ids=[2, 1], choice_ids=choice_ids, shuffle=False) == {
        "2": [21, 22],
        "1": [11, 12, 13, 14],
    }
    shuffled = choices_arrange(seed=5, question_ids=[1, 2], choice_ids=choice_ids, shuffle=True)
    assert shuffled == choices_arrange(seed=5, question_ids=[1, 2], choice_ids=choice_ids, shuffle=True)
    assert sorted(shuffled["1"]) == [11, 12, 13, 14] and sorted(shuffled["2"]) == [21, 22]
    orders = {
        tuple(choices_arrange(seed=seed, question_ids=[1], choice_ids=choice_ids, shuffle=True)["1"])
        for seed in range(30)
    }
    assert len(orders) > 5


def test_a_question_scores_only_when_the_picked_set_is_exactly_the_correct_set():
    """Multiple choice: one missing or one extra choice is wrong; an empty correct set is never right."""
    assert question_is_correct(picked=[3, 1], correct=[1, 3])
    assert not question_is_correct(picked=[1], correct=[1, 3])
    assert not question_is_correct(picked=[1, 2, 3], correct=[1, 3])
    assert not question_is_correct(picked=[], correct=[])


def test_seven_of_ten_passes_at_seventy_and_six_does_not():
    """The score is 100 × correct / drawn; unanswered questions count as wrong; the pass mark is inclusive."""
    questions = list(range(1, 11))
    correct = {question: [question * 10] for question in questions}
    seven = {question: [question * 10] for question in questions[:7]}
    six = {question: [question * 10] for question in questions[:6]} | {7: [999]}

    passed = attempt_grade(question_ids=questions, picked=seven, correct=correct, pass_mark_percent=70)
    failed = attempt_grade(question_ids=questions, picked=six, correct=correct, pass_mark_percent=70)

    assert (passed.correct, passed.total, passed.score_percent, passed.passed) == (7, 10, Decimal("70.00"), True)
    assert (failed.correct, failed.score_percent, failed.passed) == (6, Decimal("60.00"), False)
    assert failed.question_is_correct[7] is False and failed.question_is_correct[10] is False


def test_pass_is_decided_on_the_exact_share_not_the_rounded_score():
    """Two of three is 66.67 %: it fails a pass mark of 67 although the shown score rounds near it."""
    grade = attempt_grade(
        question_ids=[1, 2, 3], picked={1: [1], 2: [2]}, correct={1: [1], 2: [2], 3: [3]}, pass_mark_percent=67
    )
    assert grade.score_percent == Decimal("66.67")
    assert grade.passed is False


def test_answer_parse_sorts_and_refuses_malformed_values():
    """Choice values become a sorted list without repeats; anything but a short list of short strings is refused."""
    assert answer_parse(["b", "a", "b"]) == ["a", "b"]
    assert answer_parse([]) == []
    for value in ("5", None, {"a": 1}, [True], [5], [""], ["x" * 65], [1.5], [str(n) for n in range(60)]):
        with pytest.raises(AnswerRefused):
            answer_parse(value)


def test_choice_values_carry_neither_the_ids_nor_their_order_nor_anything_across_attempts():
    """Over 400 attempts, the first-written choice's value ranks anywhere among the four, and never repeats."""
    choice_ids = [11, 12, 13, 14]
    ranks: Counter[int] = Counter()
    first_choice_values = set()
    for seed in range(7_000, 7_400):
        values = [choice_value(seed=seed, choice_id=choice_id) for choice_id in choice_ids]
        assert not any(value.isdigit() for value in values)
        ranks[sorted(values).index(values[0])] += 1
        first_choice_values.add(values[0])
    assert len(first_choice_values) == 400
    # Each rank is expected 100 times (a standard deviation of 8.7): "pick the lowest" is a guess.
    assert all(40 <= ranks[rank] <= 160 for rank in range(4)), ranks


def test_a_value_counts_only_in_its_own_attempt():
    """A value reads back as its choice in its attempt; a bare id or another attempt's value is refused."""
    mine = [choice_value(seed=1, choice_id=choice_id) for choice_id in (11, 12)]
    assert answer_decode(seed=1, values=reversed(mine), choice_ids=[11, 12, 13]) == [11, 12]
    for values in (["11"], [choice_value(seed=2, choice_id=11)], [choice_value(seed=1, choice_id=21)]):
        with pytest.raises(AnswerRefused):
            answer_decode(seed=1, values=values, choice_ids=[11, 12, 13])


def test_answer_check_refuses_foreign_choices_and_two_picks_for_one_answer():
    """A choice of another question, or two choices for a single or true/false question, is refused."""
    answer_check(kind="multiple", picked=[1, 2], allowed=[1, 2, 3])
    answer_check(kind="single", picked=[2], allowed=[1, 2, 3])
    with pytest.raises(AnswerRefused):
        answer_check(kind="multiple", picked=[1, 9], allowed=[1, 2, 3])
    for kind in ("single", "true_false"):
        with pytest.raises(AnswerRefused):
            answer_check(kind=kind, picked=[1, 2], allowed=[1, 2, 3])
        with pytest.raises(AnswerRefused):
            answer_check(kind=kind, picked=[], allowed=[1, 2, 3])
