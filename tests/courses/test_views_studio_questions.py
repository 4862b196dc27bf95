"""The studio's question bank, import and quiz settings: who reaches them, what they do, what they refuse."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, reverse
from openpyxl import Workbook, load_workbook

from courses.models import Choice, Course, Lesson, Question, QuestionTag, Quiz
from courses.pure.question_rules import ChoiceRow
from courses.pure.question_sheet import COLUMN_CORRECT, COLUMN_TEXT, COLUMNS
from courses.pure.question_template import template_csv, template_xlsx
from courses.services import catalogue, structure
from courses.services.questions import question_create, quiz_settings_save
from courses.urls.studio import question_urlpatterns
from courses.urls.studio import urlpatterns as studio_urlpatterns
from learners.models import QuizAttempt
from learners.services.enrolments import enrolment_create
from tests.courses.test_views_studio import STUDIO_URLS
from tests.factories import course_make

pytestmark = pytest.mark.django_db

SINGLE = Question.Kind.SINGLE


def choices_of(*pairs) -> list[ChoiceRow]:
    return [ChoiceRow(text, correct) for text, correct in pairs]


@pytest.fixture
def hue_course(province_hue) -> Course:
    """A published course of Huế with a text lesson, a draft quiz lesson with settings, and a tagged question."""
    course = course_make(title="An toàn trên mạng của Huế", province=province_hue, is_published=False)
    module = structure.module_create(course=course, title="Phần 1")
    text = structure.lesson_create(module=module, title="Bài đọc", kind=Lesson.Kind.TEXT, body_html="Nội dung")
    structure.lesson_publish(lesson=text)
    quiz_lesson = structure.lesson_create(module=module, title="Bài kiểm tra", kind=Lesson.Kind.QUIZ)
    question_create(
        course=course,
        kind=SINGLE,
        text="Mã OTP là gì?",
        choices=choices_of(("Mật khẩu dùng một lần", True), ("Số tài khoản", False)),
        tag_names=["An toàn"],
    )
    quiz_settings_save(lesson=quiz_lesson, questions_drawn=1, pass_mark_percent=70, attempts_limit=2)
    return catalogue.course_publish(course=course)


def quiz_lesson_of(course: Course) -> Lesson:
    return course.lessons.get(kind=Lesson.Kind.QUIZ)


def snapshot(course: Course) -> dict:
    """Everything a question-bank or quiz-settings page could change about a course."""
    return {
        "questions": list(
            Question.objects.order_by("id").values_list("id", "course_id", "kind", "text", "is_active", "import_key")
        ),
        "choices": list(Choice.objects.order_by("id").values_list("id", "question_id", "text", "is_correct")),
        "tags": list(QuestionTag.objects.order_by("id").values_list("id", "course_id", "name")),
        "question_tags": sorted(Question.tags.through.objects.values_list("question_id", "questiontag_id")),
        "quizzes": list(Quiz.objects.order_by("id").values()),
    }


def question_form_data(**fields) -> dict:
    data = {
        "kind": SINGLE,
        "text": "Không chia sẻ mã OTP với ai?",
        "choice_A": "Đúng vậy",
        "correct_A": "on",
        "choice_B": "Có thể chia sẻ với người quen",
        "explanation": "Mã OTP chỉ dành cho bạn.",
        "tags": "An toàn, Ngân hàng",
    }
    return {key: value for key, value in (data | fields).items() if value is not None}


def quiz_form_data(**fields) -> dict:
    data = {
        "questions_drawn": "1",
        "draw_tag": "",
        "pass_mark_percent": "70",
        "attempts_limit": "2",
        "time_limit_minutes": "15",
        "shuffle_choices": "on",
        "review_allowed": "on",
        "is_final_exam": "on",
    }
    return {key: value for key, value in (data | fields).items() if value is not None}


def csv_upload(rows: list[dict], name: str = "cau-hoi.csv") -> SimpleUploadedFile:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for cells in rows:
        writer.writerow([cells.get(column, "") for column in COLUMNS])
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8"))


def xlsx_upload(rows: list[dict], name: str = "cau-hoi.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    for cells in rows:
        workbook.active.append([cells.get(column, "") for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def sheet_row(text: str, **cells) -> dict:
    return (
        {COLUMN_TEXT: text, "Loại câu hỏi": "Một đáp án", "Đáp án A": "Có", "Đáp án B": "Không"}
        | {COLUMN_CORRECT: "A"}
        | cells
    )


# Every question-bank URL: name, the object its argument names, the method that does its work,
# and the status the owner gets.
QUESTION_URLS = [
    ("studio_question_list", "course", "get", 200),
    ("studio_question_create", "course", "get", 200),
    ("studio_question_import", "course", "get", 200),
    ("studio_question_template", None, "get", 200),
    ("studio_question_edit", "question", "get", 200),
    ("studio_question_deactivate", "question", "post", 302),
    ("studio_question_activate", "question", "post", 302),
    ("studio_question_delete", "question", "get", 200),
    ("studio_quiz_settings", "lesson", "get", 200),
]


def question_url(name: str, target: str | None, course: Course) -> str:
    if target is None:
        return reverse(f"courses:{name}", args=["xlsx"])
    args = {
        "course": course.id,
        "question": course.questions.first().id,
        "lesson": quiz_lesson_of(course).id,
    }[target]
    return reverse(f"courses:{name}", args=[args])


def pattern_names(patterns) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= pattern_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            names.add(pattern.name)
    return names


def test_every_question_bank_url_is_in_the_scope_table():
    """The scope tests below cover each question-bank route, and every studio route is in one scope table."""
    assert pattern_names(question_urlpatterns) == {name for name, *_ in QUESTION_URLS}
    assert all(name.startswith(("studio_question", "studio_quiz")) for name, *_ in QUESTION_URLS)
    covered = {name for name, *_ in QUESTION_URLS} | {name for name, *_ in STUDIO_URLS}
    assert pattern_names(studio_urlpatterns) == covered


@pytest.mark.parametrize(("name", "target", "method", "status"), [url for url in QUESTION_URLS if url[1]])
def test_admin_of_another_province_gets_404_and_changes_nothing(
    client, admin_hanoi, hue_course, name, target, method, status
):
    """Hà Nội's admin gets 404 on every question-bank URL of Huế's course, by GET and POST, and nothing changes."""
    client.force_login(admin_hanoi)
    url = question_url(name, target, hue_course)
    before = snapshot(hue_course)

    assert client.post(url, question_form_data() | quiz_form_data()).status_code == 404
    if method == "get":
        assert client.get(url).status_code == 404
    assert snapshot(hue_course) == before


@pytest.mark.parametrize("person", ["learner_hue", "partner_trainer"])
@pytest.mark.parametrize(("name", "target", "method", "status"), QUESTION_URLS)
def test_learners_and_partner_trainers_get_403_and_change_nothing(
    client, request, hue_course, person, name, target, method, status
):
    """A learner or a partner trainer is forbidden every question-bank URL, and nothing changes."""
    client.force_login(request.getfixturevalue(person))
    url = question_url(name, target, hue_course)
    before = snapshot(hue_course)

    response = client.post(url, question_form_data()) if method == "post" else client.get(url)

    assert response.status_code == 403
    assert snapshot(hue_course) == before


@pytest.mark.parametrize(("name", "target", "method", "status"), QUESTION_URLS)
def test_visitor_is_sent_to_sign_in(client, hue_course, name, target, method, status):
    """A visitor is sent to the sign-in page from every question-bank URL, and nothing changes."""
    url = question_url(name, target, hue_course)
    before = snapshot(hue_course)

    response = client.post(url, question_form_data()) if method == "post" else client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert snapshot(hue_course) == before


@pytest.mark.parametrize("person", ["admin_hue", "ministry_staff"])
@pytest.mark.parametrize(("name", "target", "method", "status"), QUESTION_URLS)
def test_owning_admin_and_ministry_staff_reach_every_question_bank_url(
    client, request, hue_course, person, name, target, method, status
):
    """Huế's admin and ministry staff reach every question-bank URL of Huế's course."""
    client.force_login(request.getfixturevalue(person))
    url = question_url(name, target, hue_course)

    response = client.post(url) if method == "post" else client.get(url)

    assert response.status_code == status


def test_provincial_admin_gets_404_for_a_national_courses_bank(client, admin_hue, ministry_staff):
    """A provincial admin cannot open the question bank of a national course."""
    national = course_make(is_published=False)
    client.force_login(admin_hue)

    assert client.get(reverse("courses:studio_question_list", args=[national.id])).status_code == 404


def test_quiz_settings_of_a_lesson_that_is_not_a_quiz_is_404(client, admin_hue, hue_course):
    """The quiz settings page of a text lesson does not exist."""
    client.force_login(admin_hue)
    text_lesson = hue_course.lessons.get(kind=Lesson.Kind.TEXT)

    response = client.get(reverse("courses:studio_quiz_settings", args=[text_lesson.id]))

    assert response.status_code == 404


# --- The bank -------------------------------------------------------------------------------------------


def test_outline_and_quiz_lesson_link_to_the_bank_and_settings(client, admin_hue, hue_course):
    """The course outline links to the question bank, and a quiz lesson to its settings."""
    client.force_login(admin_hue)
    lesson = quiz_lesson_of(hue_course)
    bank_url = reverse("courses:studio_question_list", args=[hue_course.id])
    settings_url = reverse("courses:studio_quiz_settings", args=[lesson.id])

    outline = client.get(reverse("courses:studio_course", args=[hue_course.id])).content.decode()
    lesson_page = client.get(reverse("courses:studio_lesson", args=[lesson.id])).content.decode()

    assert bank_url in outline and settings_url in outline
    assert bank_url in lesson_page and settings_url in lesson_page
    assert reverse("courses:studio_lesson_upload", args=[lesson.id]) not in lesson_page


def test_bank_filters_by_tag_and_state(client, admin_hue, hue_course):
    """The bank lists a tag's questions, or the deactivated ones, when filtered."""
    other = question_create(
        course=hue_course, kind=SINGLE, text="Câu không có thẻ", choices=choices_of(("Có", True), ("Không", False))
    )
    client.force_login(admin_hue)
    url = reverse("courses:studio_question_list", args=[hue_course.id])
    tag = QuestionTag.objects.get(course=hue_course, name="An toàn")
    client.post(reverse("courses:studio_question_deactivate", args=[other.id]))

    everything = client.get(url).content.decode()
    tagged = client.get(url, {"tag": tag.id}).content.decode()
    deactivated = client.get(url, {"state": "inactive"}).content.decode()

    assert "Mã OTP là gì?" in everything and "Câu không có thẻ" in everything
    assert "Mã OTP là gì?" in tagged and "Câu không có thẻ" not in tagged
    assert "Mã OTP là gì?" not in deactivated and "Câu không có thẻ" in deactivated


