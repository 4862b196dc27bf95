"""Browser journey (issue 5): a learner passes the final quiz, gets the certificate and anyone verifies it.

Headless Chromium, a live server and a real Celery worker on the test Redis broker, so the
certificate is issued exactly as in production: by the task queued when the course is completed.
The course, its bank of questions and the learner are set up through the product's services; the
learner then reads, takes the quiz (losing the connection half-way), submits, downloads the PDF,
and a visitor who is not signed in checks the code before and after an admin revokes it.

The interface is Vietnamese by default and being translated, so elements are found by id, name,
href, class and data attributes, and texts are compared with the data (questions, names, codes) or
with the templates the page itself carries (data-saved, data-failed), never with interface text.
"""

import io
import re
import time
import unicodedata
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from courses.models import Choice, Lesson, Question
from courses.pure.question_rules import ChoiceRow
from courses.services.catalogue import course_publish
from courses.services.questions import question_create, quiz_settings_save
from courses.services.structure import lesson_create, lesson_publish, module_create
from learners.models import AttemptAnswer, Certificate, CourseCompletion, LessonProgress, QuizAttempt
from learners.pure.quizzes import choice_value
from learners.services.enrolments import enrolment_create, profile_save
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import path_of, sign_in, wait_until
from tests.factories import course_make

pytestmark = [pytest.mark.e2e]

LEARNER_NAME = "Nguyễn Thị Hồng Nhung"
COURSE_TITLE = "Dịch vụ công trực tuyến và thanh toán số cho người dân Huế"
REVOKE_REASON = "Cấp nhầm: học viên nhờ người khác làm bài kiểm tra cuối khóa"
CERTIFICATE_TIMEOUT_S = 30
DRAWN = 10
ANSWERED_BEFORE_DROP = 5

