"""Writes of the question bank and of quiz settings: rules, all-or-nothing imports, published quizzes kept drawable."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from courses.models import Choice, Course, Lesson, Question, QuestionTag, Quiz
from courses.pure.question_rules import ChoiceRow, question_import_key
from courses.pure.question_sheet import COLUMN_CHOICES, COLUMN_CORRECT, COLUMN_TEXT, COLUMNS
from courses.pure.question_template import template_csv, template_xlsx
from courses.services import structure
from courses.services.questions import (
    question_activate,
    question_create,
    question_deactivate,
    question_delete,
    question_update,
    questions_import,
    quiz_settings_save,
)
from learners.models import QuizAttempt
from learners.services.enrolments import enrolment_create
from tests.factories import course_make, lesson_make

pytestmark = pytest.mark.django_db

SINGLE, MULTIPLE, TRUE_FALSE = Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.TRUE_FALSE


@pytest.fixture(autouse=True)
def messages_in_english():
    """Refusals are matched on their English text; the site's default language is Vietnamese."""
    with translation.override("en"):
        yield


@pytest.fixture
def course(province_hue) -> Course:
    return course_make(title="An toàn trên mạng", province=province_hue)


@pytest.fixture
def quiz_lesson(course) -> Lesson:
    return lesson_make(
        course=course,
        kind=Lesson.Kind.QUIZ,
        title="Bài kiểm tra cuối khóa",
        is_published=False,
        processing=Lesson.Processing.NOT_NEEDED,
    )


def choices(*pairs: tuple[str, bool]) -> list[ChoiceRow]:
    return [ChoiceRow(text, correct) for text, correct in pairs]


OTP_CHOICES = choices(("Mật khẩu dùng một lần", True), ("Số tài khoản", False), ("Tên đăng nhập", False))


def question_add(course: Course, text: str = "Mã OTP là gì?", *, tags=(), **fields) -> Question:
    values = {"kind": SINGLE, "choices": OTP_CHOICES} | fields
    return question_create(course=course, text=text, tag_names=tags, **values)


def questions_add(course: Course, count: int, *, tags=()) -> list[Question]:
    return [question_add(course, f"Câu hỏi số {number}", tags=tags) for number in range(count)]


def bank(course: Course) -> dict:
    """Everything a bank write could change in a course."""
    return {
        "questions": list(
            Question.objects.filter(course=course)
            .order_by("id")
            .values_list("id", "kind", "text", "explanation", "is_active", "import_key")
        ),
        "choices": list(
            Choice.objects.filter(question__course=course)
            .order_by("id")
            .values_list("id", "question_id", "text", "is_correct", "position")
        ),
        "tags": list(QuestionTag.objects.filter(course=course).order_by("id").values_list("id", "name")),
        "question_tags": sorted(
            Question.tags.through.objects.filter(question__course=course).values_list("question_id", "questiontag_id")
        ),
        "quizzes": list(Quiz.objects.filter(lesson__course=course).order_by("id").values()),
    }


def attempt_drawing(question: Question, quiz: Quiz, learner) -> QuizAttempt:
    """An attempt whose draw holds the question, as learners.services.quizzes.attempt_start stores it."""
    enrolment = enrolment_create(learner=learner, course=quiz.lesson.course)
    choice_ids = list(question.choices.values_list("id", flat=True))
    return QuizAttempt.objects.create(
        learner=learner,
        quiz=quiz,
        enrolment=enrolment,
        number=1,
        seed=42,
        question_ids=[question.id],
        choice_orders={str(question.id): choice_ids},
    )


def quiz_of(lesson: Lesson, **fields) -> Quiz:
    values = {"questions_drawn": 2, "pass_mark_percent": 70, "attempts_limit": 2} | fields
    return quiz_settings_save(lesson=lesson, **values)


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def csv_upload(rows: list[dict], name: str = "cau-hoi.csv") -> SimpleUploadedFile:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for cells in rows:
        writer.writerow([cells.get(column, "") for column in COLUMNS])
    return upload(text.getvalue().encode("utf-8-sig"), name)


