"""Quiz pages and endpoints: the rules, no answer leakage, autosave, submitting with or without script, results."""

import json
import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from courses.models import Choice, Lesson, Question
from learners.models import AttemptAnswer, CourseCompletion, LearningEvent, QuizAttempt
from learners.services.enrolments import enrolment_create
from learners.services.quizzes import attempt_start, attempt_submit
from tests.factories import (
    answer_all,
    answers_state,
    correct_ids,
    correct_values,
    course_make,
    quiz_make,
    values_of,
    wrong_ids,
    wrong_values,
)

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
# What would say which choice is right: a word, a class or a key; "corrections" in the rules is fine.
CORRECTNESS_MARKERS = re.compile(r"\bcorrect\b|is_correct|is-correct|is-right|is-wrong|explanation|✓", re.IGNORECASE)


def lesson_url(lesson: Lesson) -> str:
    return reverse("learners:lesson", args=[lesson.course.slug, lesson.id])


def start_url(lesson: Lesson) -> str:
    return reverse("learners:quiz_start", args=[lesson.course.slug, lesson.id])


def attempt_url(name: str, attempt: QuizAttempt) -> str:
    return reverse(f"learners:quiz_{name}", args=[attempt.id])


def autosave(client, attempt: QuizAttempt, question_id: object, choices: object):
    body = json.dumps({"question": question_id, "choices": choices})
    return client.post(attempt_url("answer", attempt), body, content_type="application/json")


def drawn_order(html: str) -> list[tuple[int, list[str]]]:
    """Return the questions and their choices' values in the order the page shows them."""
    order: list[tuple[int, list[str]]] = []
    for question_id, value in re.findall(r'name="q-(\d+)" value="([^"]*)"', html):
        if not order or order[-1][0] != int(question_id):
            order.append((int(question_id), []))
        order[-1][1].append(value)
    return order


def shown_choices(html: str) -> list[tuple[int, list[tuple[str, str]]]]:
    """Return the questions and their choices' (value, text) in the order the page shows them."""
    order: list[tuple[int, list[tuple[str, str]]]] = []
    for question_id, value, text in re.findall(
        r'name="q-(\d+)" value="([^"]*)"(?: checked)?> <span>([^<]*)</span>', html
    ):
        if not order or order[-1][0] != int(question_id):
            order.append((int(question_id), []))
        order[-1][1].append((value, text))
    return order


@pytest.fixture
def course(learner_hanoi):
    course = course_make(title="An toàn trên không gian mạng")
    enrolment_create(learner=learner_hanoi, course=course)
    return course


@pytest.fixture
def quiz(course):
    return quiz_make(course=course)


@pytest.fixture
def learner_client(in_english, learner_hanoi):
    in_english.force_login(learner_hanoi)
    return in_english


# --- The quiz lesson's page -----------------------------------------------------------------------


def test_quiz_page_shows_the_rules_and_a_start_button(learner_client, quiz):
    """The page states the questions drawn, the pass mark, the attempts left and the time limit, and offers Start."""
    html = learner_client.get(lesson_url(quiz.lesson)).content.decode()
    assert "10 questions drawn at random" in html
    assert "Pass mark: 70%." in html
    assert "2 attempts allowed." in html and "You have 2 left." in html
    assert "Time limit: 15 minutes, counted by the server" in html
    assert "Final exam of the course" in html
    assert f'action="{start_url(quiz.lesson)}"' in html and "Start the quiz" in html


def test_start_opens_the_attempt_and_the_page_then_offers_to_resume(learner_client, quiz, learner_hanoi):
    """Start creates the attempt and leads to it; the quiz page then offers Resume, which leads back to it."""
    response = learner_client.post(start_url(quiz.lesson))
    attempt = QuizAttempt.objects.get(learner=learner_hanoi)
    assert response.status_code == 302 and response.url == attempt_url("attempt", attempt)

    html = learner_client.get(lesson_url(quiz.lesson)).content.decode()
    assert "Resume your attempt" in html and "In progress" in html
    assert learner_client.post(start_url(quiz.lesson)).url == attempt_url("attempt", attempt)
    assert QuizAttempt.objects.count() == 1


def test_staff_preview_shows_the_rules_and_starts_nothing(client, ministry_staff, quiz):
    """Staff in scope see the rules without a Start button, and a forged Start answers 404 and creates nothing."""
    client.force_login(ministry_staff)
    html = client.get(lesson_url(quiz.lesson)).content.decode()
    assert start_url(quiz.lesson) not in html
    assert client.post(start_url(quiz.lesson)).status_code == 404
    assert not QuizAttempt.objects.exists()