# The bank: (kind, question, explanation, [(choice, correct), …]). Explanations are worded so that
# none of them appears in a question or a choice: finding one on the attempt page means a leak.
T, F = True, False
BANK = [
    ("single", "Cổng Dịch vụ công quốc gia có địa chỉ nào?", "Địa chỉ chính thức của cổng là dichvucong.gov.vn.",
     [("dichvucong.gov.vn", T), ("dichvucong.com.vn", F), ("congdichvu.vn", F), ("dvc-quocgia.net", F)]),
    ("single", "Mã OTP do ngân hàng gửi đến nên làm gì?", "Mã xác thực một lần chỉ để chính chủ tài khoản nhập.",
     [("Không đưa cho bất kỳ ai", T), ("Đọc cho nhân viên ngân hàng", F), ("Đăng lên mạng xã hội", F),
      ("Gửi cho người thân giữ hộ", F)]),
    ("single", "Ứng dụng định danh điện tử của Bộ Công an tên là gì?", "VNeID là ứng dụng định danh quốc gia.",
     [("VNeID", T), ("Zalo", F), ("VssID", F), ("eTax Mobile", F)]),
    ("single", "Khi nhận cuộc gọi tự xưng công an yêu cầu chuyển tiền, bạn nên?",
     "Cơ quan công an không bao giờ làm việc qua điện thoại để yêu cầu chuyển khoản.",
     [("Cúp máy và báo công an phường, xã", T), ("Chuyển tiền ngay", F), ("Cung cấp số tài khoản", F),
      ("Làm theo hướng dẫn", F)]),
    ("single", "Mật khẩu nào an toàn nhất?", "Mật khẩu dài, trộn chữ hoa, chữ thường, số và ký hiệu thì khó đoán.",
     [("Hue#Song-Huong-2025!", T), ("123456", F), ("matkhau", F), ("ngaysinh1990", F)]),
    ("single", "Thanh toán hóa đơn tiền điện trực tuyến có thể dùng cách nào?",
     "Ví điện tử và ứng dụng ngân hàng đều nhận thanh toán hóa đơn điện.",
     [("Ứng dụng ngân hàng trên điện thoại", T), ("Gửi thư tay cho điện lực", F), ("Gọi tổng đài để đọc số thẻ", F),
      ("Nhắn tin cho người lạ", F)]),
    ("multiple", "Những dấu hiệu nào cho thấy một tin nhắn là lừa đảo?",
     "Kẻ gian hay tạo cảm giác gấp gáp và gửi đường dẫn giả mạo.",
     [("Yêu cầu bấm vào đường dẫn lạ", T), ("Thúc giục phải làm ngay", T), ("Gửi từ tổng đài chính thức", F),
      ("Không hỏi thông tin gì", F)]),
    ("multiple", "Những giấy tờ nào có thể tích hợp vào VNeID?",
     "Thẻ bảo hiểm y tế và giấy phép lái xe đã được tích hợp vào tài khoản định danh mức hai.",
     [("Thẻ bảo hiểm y tế", T), ("Giấy phép lái xe", T), ("Vé xem phim", F), ("Thẻ thành viên siêu thị", F)]),
    ("multiple", "Khi mua hàng trực tuyến, nên làm gì để an toàn?",
     "Chọn sàn uy tín và kiểm tra hàng trước khi trả tiền giúp tránh mất tiền oan.",
     [("Mua trên sàn thương mại điện tử uy tín", T), ("Kiểm tra hàng rồi mới thanh toán", T),
      ("Chuyển khoản trước cho người bán lạ", F), ("Gửi ảnh căn cước cho người bán", F)]),
    ("multiple", "Những việc nào giúp bảo vệ tài khoản mạng xã hội?",
     "Xác thực hai lớp cùng mật khẩu riêng cho từng dịch vụ chặn phần lớn các vụ chiếm tài khoản.",
     [("Bật xác thực hai lớp", T), ("Dùng mật khẩu riêng cho mỗi tài khoản", T), ("Chia sẻ mật khẩu với bạn bè", F),
      ("Đăng nhập trên máy tính công cộng rồi để đó", F)]),
    ("true_false", "Có thể nộp hồ sơ cấp lại căn cước trên Cổng Dịch vụ công.",
     "Thủ tục này đã được cung cấp trực tuyến toàn trình.", [("Đúng", T), ("Sai", F)]),
    ("true_false", "Wi-Fi công cộng miễn phí luôn an toàn để chuyển khoản.",
     "Mạng không mật khẩu có thể bị nghe lén, nên tránh giao dịch ngân hàng trên đó.", [("Đúng", F), ("Sai", T)]),
    ("true_false", "Ngân hàng không bao giờ yêu cầu khách hàng cung cấp mã OTP qua điện thoại.",
     "Nhân viên ngân hàng thật không cần và không được hỏi mã này.", [("Đúng", T), ("Sai", F)]),
    ("true_false", "Đường dẫn rút gọn trong tin nhắn lạ luôn an toàn để bấm vào.",
     "Liên kết rút gọn che giấu trang đích, thường là trang giả mạo.", [("Đúng", F), ("Sai", T)]),
]  # fmt: skip


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Certificates' PDFs go to this test's own folder (the live server and the worker are threads here)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def quiz_course(province_hue):
    """Huế's published course: a required text lesson, then the final quiz drawing 10 of 14 questions."""
    course = course_make(title=COURSE_TITLE, province=province_hue, is_published=False)
    module = module_create(course=course, title="Phần 1: Dịch vụ công và an toàn trên mạng")
    text = lesson_create(
        module=module,
        title="Bài đọc: nộp hồ sơ trực tuyến",
        kind=Lesson.Kind.TEXT,
        body_html="<p>Người dân có thể nộp hồ sơ <strong>không cần đến trụ sở</strong>.</p>",
    )
    lesson_publish(lesson=text)
    quiz_lesson = lesson_create(module=module, title="Bài kiểm tra cuối khóa", kind=Lesson.Kind.QUIZ)
    quiz = quiz_settings_save(
        lesson=quiz_lesson,
        questions_drawn=DRAWN,
        pass_mark_percent=70,
        attempts_limit=2,
        time_limit_minutes=15,
        is_final_exam=True,
        review_allowed=True,
    )
    for kind, question, explanation, choices in BANK:
        question_create(
            course=course,
            kind=kind,
            text=question,
            explanation=explanation,
            choices=[ChoiceRow(text, correct) for text, correct in choices],
        )
    lesson_publish(lesson=quiz_lesson)
    return course_publish(course=course), text, quiz