def csv_row(text: str, **cells) -> dict:
    return {
        COLUMN_TEXT: text,
        "Loại câu hỏi": "Một đáp án",
        COLUMN_CHOICES[0]: "Có",
        COLUMN_CHOICES[1]: "Không",
        COLUMN_CORRECT: "A",
    } | cells


# --- Creating and changing questions -----------------------------------------------------------------


def test_question_is_created_with_its_choices_in_order_tags_and_key(course):
    """A new question keeps its choices in order, gets its tags and the key its content gives."""
    question = question_add(course, "  Mã   OTP là gì? ", tags=["An toàn", "Ngân hàng"], explanation="OTP: mã một lần.")

    question.refresh_from_db()
    assert question.text == "Mã OTP là gì?"
    assert question.is_active
    assert [(c.text, c.is_correct, c.position) for c in question.choices.all()] == [
        ("Mật khẩu dùng một lần", True, 0),
        ("Số tài khoản", False, 1),
        ("Tên đăng nhập", False, 2),
    ]
    assert sorted(question.tags.values_list("name", flat=True)) == ["An toàn", "Ngân hàng"]
    assert question.import_key == question_import_key(kind=SINGLE, text="Mã OTP là gì?", choices=OTP_CHOICES)


def test_tags_are_reused_whatever_their_letter_case(course):
    """A tag named again, in another letter case, is the course's existing tag, not a new one."""
    first = question_add(course, "Câu một", tags=["An toàn"])
    second = question_add(course, "Câu hai", tags=["an toàn", "Mới"])

    assert QuestionTag.objects.filter(course=course).count() == 2
    assert set(first.tags.all()) < set(second.tags.all())


@pytest.mark.parametrize(
    ("kind", "pairs", "message"),
    [
        (SINGLE, [("Có", True), ("Không", True)], "exactly one correct answer"),
        (TRUE_FALSE, [("Đúng", True), ("Sai", True)], "exactly one correct answer"),
        (TRUE_FALSE, [("Đúng", True), ("Sai", False), ("Không biết", False)], "exactly two choices"),
        (MULTIPLE, [("Có", False), ("Không", False)], "Mark the correct answer"),
        (SINGLE, [("Có", True)], "at least two answer choices"),
        (SINGLE, [("Có", True), ("có", False)], "Two answer choices are the same"),
        ("essay", [("Có", True), ("Không", False)], "Choose the kind of question"),
    ],
)
def test_question_with_wrong_choices_is_refused_and_nothing_is_written(course, kind, pairs, message):
    """Choices that do not make a question of its kind are refused, and the bank is unchanged."""
    before = bank(course)

    with pytest.raises(ValidationError) as error:
        question_add(course, kind=kind, choices=choices(*pairs), tags=["Thẻ mới"])

    assert message in " ".join(error.value.messages)
    assert bank(course) == before


def test_same_question_twice_in_a_course_is_refused_but_allowed_in_another(course, province_hue):
    """The same question with the same answers is refused in its course's bank, and accepted in another course's."""
    question_add(course)
    before = bank(course)

    with pytest.raises(ValidationError, match="already has this question"):
        question_add(course, "MÃ OTP LÀ GÌ?", choices=list(reversed(OTP_CHOICES)))

    assert bank(course) == before
    other = course_make(province=province_hue)
    assert question_add(other).course == other


def test_question_update_rewrites_its_content_and_key_keeping_choice_rows(course):
    """Changing a question rewrites its text, choices, tags and key; the choice rows are kept."""
    question = question_add(course, tags=["Cũ"])
    choice_ids = list(question.choices.values_list("id", flat=True))
    old_key = question.import_key

    question_update(
        question=question,
        kind=MULTIPLE,
        text="Những gì là mã bí mật?",
        choices=choices(("Mã OTP", True), ("Mã PIN", True), ("Số điện thoại", False), ("Tên", False)),
        tag_names=["Mới"],
    )

    question.refresh_from_db()
    assert (question.kind, question.text) == (MULTIPLE, "Những gì là mã bí mật?")
    assert question.import_key != old_key
    rows = list(question.choices.values_list("id", "text", "is_correct"))
    assert [row[0] for row in rows[:3]] == choice_ids
    assert [row[1:] for row in rows] == [("Mã OTP", True), ("Mã PIN", True), ("Số điện thoại", False), ("Tên", False)]
    assert list(question.tags.values_list("name", flat=True)) == ["Mới"]