def test_bank_queries_are_bounded(client, admin_hue, hue_course, django_assert_max_num_queries):
    """The bank's list runs a fixed number of queries with many tagged questions."""
    for number in range(60):
        question_create(
            course=hue_course,
            kind=SINGLE,
            text=f"Câu hỏi {number}",
            choices=choices_of(("Có", True), ("Không", False)),
            tag_names=[f"Thẻ {number % 7}", "Chung"],
        )
    client.force_login(admin_hue)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("courses:studio_question_list", args=[hue_course.id]))

    assert response.status_code == 200
    assert response.content.decode().count('id="question-') == 50


def test_author_adds_a_question_with_its_choices_and_tags(client, admin_hue, hue_course):
    """The new-question form creates the question, its choices in order, and its tags."""
    client.force_login(admin_hue)

    response = client.post(reverse("courses:studio_question_create", args=[hue_course.id]), question_form_data())

    assert response.status_code == 302
    question = Question.objects.get(text="Không chia sẻ mã OTP với ai?")
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("Đúng vậy", True),
        ("Có thể chia sẻ với người quen", False),
    ]
    assert sorted(question.tags.values_list("name", flat=True)) == ["An toàn", "Ngân hàng"]
    assert QuestionTag.objects.filter(course=hue_course).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"correct_B": "on"}, "exactly one correct answer"),
        ({"correct_A": None}, "Mark the correct answer"),
        ({"choice_B": ""}, "at least two answer choices"),
        ({"correct_C": "on"}, "marked correct but is empty"),
        ({"text": ""}, "This field is required"),
    ],
)
def test_question_form_with_errors_creates_nothing(in_english, admin_hue, hue_course, fields, message):
    """A question with two correct answers, none, one choice or no text is refused with a clear message."""
    in_english.force_login(admin_hue)
    before = snapshot(hue_course)

    response = in_english.post(
        reverse("courses:studio_question_create", args=[hue_course.id]), question_form_data(**fields)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(hue_course) == before


def test_author_edits_a_question(client, admin_hue, hue_course):
    """The edit form shows the question's choices and saves the changes."""
    client.force_login(admin_hue)
    question = hue_course.questions.get()
    url = reverse("courses:studio_question_edit", args=[question.id])
    assert "Mật khẩu dùng một lần" in client.get(url).content.decode()

    client.post(url, question_form_data(text="Mã OTP dùng để làm gì?", tags=""))

    question.refresh_from_db()
    assert question.text == "Mã OTP dùng để làm gì?"
    assert list(question.choices.values_list("text", flat=True)) == ["Đúng vậy", "Có thể chia sẻ với người quen"]
    assert not question.tags.exists()


def test_drawn_question_cannot_be_deleted_from_the_studio(in_english, admin_hue, hue_course, learner_hue):
    """A question an attempt drew offers only deactivation, and a forced deletion is refused."""
    question = hue_course.questions.get()
    quiz = Quiz.objects.get(lesson__course=hue_course)
    QuizAttempt.objects.create(
        learner=learner_hue,
        quiz=quiz,
        enrolment=enrolment_create(learner=learner_hue, course=hue_course),
        number=1,
        seed=7,
        question_ids=[question.id],
    )
    in_english.force_login(admin_hue)
    url = reverse("courses:studio_question_delete", args=[question.id])
    before = snapshot(hue_course)

    page = in_english.get(url).content.decode()
    response = in_english.post(url, follow=True)

    assert "cannot be deleted" in page
    assert reverse("courses:studio_question_deactivate", args=[question.id]) in page
    assert "cannot be deleted" in response.content.decode()
    assert snapshot(hue_course) == before


def test_unused_question_is_deleted_from_the_studio(client, admin_hue, hue_course):
    """A question no attempt drew is deleted after confirmation."""
    client.force_login(admin_hue)
    question = hue_course.questions.get()

    client.post(reverse("courses:studio_question_delete", args=[question.id]))

    assert not Question.objects.filter(id=question.id).exists()


# --- Import -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [xlsx_upload, csv_upload], ids=["xlsx", "csv"])
def test_import_with_a_malformed_row_shows_its_row_and_creates_nothing(in_english, admin_hue, hue_course, make):
    """A file with a malformed row is refused with the row number, column and reason; nothing is created."""
    in_english.force_login(admin_hue)
    before = snapshot(hue_course)
    rows = [sheet_row("Câu tốt", **{"Thẻ": "Thẻ mới"}), sheet_row("Câu thiếu đáp án đúng", **{COLUMN_CORRECT: "D"})]

    response = in_english.post(reverse("courses:studio_question_import", args=[hue_course.id]), {"file": make(rows)})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported." in page
    assert "<td>3</td><td>Đáp án đúng</td>" in page
    assert "the correct answer D names an answer that does not exist" in page
    assert snapshot(hue_course) == before


@pytest.mark.parametrize("make", [xlsx_upload, csv_upload], ids=["xlsx", "csv"])
def test_reimporting_the_same_file_adds_no_duplicates(in_english, admin_hue, hue_course, make):
    """Importing the same file twice creates its questions once, and says how many were skipped."""
    in_english.force_login(admin_hue)
    url = reverse("courses:studio_question_import", args=[hue_course.id])
    rows = [sheet_row("Câu một", **{"Thẻ": "An toàn"}), sheet_row("Câu hai")]

    first = in_english.post(url, {"file": make(rows)}, follow=True)
    after_first = snapshot(hue_course)
    second = in_english.post(url, {"file": make(rows)}, follow=True)

    assert "2 new questions are added to the bank; 0 already in it are skipped." in first.content.decode()
    assert "0 new questions are added to the bank; 2 already in it are skipped." in second.content.decode()
    assert hue_course.questions.count() == 3
    assert QuestionTag.objects.filter(course=hue_course).count() == 1
    assert snapshot(hue_course) == after_first


def test_import_of_a_file_that_is_not_a_spreadsheet_is_refused(in_english, admin_hue, hue_course):
    """An image uploaded as questions is refused whole with a clear message."""
    in_english.force_login(admin_hue)
    before = snapshot(hue_course)
    image = SimpleUploadedFile("cau-hoi.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    response = in_english.post(reverse("courses:studio_question_import", args=[hue_course.id]), {"file": image})

    assert response.status_code == 400
    assert "This file is not a spreadsheet." in response.content.decode()
    assert snapshot(hue_course) == before


def test_import_page_links_both_templates(client, admin_hue, hue_course):
    """The import page offers the Excel and the CSV template."""
    client.force_login(admin_hue)

    page = client.get(reverse("courses:studio_question_import", args=[hue_course.id])).content.decode()

    assert reverse("courses:studio_question_template", args=["xlsx"]) in page
    assert reverse("courses:studio_question_template", args=["csv"]) in page


@pytest.mark.parametrize(
    ("file_format", "content_type", "write"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", template_xlsx),
        ("csv", "text/csv; charset=utf-8", template_csv),
    ],
)
def test_template_downloads_as_an_attachment(client, admin_hue, file_format, content_type, write):
    """Each template downloads as a file with its type and a Vietnamese file name."""
    client.force_login(admin_hue)

    response = client.get(reverse("courses:studio_question_template", args=[file_format]))

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="mau-ngan-hang-cau-hoi.{file_format}"'
    assert template_rows(response.content, file_format) == template_rows(write(), file_format)
    if file_format == "xlsx":
        assert load_workbook(io.BytesIO(response.content)).active["A1"].value == "Câu hỏi"


def template_rows(content: bytes, file_format: str) -> list:
    """The template's rows; an xlsx file's bytes also hold the second it was written, so compare what it says."""
    if file_format == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_unknown_template_format_is_404(client, admin_hue):
    """Only the Excel and CSV templates exist."""
    client.force_login(admin_hue)

    assert client.get(reverse("courses:studio_question_template", args=["pdf"])).status_code == 404


# --- Quiz settings ------------------------------------------------------------------------------------


def test_author_saves_quiz_settings(client, admin_hue, hue_course):
    """The settings form saves the quiz's rules, drawing from a tag of the course."""
    client.force_login(admin_hue)
    lesson = quiz_lesson_of(hue_course)
    tag = QuestionTag.objects.get(course=hue_course)

    response = client.post(
        reverse("courses:studio_quiz_settings", args=[lesson.id]),
        quiz_form_data(draw_tag=str(tag.id), pass_mark_percent="80", review_allowed=None),
    )

    assert response.status_code == 302
    quiz = Quiz.objects.get(lesson=lesson)
    assert (quiz.questions_drawn, quiz.pass_mark_percent, quiz.attempts_limit, quiz.time_limit_minutes) == (
        1,
        80,
        2,
        15,
    )
    assert (quiz.draw_tag, quiz.shuffle_choices, quiz.review_allowed, quiz.is_final_exam) == (tag, True, False, True)


@pytest.mark.parametrize(
    "fields",
    [{"pass_mark_percent": "0"}, {"pass_mark_percent": "101"}, {"questions_drawn": "0"}, {"time_limit_minutes": "0"}],
)
def test_quiz_settings_out_of_bounds_change_nothing(client, admin_hue, hue_course, fields):
    """A pass mark outside 1–100, no question drawn or a zero time limit is refused and changes nothing."""
    client.force_login(admin_hue)
    before = snapshot(hue_course)

    response = client.post(
        reverse("courses:studio_quiz_settings", args=[quiz_lesson_of(hue_course).id]), quiz_form_data(**fields)
    )

    assert response.status_code == 400
    assert snapshot(hue_course) == before


def test_quiz_cannot_draw_from_another_courses_tag(client, admin_hue, hue_course, province_hue):
    """A tag of another course is not a choice for the quiz, and changes nothing."""
    other = course_make(province=province_hue)
    question_create(
        course=other, kind=SINGLE, text="Câu khác", choices=choices_of(("Có", True), ("Không", False)), tag_names=["X"]
    )
    client.force_login(admin_hue)
    before = snapshot(hue_course)

    response = client.post(
        reverse("courses:studio_quiz_settings", args=[quiz_lesson_of(hue_course).id]),
        quiz_form_data(draw_tag=str(QuestionTag.objects.get(course=other).id)),
    )

    assert response.status_code == 400
    assert snapshot(hue_course) == before


def test_quiz_lesson_is_published_once_the_bank_can_fill_it(in_english, admin_hue, hue_course):
    """Publishing a quiz that draws more questions than the bank holds is refused with the reason, then allowed."""
    in_english.force_login(admin_hue)
    lesson = quiz_lesson_of(hue_course)
    in_english.post(reverse("courses:studio_quiz_settings", args=[lesson.id]), quiz_form_data(questions_drawn="2"))
    publish = reverse("courses:studio_lesson_publish", args=[lesson.id])

    refused = in_english.post(publish, follow=True)
    lesson.refresh_from_db()
    assert "The quiz draws 2 questions, and the question bank has 1 in use." in refused.content.decode()
    assert not lesson.is_published

    in_english.post(
        reverse("courses:studio_question_create", args=[hue_course.id]), question_form_data(text="Câu thứ hai")
    )
    in_english.post(publish)
    lesson.refresh_from_db()
    assert lesson.is_published
