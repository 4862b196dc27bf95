"""The demo quiz: a question bank and a published final quiz for the public-services course."""

from django.db import transaction

from courses.models import Course, Lesson
from courses.pure.question_rules import ChoiceRow
from courses.services.questions import question_create, quiz_settings_save
from courses.services.structure import lesson_create, lesson_publish, module_create

DEMO_QUIZ_COURSE = "dich-vu-cong-truc-tuyen"
DEMO_QUESTIONS = [
    (
        "single",
        "Cổng Dịch vụ công quốc gia có địa chỉ nào?",
        [("dichvucong.com", False), ("dichvucong.gov.vn", True), ("dvc.vn.net", False)],
        "Chỉ dùng địa chỉ có đuôi .gov.vn.",
    ),
    (
        "true_false",
        "Có thể nộp hồ sơ trực tuyến bằng tài khoản định danh điện tử VNeID.",
        [("Đúng", True), ("Sai", False)],
        "Tài khoản VNeID mức 2 dùng để đăng nhập Cổng Dịch vụ công.",
    ),
    (
        "single",
        "Khi nhận được mã OTP, bạn nên làm gì?",
        [
            ("Đọc cho người gọi điện tự xưng cán bộ", False),
            ("Đăng lên mạng xã hội", False),
            ("Không đưa mã cho bất kỳ ai", True),
        ],
        "Cán bộ không bao giờ hỏi mã OTP.",
    ),
    (
        "multiple",
        "Lợi ích của dịch vụ công trực tuyến là gì?",
        [("Phải xếp hàng lâu hơn", False), ("Không phải đi lại", True), ("Theo dõi được hồ sơ", True)],
        "Người dân tiết kiệm thời gian và biết hồ sơ đang ở đâu.",
    ),
    (
        "true_false",
        "Lệ phí chỉ có thể nộp bằng tiền mặt tại bộ phận một cửa.",
        [("Đúng", False), ("Sai", True)],
        "Cổng Dịch vụ công hỗ trợ thanh toán trực tuyến lệ phí.",
    ),
    (
        "single",
        "Ai có thể giúp người dân nộp hồ sơ trực tuyến tại thôn, xóm?",
        [("Tổ công nghệ số cộng đồng", True), ("Người lạ gọi điện", False), ("Không ai cả", False)],
        "Tổ công nghệ số cộng đồng đi từng ngõ, gõ từng nhà.",
    ),
    (
        "multiple",
        "Những thông tin nào cần giữ bí mật?",
        [("Mật khẩu", True), ("Tên xã đang sống", False), ("Mã OTP", True)],
        "Mật khẩu và OTP là chìa khóa tài khoản của bạn.",
    ),
    (
        "true_false",
        "Đường link lạ gửi qua tin nhắn luôn an toàn.",
        [("Đúng", False), ("Sai", True)],
        "Đường link lạ có thể dẫn tới trang lừa đảo.",
    ),
]


@transaction.atomic
def demo_quiz_load() -> Lesson | None:
    """Give the public-services course a question bank and a published final quiz, once."""
    course = Course.objects.filter(slug=DEMO_QUIZ_COURSE).first()
    if course is None or course.lessons.filter(kind=Lesson.Kind.QUIZ).exists():
        return None
    for kind, text, answers, explanation in DEMO_QUESTIONS:
        question_create(
            course=course,
            kind=kind,
            text=text,
            choices=[ChoiceRow(text=answer, is_correct=correct) for answer, correct in answers],
            explanation=explanation,
            tag_names=["dịch vụ công"],
        )
    module = module_create(course=course, title="Phần 3. Kiểm tra cuối khóa")
    lesson = lesson_create(module=module, title="Bài kiểm tra cuối khóa", kind=Lesson.Kind.QUIZ, estimated_minutes=15)
    quiz_settings_save(
        lesson=lesson,
        questions_drawn=5,
        pass_mark_percent=70,
        attempts_limit=2,
        time_limit_minutes=15,
        is_final_exam=True,
    )
    return lesson_publish(lesson=lesson)