def test_question_update_drops_choices_left_out(course):
    """Choices left out of an update are deleted."""
    question = question_add(course)

    question_update(question=question, kind=SINGLE, text=question.text, choices=OTP_CHOICES[:2])

    assert question.choices.count() == 2


def test_drawn_question_keeps_its_answers_but_its_wording_can_be_fixed(course, quiz_lesson, learner_hue):
    """A question drawn in an attempt may be reworded, but its kind, choice count and correct answers stay."""
    question = question_add(course)
    attempt_drawing(question, quiz_of(quiz_lesson, questions_drawn=1), learner_hue)
    before = bank(course)

    refused = [
        {"kind": MULTIPLE, "choices": OTP_CHOICES},
        {"kind": SINGLE, "choices": choices(("Mật khẩu dùng một lần", False), ("Số tài khoản", True), ("Tên", False))},
        {"kind": SINGLE, "choices": OTP_CHOICES[:2]},
    ]
    for change in refused:
        with pytest.raises(ValidationError, match="can no longer change"):
            question_update(question=question, text=question.text, **change)
        assert bank(course) == before

    reworded = choices(("Mật khẩu một lần (OTP)", True), ("Số tài khoản", False), ("Tên đăng nhập", False))
    question_update(question=question, kind=SINGLE, text="Mã OTP là gì vậy?", choices=reworded)
    assert list(question.choices.values_list("text", flat=True))[0] == "Mật khẩu một lần (OTP)"


# --- Deactivating and deleting ------------------------------------------------------------------------


def test_drawn_question_is_deactivated_not_deleted(course, quiz_lesson, learner_hue):
    """A question an attempt drew cannot be deleted; it is deactivated instead and stays for the attempt."""
    question = question_add(course)
    attempt_drawing(question, quiz_of(quiz_lesson, questions_drawn=1), learner_hue)
    before = bank(course)

    with pytest.raises(ValidationError, match="cannot be deleted"):
        question_delete(question=question)
    assert bank(course) == before

    question_deactivate(question=question)
    question.refresh_from_db()
    assert not question.is_active
    question_activate(question=question)
    question.refresh_from_db()
    assert question.is_active


def test_question_never_drawn_is_deleted_with_its_choices(course, quiz_lesson, learner_hue):
    """A question no attempt drew is deleted with its choices; another drawn question does not prevent it."""
    drawn, free = question_add(course, "Câu đã dùng"), question_add(course, "Câu chưa dùng")
    attempt_drawing(drawn, quiz_of(quiz_lesson, questions_drawn=1), learner_hue)

    question_delete(question=free)

    assert list(Question.objects.filter(course=course)) == [drawn]
    assert not Choice.objects.filter(question_id=free.id).exists()


# The embedded run's database: the child process starts with the embedded defaults (SQLite under its
# own var directory), migrates, then deletes one question an attempt drew and one it did not.
SQLITE_DELETE = """
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0)
from courses.models import Lesson, Question, Quiz
from courses.pure.question_rules import ChoiceRow
from courses.services.questions import question_create, question_delete, question_update
from learners.models import Enrolment, QuizAttempt
from onetouch.models import User
from tests.factories import course_make, lesson_make

assert connection.vendor == "sqlite"
course = course_make()
lesson = lesson_make(
    course=course, kind=Lesson.Kind.QUIZ, is_published=False, processing=Lesson.Processing.NOT_NEEDED
)
choices = [ChoiceRow("Mật khẩu dùng một lần", True), ChoiceRow("Số tài khoản", False)]
drawn = question_create(course=course, kind="single", text="Câu đã dùng", choices=choices)
free = question_create(course=course, kind="single", text="Câu chưa dùng", choices=choices)
quiz = Quiz.objects.create(lesson=lesson, questions_drawn=1)
learner = User.objects.create_user("hoc.vien@example.vn", "mat-khau-dai-123")
enrolment = Enrolment.objects.create(learner=learner, course=course)
QuizAttempt.objects.create(
    learner=learner, quiz=quiz, enrolment=enrolment, number=1, seed=42, question_ids=[7_000_000, drawn.id]
)
try:
    question_delete(question=drawn)
except ValidationError:
    print("drawn: refused")
try:
    question_update(question=drawn, kind="single", text="Câu đã dùng", choices=list(reversed(choices)))
except ValidationError:
    print("drawn: answers kept")
question_delete(question=free)
print("free: deleted" if not Question.objects.filter(id=free.id).exists() else "free: kept")
"""