def test_a_third_start_is_refused_with_a_message_when_two_are_allowed(learner_client, quiz, learner_hanoi):
    """After two attempts the page says so, and a forged Start is refused with a message and creates nothing."""
    for _ in range(2):
        attempt_submit(attempt=attempt_start(learner=learner_hanoi, quiz=quiz))

    html = learner_client.get(lesson_url(quiz.lesson)).content.decode()
    assert "You have used all your attempts at this quiz." in html
    assert start_url(quiz.lesson) not in html

    response = learner_client.post(start_url(quiz.lesson), follow=True)
    assert "You have used all 2 attempts allowed at this quiz." in response.content.decode()
    assert QuizAttempt.objects.count() == 2


# --- No answer leakage ----------------------------------------------------------------------------


def test_no_correct_answer_or_explanation_reaches_the_browser_before_submission(learner_client, quiz):
    """The quiz page, Start, the attempt page, each autosave answer and the status say nothing of correctness."""
    bodies = [learner_client.get(lesson_url(quiz.lesson)), learner_client.post(start_url(quiz.lesson))]
    attempt = QuizAttempt.objects.get()
    bodies.append(learner_client.get(attempt_url("attempt", attempt)))
    for question_id in attempt.question_ids:
        bodies.append(autosave(learner_client, attempt, question_id, correct_values(attempt, question_id)))
    outside = Question.objects.exclude(id__in=attempt.question_ids).first()
    bodies.append(autosave(learner_client, attempt, outside.id, values_of(attempt, correct_ids(outside.id))))
    first = attempt.question_ids[0]
    bodies.append(
        autosave(learner_client, attempt, first, correct_values(attempt, first) + wrong_values(attempt, first))
    )
    bodies.append(learner_client.get(attempt_url("status", attempt)))
    bodies.append(learner_client.get(attempt_url("attempt", attempt)))
    bodies.append(learner_client.get(attempt_url("result", attempt), follow=True))

    explanations = list(Question.objects.values_list("explanation", flat=True))
    for response in bodies:
        text = response.content.decode()
        assert not CORRECTNESS_MARKERS.search(text), CORRECTNESS_MARKERS.search(text)
        assert not any(explanation in text for explanation in explanations)
    assert QuizAttempt.objects.get().submitted_at is None


def test_attempt_page_is_byte_identical_when_the_correct_answers_change(learner_client, quiz, learner_hanoi):
    """Flipping which choices are correct and rewriting explanations changes nothing in the page but its CSRF token."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    question_id = attempt.question_ids[0]
    autosave(learner_client, attempt, question_id, wrong_values(attempt, question_id))
    before = learner_client.get(attempt_url("attempt", attempt)).content.decode()

    for choice in Choice.objects.filter(question_id__in=attempt.question_ids):
        choice.is_correct = not choice.is_correct
        choice.save(update_fields=["is_correct"])
    Question.objects.filter(id__in=attempt.question_ids).update(explanation="Một lời giải thích khác hẳn")
    after = learner_client.get(attempt_url("attempt", attempt)).content.decode()

    assert CSRF_VALUE.sub(r"\1\2", after) == CSRF_VALUE.sub(r"\1\2", before)
    assert "checked" in before


def test_the_draw_is_stable_on_reload(learner_client, quiz, learner_hanoi):
    """Every render shows the attempt's questions, and each one's choices, in the order drawn for it."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    expected = [
        (question_id, values_of(attempt, attempt.choice_orders[str(question_id)]))
        for question_id in attempt.question_ids
    ]
    first = drawn_order(learner_client.get(attempt_url("attempt", attempt)).content.decode())
    second = drawn_order(learner_client.get(attempt_url("attempt", attempt)).content.decode())
    assert first == second == expected
    assert len(first) == 10