@pytest.fixture
def nhung(learner_hue, commune_hue):
    """Huế's learner, renamed with diacritics of several kinds (ễ, ị, ồ)."""
    profile_save(
        user=learner_hue,
        full_name=LEARNER_NAME,
        audience_group="public",
        province=commune_hue.province,
        commune=commune_hue,
    )
    return learner_hue


# --- Helpers --------------------------------------------------------------------------------------


def shown_draw(page: Page) -> list[dict]:
    """The attempt page's questions in page order: id, input type, choice values, checked and server-checked values."""
    return page.locator("#quiz-form fieldset[data-question]").evaluate_all(
        """sets => sets.map(set => {
            const inputs = Array.from(set.querySelectorAll('input[name="q-' + set.dataset.question + '"]'));
            return {
                id: Number(set.dataset.question),
                types: Array.from(new Set(inputs.map(i => i.type))),
                choices: inputs.map(i => i.value),
                checked: inputs.filter(i => i.checked).map(i => i.value).sort(),
                rendered_checked: inputs.filter(i => i.hasAttribute('checked')).map(i => i.value).sort(),
            };
        })"""
    )


def saved_answers(attempt: QuizAttempt) -> dict[int, list[int]]:
    return {
        question_id: sorted(choice_ids)
        for question_id, choice_ids in AttemptAnswer.objects.filter(attempt=attempt).values_list(
            "question_id", "choice_ids"
        )
    }


def correct_ids(question_id: int) -> list[int]:
    return sorted(Choice.objects.filter(question_id=question_id, is_correct=True).values_list("id", flat=True))


def values_of(attempt: QuizAttempt, choice_ids: list[int]) -> list[str]:
    """The values that stand for these choices in the attempt's page (the page never shows a choice's id)."""
    return [choice_value(seed=attempt.seed, choice_id=choice_id) for choice_id in choice_ids]


def answer(page: Page, attempt: QuizAttempt, question_id: int, choice_ids: list[int]) -> None:
    """Pick these choices of one question by clicking their inputs, as the learner does."""
    fieldset = page.locator(f"#quiz-form fieldset[data-question='{question_id}']")
    for value in values_of(attempt, choice_ids):
        fieldset.locator(f"input[name='q-{question_id}'][value='{value}']").check()


def review_choices(item) -> dict[str, list[str]]:
    """One corrected question's choice texts (without marks and tags): all, marked correct, marked picked."""
    return item.locator("ul.review-choices").evaluate(
        """list => {
            const text = li => {
                const copy = li.cloneNode(true);
                copy.querySelectorAll('span').forEach(span => span.remove());
                return copy.textContent.trim();
            };
            const items = Array.from(list.children);
            return {
                all: items.map(text),
                correct: items.filter(li => li.classList.contains('is-correct')).map(text),
                picked: items.filter(li => li.classList.contains('is-picked')).map(text),
            };
        }"""
    )


def expected_types(kind: str) -> list[str]:
    return ["checkbox"] if kind == Question.Kind.MULTIPLE else ["radio"]


def check_draw(page: Page, attempt: QuizAttempt, kinds: dict[int, str]) -> list[dict]:
    """The page shows the attempt's draw: its questions and each one's choices in the stored order."""
    shown = shown_draw(page)
    assert [q["id"] for q in shown] == attempt.question_ids
    for question in shown:
        assert question["choices"] == values_of(attempt, attempt.choice_orders[str(question["id"])]), question
        assert question["types"] == expected_types(kinds[question["id"]]), question
    return shown