def test_question_delete_works_on_sqlite_the_embedded_database(tmp_path):
    """On SQLite, which has no JSON containment, a drawn question is still refused and a free one deleted."""
    root = Path(__file__).resolve().parents[2]
    environment = {name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "REDIS_URL"}}
    environment |= {"DJANGO_SETTINGS_MODULE": "onetouch.settings.base", "DEBUG": "true"}
    environment |= {"ONETOUCH_VAR_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path / "media")}

    result = subprocess.run(
        [sys.executable, "-c", SQLITE_DELETE],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[:3] == ["drawn: refused", "drawn: answers kept", "free: deleted"]


def test_deactivating_a_question_a_published_quiz_needs_is_refused(course, quiz_lesson):
    """A published quiz drawing two questions keeps them: deactivating or deleting one of two is refused."""
    first, second = questions_add(course, 2)
    quiz_of(quiz_lesson, questions_drawn=2)
    structure.lesson_publish(lesson=quiz_lesson)
    before = bank(course)

    with pytest.raises(ValidationError, match="“Bài kiểm tra cuối khóa” without enough questions"):
        question_deactivate(question=first)
    with pytest.raises(ValidationError, match="without enough questions"):
        question_delete(question=second)

    assert bank(course) == before


def test_retagging_a_question_a_published_tagged_quiz_needs_is_refused(course, quiz_lesson):
    """Removing the tag a published quiz draws from, below what it draws, is refused."""
    first, _second = questions_add(course, 2, tags=["Cuối khóa"])
    quiz_of(quiz_lesson, questions_drawn=2, draw_tag=QuestionTag.objects.get(name="Cuối khóa"))
    structure.lesson_publish(lesson=quiz_lesson)
    before = bank(course)

    with pytest.raises(ValidationError, match="without enough questions"):
        question_update(question=first, kind=SINGLE, text=first.text, choices=OTP_CHOICES, tag_names=[])

    assert bank(course) == before


# --- Import -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("write", "name"), [(template_xlsx, "mau.xlsx"), (template_csv, "mau.csv")])
def test_import_creates_the_questions_and_a_second_import_adds_nothing(course, write, name):
    """Importing the template creates its three questions with choices and tags; importing it again adds none."""
    report = questions_import(course=course, uploaded_file=upload(write(), name))

    assert (report.ok, report.created, report.skipped) == (True, 3, 0)
    assert sorted(Question.objects.filter(course=course).values_list("kind", flat=True)) == [
        MULTIPLE,
        SINGLE,
        TRUE_FALSE,
    ]
    assert Choice.objects.filter(question__course=course).count() == 4 + 4 + 2
    assert sorted(QuestionTag.objects.filter(course=course).values_list("name", flat=True)) == [
        "An toàn thông tin",
        "Dịch vụ công",
        "VNeID",
    ]
    vneid = Question.objects.get(course=course, kind=MULTIPLE)
    assert sorted(vneid.tags.values_list("name", flat=True)) == ["Dịch vụ công", "VNeID"]
    assert [c.is_correct for c in vneid.choices.all()] == [True, True, True, False]
    before = bank(course)

    again = questions_import(course=course, uploaded_file=upload(write(), name))

    assert (again.ok, again.created, again.skipped) == (True, 0, 3)
    assert bank(course) == before


def test_xlsx_and_csv_of_the_same_questions_are_the_same_questions(course):
    """The CSV template imported after the Excel one adds nothing: both hold the same questions."""
    questions_import(course=course, uploaded_file=upload(template_xlsx(), "mau.xlsx"))

    report = questions_import(course=course, uploaded_file=upload(template_csv(), "mau.csv"))

    assert (report.created, report.skipped) == (0, 3)
    assert Question.objects.filter(course=course).count() == 3


def test_import_with_one_bad_row_writes_nothing_and_lists_every_bad_row(course):
    """One bad row and nothing is imported; every bad row is reported with its row number."""
    question_add(course, tags=["Có sẵn"])
    before = bank(course)
    rows = [
        csv_row("Câu tốt", **{"Thẻ": "Thẻ mới"}),
        csv_row("", **{COLUMN_CORRECT: "C"}),
        csv_row("Câu tốt khác"),
        csv_row("Câu sai loại", **{"Loại câu hỏi": "Tự luận"}),
    ]

    report = questions_import(course=course, uploaded_file=csv_upload(rows))

    assert not report.ok
    assert (report.created, report.skipped) == (0, 0)
    assert [(p.row, p.column) for p in report.problems] == [
        (3, COLUMN_TEXT),
        (3, COLUMN_CORRECT),
        (5, "Loại câu hỏi"),
    ]
    assert bank(course) == before


def test_import_reuses_existing_tags_and_skips_repeats_within_the_file(course):
    """Imported tags join the course's existing ones, and a question repeated in one file is created once."""
    question_add(course, "Câu có sẵn", choices=choices(("Có", True), ("Không", False)), tags=["An toàn"])
    rows = [csv_row("Câu mới", **{"Thẻ": "an toàn"}), csv_row("Câu mới"), csv_row("Câu có sẵn")]

    report = questions_import(course=course, uploaded_file=csv_upload(rows))

    assert (report.created, report.skipped) == (1, 2)
    assert list(QuestionTag.objects.filter(course=course).values_list("name", flat=True)) == ["An toàn"]
    assert Question.objects.get(course=course, text="Câu mới").tags.get().name == "An toàn"


def test_import_of_a_file_that_is_not_a_spreadsheet_writes_nothing(course):
    """A PDF given as questions is refused whole and changes nothing."""
    before = bank(course)

    report = questions_import(course=course, uploaded_file=upload(b"%PDF-1.4\n%\xe2\xe3\n", "cau-hoi.csv"))

    assert [(p.row, p.message.split(".")[0]) for p in report.problems] == [(None, "This file is not a spreadsheet")]
    assert bank(course) == before


# --- Quiz settings ------------------------------------------------------------------------------------


def test_quiz_settings_are_created_then_changed_in_one_row(course, quiz_lesson):
    """Saving settings twice keeps one quiz row with the latest values."""
    tag = question_add(course, tags=["Cuối khóa"]).tags.get()

    quiz_settings_save(
        lesson=quiz_lesson,
        questions_drawn=10,
        pass_mark_percent=70,
        attempts_limit=2,
        time_limit_minutes=15,
        is_final_exam=True,
    )
    quiz_settings_save(
        lesson=quiz_lesson,
        questions_drawn=1,
        pass_mark_percent=80,
        attempts_limit=0,
        time_limit_minutes=None,
        draw_tag=tag,
        shuffle_choices=False,
        review_allowed=False,
        is_final_exam=True,
    )

    quiz = Quiz.objects.get(lesson=quiz_lesson)
    assert (quiz.questions_drawn, quiz.pass_mark_percent, quiz.attempts_limit, quiz.time_limit_minutes) == (
        1,
        80,
        0,
        None,
    )
    assert (quiz.draw_tag, quiz.shuffle_choices, quiz.review_allowed, quiz.is_final_exam) == (tag, False, False, True)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pass_mark_percent": 0}, "pass_mark_percent"),
        ({"pass_mark_percent": 101}, "pass_mark_percent"),
        ({"questions_drawn": 0}, "questions_drawn"),
        ({"attempts_limit": -1}, "attempts_limit"),
        ({"time_limit_minutes": 0}, "time_limit_minutes"),
    ],
)
def test_quiz_settings_out_of_bounds_are_refused_and_nothing_changes(course, quiz_lesson, change, field):
    """A pass mark outside 1–100, no question drawn, negative attempts or a zero time limit are refused."""
    quiz_of(quiz_lesson)
    before = bank(course)

    with pytest.raises(ValidationError) as error:
        quiz_of(quiz_lesson, **change)

    assert field in error.value.message_dict
    assert bank(course) == before