def test_choosing_by_the_order_of_the_values_passes_no_quiz(learner_client, course, learner_hanoi):
    """Over 20 attempts the right choice's value ranks anywhere among its question's values and is new each time.

    The learner who picks, in every question, the value at the rank the right answers' ids hold (the
    second of four) scores what guessing scores, and no value on a page is a choice's id.
    """
    quiz = quiz_make(course=course, attempts_limit=0)
    right_texts = set(Choice.objects.filter(question__course=course, is_correct=True).values_list("text", flat=True))
    choice_ids = {str(choice_id) for choice_id in Choice.objects.values_list("id", flat=True)}
    ranks: Counter[int] = Counter()
    values_seen: defaultdict[str, list[str]] = defaultdict(list)
    scores = []
    for _ in range(20):
        learner_client.post(start_url(quiz.lesson))
        attempt = QuizAttempt.objects.filter(learner=learner_hanoi).latest("number")
        shown = shown_choices(learner_client.get(attempt_url("attempt", attempt)).content.decode())
        form = {}
        for question_id, choices in shown:
            ordered = sorted(value for value, _text in choices)
            ranks[ordered.index(next(value for value, text in choices if text in right_texts))] += 1
            form[f"q-{question_id}"] = ordered[1]
            for value, text in choices:
                values_seen[text].append(value)
        learner_client.post(attempt_url("submit", attempt), form)
        attempt.refresh_from_db()
        scores.append(attempt.score_percent)

    assert sum(ranks.values()) == 200
    # Each rank is expected 50 times (a standard deviation of 6.1).
    assert all(20 <= ranks[rank] <= 80 for rank in range(4)), ranks
    assert all(len(set(values)) == len(values) for values in values_seen.values())
    assert not choice_ids & {value for values in values_seen.values() for value in values}
    # Guessing one of four scores 25 % on average (the mean of 20 attempts has a deviation of 3.1).
    assert sum(scores) / len(scores) < 50, scores


def test_a_value_of_another_attempt_or_a_choice_id_is_refused(learner_client, course, learner_hanoi):
    """Autosave and the form refuse a value from the learner's previous attempt, or a choice's id, and save nothing."""
    quiz = quiz_make(course=course, questions=10, attempts_limit=0)
    first = attempt_start(learner=learner_hanoi, quiz=quiz)
    attempt_submit(attempt=first)
    second = attempt_start(learner=learner_hanoi, quiz=quiz)
    question_id = second.question_ids[0]
    earlier = correct_values(first, question_id)

    for choices in (earlier, [str(choice_id) for choice_id in correct_ids(question_id)], correct_ids(question_id)):
        response = autosave(learner_client, second, question_id, choices)
        assert response.status_code == 400, choices
    html = learner_client.post(attempt_url("submit", second), {f"q-{question_id}": earlier}, follow=True)
    assert "This answer is not one of the question&#x27;s choices." in html.content.decode()

    second.refresh_from_db()
    assert second.submitted_at is None
    assert answers_state(second) == []


def test_attempt_page_queries_do_not_grow_with_the_number_of_questions(learner_client, course, learner_hanoi):
    """An attempt of 30 questions runs as many queries as one of 3."""

    def queries(drawn: int) -> int:
        quiz = quiz_make(
            course=course, questions=drawn, questions_drawn=drawn, title=f"Kiểm tra {drawn}", is_final_exam=False
        )
        attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
        with CaptureQueriesContext(connection) as context:
            assert learner_client.get(attempt_url("attempt", attempt)).status_code == 200
        return len(context.captured_queries)

    assert queries(3) == queries(30)


# --- Autosave -------------------------------------------------------------------------------------