# --- The journey ----------------------------------------------------------------------------------


def test_learner_passes_final_quiz_downloads_certificate_and_anyone_verifies_it(
    live_server, celery_worker_running, media_root, new_page, quiz_course, nhung, commune_hue, admin_hue
) -> None:
    course, text_lesson, quiz = quiz_course
    slug, quiz_lesson = course.slug, quiz.lesson
    enrolment = enrolment_create(learner=nhung, course=course)
    questions = {q.id: q for q in Question.objects.filter(course=course)}
    assert len(questions) == len(BANK)
    kinds = {question_id: question.kind for question_id, question in questions.items()}

    # 1. The learner signs in and marks the text lesson as read.
    learner = new_page()
    sign_in(learner, live_server, nhung.email, PASSWORD)
    learner.goto(live_server.url + f"/learning/courses/{slug}/{text_lesson.id}/")
    # Its 12 words take 3.6 s at 200 words a minute: "read" is accepted after half of that.
    time.sleep(2)
    # The form is posted by mark-read.js, which shows the answer in place of the form (no navigation).
    learner.locator(f"form[action='/learning/courses/{slug}/{text_lesson.id}/done/'] button[type=submit]").click()
    expect(learner.locator("#lesson-done")).to_be_visible()
    assert LessonProgress.objects.get(learner=nhung, lesson=text_lesson).completed_at is not None

    # 2. The quiz page starts the attempt: 10 of the 14 questions, each with its choices in the drawn order.
    learner.goto(live_server.url + f"/learning/courses/{slug}/{quiz_lesson.id}/")
    start = f"form.quiz-start[action='/learning/courses/{slug}/{quiz_lesson.id}/quiz/start/'] button[type=submit]"
    with learner.expect_navigation():
        learner.locator(start).click()
    attempt = QuizAttempt.objects.get(learner=nhung, quiz=quiz)
    assert path_of(learner) == f"/learning/quiz/attempts/{attempt.id}/"
    assert len(attempt.question_ids) == DRAWN and set(attempt.question_ids) <= set(questions)
    check_draw(learner, attempt, kinds)
    assert_accessible(learner, "the quiz attempt")
    # Before submission nothing says which answer is right: no explanation of any question in the page.
    html = learner.content()
    leaked = [q.explanation for q in questions.values() if q.explanation in html]
    assert leaked == [], f"explanations sent before submission: {leaked}"
    assert not re.search(r"is[-_]correct", html), "the attempt page marks correct choices"

    # 3. Half the questions answered, one of them wrongly; each click is saved as it is made.
    drawn = attempt.question_ids
    wrong_index = next(i for i, qid in enumerate(drawn[:ANSWERED_BEFORE_DROP]) if kinds[qid] != "multiple")
    wrong_question = drawn[wrong_index]
    wrong_choice = next(c for c in attempt.choice_orders[str(wrong_question)] if c not in correct_ids(wrong_question))
    picks = {qid: [wrong_choice] if qid == wrong_question else correct_ids(qid) for qid in drawn[:ANSWERED_BEFORE_DROP]}
    status = learner.locator("#quiz-save-status")
    for question_id, choice_ids in picks.items():
        answer(learner, attempt, question_id, choice_ids)
    wait_until(lambda: saved_answers(attempt) == picks, what="the first half of the answers to be saved")
    expect(status).to_have_text(status.get_attribute("data-saved"))

    # 4. The connection drops: the next answer's request fails as it does offline and never reaches the
    # server, the page says it is not saved, and the page is closed. (Routing, not set_offline: Chromium's
    # offline emulation sometimes delivers a request to the server while failing it in the page.)
    lost_question = drawn[ANSWERED_BEFORE_DROP]
    context = learner.context
    answer_url = f"**/learning/quiz/attempts/{attempt.id}/answer/"
    lost_sends: list[dict] = []

    def connection_lost(route) -> None:
        lost_sends.append(route.request.post_data_json)
        route.abort("internetdisconnected")

    context.route(answer_url, connection_lost)
    answer(learner, attempt, lost_question, correct_ids(lost_question))
    expect(status).to_have_text(status.get_attribute("data-failed"))
    assert lost_sends and lost_sends[0]["question"] == lost_question, lost_sends
    assert lost_question not in saved_answers(attempt)
    assert learner.js_errors == []
    learner.close()
    context.unroute(answer_url, connection_lost)

    # 5. Back online, a new page: the quiz offers to resume the same attempt, and the same draw comes
    # back with the saved answers checked by the server (a new page has no form state to restore).
    learner = context.new_page()
    learner.js_errors = []
    learner.on("pageerror", lambda error: learner.js_errors.append(str(error)))
    learner.goto(live_server.url + f"/learning/courses/{slug}/{quiz_lesson.id}/")
    with learner.expect_navigation():
        learner.locator(start).click()
    assert path_of(learner) == f"/learning/quiz/attempts/{attempt.id}/"
    assert QuizAttempt.objects.filter(learner=nhung).count() == 1
    saved = saved_answers(attempt)
    assert saved == picks
    for question in check_draw(learner, attempt, kinds):
        assert question["checked"] == sorted(values_of(attempt, saved.get(question["id"], []))), question
        assert question["rendered_checked"] == sorted(values_of(attempt, saved.get(question["id"], []))), question

    # 6. The rest answered correctly, saved, then submitted: 9 of 10 is 90 %, above the pass mark of 70 %.
    for question_id in drawn[ANSWERED_BEFORE_DROP:]:
        answer(learner, attempt, question_id, correct_ids(question_id))
    final = picks | {qid: correct_ids(qid) for qid in drawn[ANSWERED_BEFORE_DROP:]}
    wait_until(lambda: saved_answers(attempt) == final, what="every answer to be saved")
    with learner.expect_navigation():
        learner.locator("#quiz-form button[type=submit]").click()
    assert path_of(learner) == f"/learning/quiz/attempts/{attempt.id}/result/"
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.passed is True
    assert attempt.score_percent == Decimal("90.00")
    assert_accessible(learner, "the quiz result")

    # The score, the verdict and the corrections, in the drawn order, with every explanation.
    expect(learner.locator("#quiz-score")).to_have_text(re.compile(r"(?<![\d.,])90\s?%"))
    expect(learner.locator("section.quiz-score.is-passed")).to_have_count(1)
    expect(learner.locator("section.quiz-score.is-failed")).to_have_count(0)
    expect(learner.locator("#quiz-verdict")).not_to_be_empty()
    expect(learner.locator("#course-completed")).to_be_visible()
    review = learner.locator("ol.quiz-review-list > li.review-question")
    expect(review).to_have_count(DRAWN)
    for index, question_id in enumerate(drawn):
        item = review.nth(index)
        expect(item).to_have_class(re.compile(r"\bis-wrong\b" if index == wrong_index else r"\bis-right\b"))
        expect(item.locator(".quiz-text")).to_have_text(questions[question_id].text)
        expect(item.locator(".review-explanation")).to_contain_text(questions[question_id].explanation)
        order = attempt.choice_orders[str(question_id)]
        texts = dict(Choice.objects.filter(question_id=question_id).values_list("id", "text"))
        marked = review_choices(item)
        assert marked["correct"] == [texts[c] for c in order if c in correct_ids(question_id)], marked
        assert marked["picked"] == [texts[c] for c in order if c in final[question_id]], marked
        assert marked["all"] == [texts[c] for c in order], marked
    assert learner.js_errors == []

    # 7. The worker issues the certificate for the completion.
    completion = CourseCompletion.objects.get(enrolment=enrolment)
    certificate = wait_until(
        lambda: Certificate.objects.filter(completion=completion).first(),
        timeout=CERTIFICATE_TIMEOUT_S,
        what="the worker to issue the certificate",
    )
    code = certificate.code
    assert certificate.learner_name == LEARNER_NAME and certificate.course_title == COURSE_TITLE
    assert certificate.revoked_at is None

    # 8. My learning links to the PDF; its text carries the name with every diacritic, in NFC.
    learner.goto(live_server.url + "/learning/")
    download_link = learner.locator('main a[href$="/download/"]')
    expect(download_link).to_have_count(1)
    assert_accessible(learner, "My learning with a certificate")
    expect(download_link).to_have_attribute("href", f"/certificates/{code}/download/")
    with learner.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == f"giay-chung-nhan-{code}.pdf"
    pdf_bytes = Path(download.path()).read_bytes()
    assert pdf_bytes.startswith(b"%PDF-")
    with certificate.pdf.open("rb") as stored:
        assert pdf_bytes == stored.read()
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    # Drawn in NFC, each Vietnamese letter is one glyph and extracts back as one precomposed character.
    assert unicodedata.is_normalized("NFC", pdf_text), ascii(pdf_text)
    assert LEARNER_NAME in pdf_text, pdf_text
    assert COURSE_TITLE in pdf_text and code in pdf_text, pdf_text
    assert learner.js_errors == []

    # 9. Signed out, in a context of its own: the code typed in lower case without dashes is found.
    visitor = new_page()
    visitor.goto(live_server.url + "/certificates/")
    visitor.locator("#certificate-code").fill(code.replace("-", "").lower())
    with visitor.expect_navigation():
        visitor.locator("main form[action='/certificates/'] button[type=submit]").click()
    assert path_of(visitor) == f"/certificates/{code}/"
    expect(visitor.locator("main .narrow > p.message.success")).to_be_visible()
    expect(visitor.locator("main .narrow > p.message.error")).to_have_count(0)
    facts = visitor.locator("main dl.facts")
    expect(facts).to_contain_text(LEARNER_NAME)
    expect(facts).to_contain_text(COURSE_TITLE)
    expect(facts).to_contain_text(code)
    assert_accessible(visitor, "the certificate's public page")
    expect(visitor.locator("a[href$='/revoke/']")).to_have_count(0)
    public_html = visitor.content()
    assert nhung.email not in public_html and nhung.email.split("@")[0] not in public_html
    assert commune_hue.name not in public_html, "the public page names the learner's commune"

    # 10. Huế's provincial admin revokes it from the public page, with a reason.
    admin = new_page()
    sign_in(admin, live_server, admin_hue.email, PASSWORD)
    admin.goto(live_server.url + f"/certificates/{code}/")
    with admin.expect_navigation():
        admin.locator(f"main a[href='/certificates/{code}/revoke/']").click()
    admin.locator("#revoke-reason").fill(REVOKE_REASON)
    with admin.expect_navigation():
        admin.locator("main form:has(#revoke-reason) button[type=submit]").click()
    assert path_of(admin) == f"/certificates/{code}/"
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == admin_hue
    assert certificate.revoked_reason == REVOKE_REASON

    # The public page, reloaded, says revoked and why.
    visitor.reload()
    revoked = visitor.locator("main .narrow > p.message.error")
    expect(revoked).to_be_visible()
    expect(revoked).to_contain_text(REVOKE_REASON)
    expect(visitor.locator("main .narrow > p.message.success")).to_have_count(0)
    expect(visitor.locator("main dl.facts")).to_contain_text(LEARNER_NAME)
    assert_accessible(visitor, "a revoked certificate's public page")

    # The learner no longer gets the PDF: no download link, and the address leads to the public page.
    learner.goto(live_server.url + "/learning/")
    expect(learner.locator('main a[href$="/download/"]')).to_have_count(0)
    expect(learner.locator(f"main a[href='/certificates/{code}/']")).to_have_count(1)
    response = learner.request.get(live_server.url + f"/certificates/{code}/download/", max_redirects=0)
    assert response.status == 302 and urlsplit(response.headers["location"]).path == f"/certificates/{code}/"
    assert learner.js_errors == [] and visitor.js_errors == [] and admin.js_errors == []