def test_quiz_cannot_draw_from_another_courses_tag(course, quiz_lesson, province_hue):
    """A tag of another course's bank is refused as the quiz's draw tag."""
    other_tag = question_add(course_make(province=province_hue), tags=["Khác"]).tags.get()

    with pytest.raises(ValidationError) as error:
        quiz_of(quiz_lesson, draw_tag=other_tag)

    assert "draw_tag" in error.value.message_dict
    assert not Quiz.objects.filter(lesson=quiz_lesson).exists()


def test_a_course_has_one_final_exam(course, quiz_lesson):
    """A second quiz of the course cannot also be its final exam."""
    quiz_of(quiz_lesson, is_final_exam=True)
    second = lesson_make(course=course, kind=Lesson.Kind.QUIZ, title="Kiểm tra giữa khóa", is_published=False)

    with pytest.raises(ValidationError) as error:
        quiz_of(second, is_final_exam=True)

    assert "“Bài kiểm tra cuối khóa” is already the final exam" in error.value.message_dict["is_final_exam"][0]
    assert not Quiz.objects.filter(lesson=second).exists()
    quiz_of(second, is_final_exam=False)
    quiz_of(quiz_lesson, is_final_exam=True)


def test_only_a_quiz_lesson_has_quiz_settings(course):
    """Quiz settings for a text lesson are refused."""
    text_lesson = lesson_make(course=course, kind=Lesson.Kind.TEXT, body_html="<p>Bài đọc</p>")

    with pytest.raises(ValidationError, match="Only a quiz lesson"):
        quiz_of(text_lesson)

    assert not Quiz.objects.exists()