def test_autosave_saves_the_answer_and_tells_the_time_left(learner_client, quiz, learner_hanoi):
    """A saved answer is acknowledged with the seconds left by the server's clock, and shows on reload."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    question_id = attempt.question_ids[0]
    response = autosave(learner_client, attempt, question_id, wrong_values(attempt, question_id))
    body = response.json()
    assert response.status_code == 200
    assert body["saved"] is True and body["closed"] is False
    assert 890 <= body["seconds_left"] <= 900
    assert answers_state(attempt)[0][:2] == (question_id, wrong_ids(question_id))
    page = learner_client.get(attempt_url("attempt", attempt)).content.decode()
    assert f'name="q-{question_id}" value="{wrong_values(attempt, question_id)[0]}" checked' in page


def test_autosave_needs_the_page_s_csrf_token(learner_hanoi, quiz):
    """Without the token a forged autosave is refused; with the page's token it is saved."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner_hanoi)
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    question_id = attempt.question_ids[0]
    page = client.get(attempt_url("attempt", attempt)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = json.dumps({"question": question_id, "choices": wrong_values(attempt, question_id)})

    assert client.post(attempt_url("answer", attempt), body, content_type="application/json").status_code == 403
    assert answers_state(attempt) == []
    response = client.post(
        attempt_url("answer", attempt), body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert len(answers_state(attempt)) == 1


def test_autosave_refuses_a_question_not_in_the_attempt_and_malformed_bodies(learner_client, quiz, learner_hanoi):
    """A question outside the draw, a foreign choice or a malformed body gets a clear message and changes nothing."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    first = attempt.question_ids[0]
    autosave(learner_client, attempt, first, wrong_values(attempt, first))
    before = answers_state(attempt)
    outside = Question.objects.exclude(id__in=attempt.question_ids).first()

    refused = autosave(learner_client, attempt, outside.id, values_of(attempt, correct_ids(outside.id)))
    assert refused.status_code == 400
    assert refused.json()["error"] == "This question is not part of your attempt."
    foreign = autosave(learner_client, attempt, first, correct_values(attempt, attempt.question_ids[1]))
    assert foreign.json()["error"] == "This answer is not one of the question's choices."
    for body in ("not json", json.dumps([1, 2]), json.dumps({"question": "x"}), json.dumps({"question": True})):
        response = learner_client.post(attempt_url("answer", attempt), body, content_type="application/json")
        assert response.status_code == 400 and response.json()["error"] == "The answer is malformed."
    assert answers_state(attempt) == before


def test_autosave_after_the_time_limit_is_refused_and_says_the_attempt_is_closed(learner_client, quiz, learner_hanoi):
    """After the deadline an answer is refused with 409 and `closed`, and nothing is saved."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    QuizAttempt.objects.filter(id=attempt.id).update(deadline_at=timezone.now() - timedelta(seconds=5))
    question_id = attempt.question_ids[0]

    response = autosave(learner_client, attempt, question_id, correct_values(attempt, question_id))

    assert response.status_code == 409
    assert response.json()["closed"] is True and response.json()["seconds_left"] == 0
    assert "The time limit has passed" in response.json()["error"]
    assert answers_state(attempt) == []


def test_another_learner_reaches_none_of_an_attempt(client, quiz, learner_hanoi, learner_hue, course):
    """Someone else's attempt answers 404 to its page, autosave, status, submit and result, and stays untouched."""
    enrolment_create(learner=learner_hue, course=course)
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    client.force_login(learner_hue)
    question_id = attempt.question_ids[0]

    assert client.get(attempt_url("attempt", attempt)).status_code == 404
    assert autosave(client, attempt, question_id, correct_values(attempt, question_id)).status_code == 404
    assert client.get(attempt_url("status", attempt)).status_code == 404
    assert (
        client.post(
            attempt_url("submit", attempt), {f"q-{question_id}": correct_values(attempt, question_id)}
        ).status_code
        == 404
    )
    assert client.get(attempt_url("result", attempt)).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and answers_state(attempt) == []


# --- Submitting and the result --------------------------------------------------------------------


def test_submitting_the_form_without_script_saves_grades_and_shows_the_review(learner_client, quiz, learner_hanoi):
    """The plain form post saves every answer, grades it and leads to the score and the corrections."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    form = {f"q-{question_id}": correct_values(attempt, question_id) for question_id in attempt.question_ids[:8]}
    form |= {f"q-{question_id}": wrong_values(attempt, question_id) for question_id in attempt.question_ids[8:]}

    response = learner_client.post(attempt_url("submit", attempt), form, follow=True)

    html = response.content.decode()
    attempt.refresh_from_db()
    assert response.redirect_chain[-1][0] == attempt_url("result", attempt)
    assert attempt.passed is True and attempt.score_percent == 80
    assert "Your answers were submitted." in html
    assert "Your score: 80%" in html and "Passed." in html
    assert "Giải thích riêng của câu" in html and "correct answer" in html and "your answer" in html
    assert html.count('class="review-question is-wrong"') == 2


def test_without_review_the_result_shows_the_score_only(learner_client, course, learner_hanoi):
    """A quiz that allows no review shows the score and no correction or explanation."""
    quiz = quiz_make(course=course, review_allowed=False)
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=5)
    learner_client.post(attempt_url("submit", attempt))

    html = learner_client.get(attempt_url("result", attempt)).content.decode()

    assert "Your score: 50%" in html and "Not passed: the pass mark is 70%." in html
    assert "Giải thích riêng của câu" not in html and "correct answer" not in html
    assert "The corrections of this quiz are not shown." in html


def test_a_double_form_submission_counts_once(learner_client, quiz, learner_hanoi):
    """Submitting twice (a double click) grades once and says the second time that it was already submitted."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=10)
    learner_client.post(attempt_url("submit", attempt))
    second = learner_client.post(attempt_url("submit", attempt), follow=True)
    assert "This attempt had already been submitted." in second.content.decode()
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.QUIZ_PASSED).count() == 1


def expired_attempt(attempt: QuizAttempt):
    """Move the attempt's deadline a minute back: its first five answers were saved in time, the rest late."""
    deadline = timezone.now() - timedelta(minutes=1)
    QuizAttempt.objects.filter(id=attempt.id).update(deadline_at=deadline)
    in_time, late = attempt.question_ids[:5], attempt.question_ids[5:]
    AttemptAnswer.objects.filter(attempt=attempt, question_id__in=in_time).update(
        saved_at=deadline - timedelta(seconds=1)
    )
    AttemptAnswer.objects.filter(attempt=attempt, question_id__in=late).update(
        saved_at=deadline + timedelta(seconds=10)
    )
    return deadline


def test_viewing_an_expired_attempt_s_pages_changes_nothing(learner_client, quiz, learner_hanoi):
    """No GET grades: the quiz page, the attempt page and its result leave an expired attempt open."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=10)
    expired_attempt(attempt)
    events = LearningEvent.objects.count()

    lesson_page = learner_client.get(lesson_url(quiz.lesson))
    attempt_page = learner_client.get(attempt_url("attempt", attempt))
    result_page = learner_client.get(attempt_url("result", attempt))

    attempt.refresh_from_db()
    assert lesson_page.status_code == 200 and attempt_page.status_code == 200
    assert result_page.status_code == 302 and result_page.url == attempt_url("attempt", attempt)
    assert (attempt.submitted_at, attempt.score_percent, attempt.passed) == (None, None, None)
    assert LearningEvent.objects.count() == events


def test_an_expired_attempt_is_graded_when_its_form_is_posted(learner_client, quiz, learner_hanoi):
    """Coming back after the limit, the page's form (posted by its script) leads to the result, graded on
    the answers saved in time, once."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=10)
    deadline = expired_attempt(attempt)

    response = learner_client.post(attempt_url("submit", attempt))
    learner_client.get(attempt_url("attempt", attempt))

    attempt.refresh_from_db()
    assert response.status_code == 302 and response.url == attempt_url("result", attempt)
    assert (attempt.submitted_at, attempt.score_percent, attempt.passed) == (deadline, 50, False)
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.QUIZ_FAILED).count() == 1