def test_published_quiz_cannot_be_set_to_draw_more_than_the_bank_holds(course, quiz_lesson):
    """A published quiz's settings asking more questions than the bank has in use are refused."""
    questions_add(course, 2)
    quiz_of(quiz_lesson, questions_drawn=2)
    structure.lesson_publish(lesson=quiz_lesson)
    before = bank(course)

    with pytest.raises(ValidationError, match="draws 3 questions, and the question bank has 2 in use"):
        quiz_of(quiz_lesson, questions_drawn=3)

    assert bank(course) == before


# --- Publishing a quiz lesson -------------------------------------------------------------------------


def test_quiz_lesson_is_published_only_with_settings_and_enough_questions(course, quiz_lesson):
    """A quiz lesson needs its settings and enough active questions (of its tag) before it is published."""
    with pytest.raises(ValidationError, match="Set up this quiz"):
        structure.lesson_publish(lesson=quiz_lesson)

    questions_add(course, 2)
    question_add(course, "Câu có thẻ", tags=["Cuối khóa"])
    quiz_of(quiz_lesson, questions_drawn=3, draw_tag=QuestionTag.objects.get(name="Cuối khóa"))
    with pytest.raises(ValidationError, match="draws 3 questions tagged “Cuối khóa”, and the question bank has 1"):
        structure.lesson_publish(lesson=quiz_lesson)

    quiz_of(quiz_lesson, questions_drawn=3)
    question_deactivate(question=Question.objects.get(text="Câu hỏi số 0"))
    with pytest.raises(ValidationError, match="draws 3 questions, and the question bank has 2 in use"):
        structure.lesson_publish(lesson=quiz_lesson)
    quiz_lesson.refresh_from_db()
    assert not quiz_lesson.is_published

    question_activate(question=Question.objects.get(text="Câu hỏi số 0"))
    structure.lesson_publish(lesson=quiz_lesson)
    quiz_lesson.refresh_from_db()
    assert quiz_lesson.is_published