def test_a_late_form_submission_is_graded_on_the_answers_saved_in_time(learner_client, quiz, learner_hanoi):
    """The form posted after the limit saves nothing more and says that only answers saved in time counted."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=0)
    QuizAttempt.objects.filter(id=attempt.id).update(deadline_at=timezone.now() - timedelta(seconds=30))
    form = {f"q-{question_id}": correct_values(attempt, question_id) for question_id in attempt.question_ids}

    html = learner_client.post(attempt_url("submit", attempt), form, follow=True).content.decode()

    attempt.refresh_from_db()
    assert attempt.score_percent == 0 and attempt.passed is False
    assert "The time limit had passed: only the answers saved in time were graded." in html


def test_passing_the_final_quiz_completes_the_course_and_the_course_page_says_so(
    learner_client, course, quiz, learner_hanoi
):
    """The result announces the completion; the course page shows the rule and the date, within its query bound."""
    rule = "Complete every required lesson and pass the final quiz to complete this course and receive a certificate."
    assert rule in learner_client.get(course.get_absolute_url()).content.decode()

    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=10)
    result = learner_client.post(attempt_url("submit", attempt), follow=True).content.decode()
    completion = CourseCompletion.objects.get(learner=learner_hanoi)
    assert "you have completed the course" in result

    with CaptureQueriesContext(connection) as context:
        page = learner_client.get(course.get_absolute_url()).content.decode()
    assert len(context.captured_queries) <= 10
    assert rule in page
    with translation.override("en"):
        assert f"Completed on {date_format(timezone.localtime(completion.completed_at), 'DATE_FORMAT')}" in page


def test_course_page_without_a_final_quiz_states_the_lessons_rule(in_english):
    """A course without a final quiz asks only for the required lessons."""
    course = course_make()
    html = in_english.get(course.get_absolute_url()).content.decode()
    assert "Complete every required lesson to complete this course and receive a certificate." in html
    assert "pass the final quiz" not in html
