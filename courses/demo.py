"""The demo catalogue: realistic Vietnamese courses for the four audience groups.

The first five follow the five tasks of community digital technology teams ("đi từng ngõ, gõ từng
nhà"): online public services, an online payment account, online shopping, basic cyber-safety
against scams, and the digital platforms the locality chose.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from courses.demo_media import DemoMedia, demo_media_prepare
from courses.models import Course, CourseFormat, Lesson, Level, Module, Partner, Topic
from courses.pure.question_rules import ChoiceRow
from courses.services.catalogue import course_run_create, course_save
from courses.services.materials import lesson_captions_upload, lesson_process, lesson_source_upload
from courses.services.questions import question_create, quiz_settings_save
from courses.services.structure import lesson_create, lesson_publish, lesson_publish_problem, module_create
from onetouch.models import Province

logger = logging.getLogger(__name__)

LEADER, TEAM, SERVANT, PUBLIC = "commune_leader", "digital_team", "civil_servant", "public"

PARTNERS = {
    "vnpost": ("Tổng công ty Bưu điện Việt Nam (Vietnam Post)", "https://vnpost.vn"),
    "viettel": ("Tập đoàn Công nghiệp - Viễn thông Quân đội (Viettel)", "https://viettel.com.vn"),
    "vnpt": ("Tập đoàn Bưu chính Viễn thông Việt Nam (VNPT)", "https://vnpt.com.vn"),
    "napas": ("Công ty Cổ phần Thanh toán Quốc gia Việt Nam (NAPAS)", "https://napas.com.vn"),
}


@dataclass(frozen=True)
class DemoCourse:
    slug: str
    title: str
    summary: str
    description: str
    topic: str
    audiences: list[str]
    hours: str = "2"
    level: str = Level.BASIC
    format: str = CourseFormat.ONLINE
    province_code: str | None = None
    partners: list[str] = field(default_factory=list)
    with_run: bool = False


DEMO_COURSES = [
    DemoCourse(
        "dich-vu-cong-truc-tuyen",
        "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến",
        "Nộp hồ sơ, theo dõi và nhận kết quả thủ tục hành chính trên Cổng Dịch vụ công quốc gia.",
        "Khóa học giúp thành viên Tổ công nghệ số cộng đồng hướng dẫn từng người dân tạo tài khoản "
        "định danh điện tử, tra cứu thủ tục, nộp hồ sơ trực tuyến và thanh toán phí, lệ phí.",
        Topic.PUBLIC_SERVICES,
        [TEAM, PUBLIC],
        partners=["vnpt"],
    ),
    DemoCourse(
        "tai-khoan-thanh-toan-truc-tuyen",
        "Mở tài khoản thanh toán trực tuyến an toàn",
        "Mở tài khoản ngân hàng, ví điện tử, Mobile Money và dùng mã QR để thanh toán.",
        "Hướng dẫn từng bước mở tài khoản thanh toán trên điện thoại, xác thực sinh trắc học, chuyển "
        "tiền bằng mã QR và giữ an toàn mã OTP.",
        Topic.DIGITAL_PAYMENT,
        [TEAM, PUBLIC],
        partners=["napas", "viettel"],
    ),
    DemoCourse(
        "mua-sam-truc-tuyen",
        "Mua sắm trực tuyến và bán hàng trên sàn thương mại điện tử",
        "Chọn sàn uy tín, đặt hàng, thanh toán khi nhận hàng và đưa nông sản địa phương lên sàn.",
        "Khóa học giới thiệu các sàn thương mại điện tử Việt Nam như Postmart, Voso; cách so sánh giá, "
        "đọc đánh giá, đổi trả hàng và mở gian hàng cho hộ sản xuất.",
        Topic.ONLINE_SHOPPING,
        [TEAM, PUBLIC],
        partners=["vnpost"],
    ),
    DemoCourse(
        "an-toan-thong-tin-co-ban",
        "Kỹ năng an toàn thông tin cơ bản: không để bị lừa đảo trên mạng",
        "Nhận biết cuộc gọi, tin nhắn, đường link lừa đảo và bảo vệ tài khoản của bạn.",
        "Các thủ đoạn lừa đảo phổ biến, cách đặt mật khẩu mạnh, bật xác thực hai lớp, cài phần mềm "
        "bảo vệ và báo cáo trang web lừa đảo.",
        Topic.CYBER_SAFETY,
        [TEAM, PUBLIC, SERVANT],
        hours="1.5",
    ),
    DemoCourse(
        "nen-tang-so-dia-phuong",
        "Sử dụng các nền tảng số do địa phương lựa chọn",
        "Ứng dụng công dân số, phản ánh hiện trường và các nền tảng số của tỉnh, thành phố.",
        "Giới thiệu các nền tảng số địa phương đang dùng và cách hướng dẫn người dân cài đặt, "
        "đăng nhập, gửi phản ánh và nhận thông báo của chính quyền.",
        Topic.LOCAL_PLATFORMS,
        [TEAM, PUBLIC],
    ),
    DemoCourse(
        "chuyen-doi-so-lanh-dao-cap-xa",
        "Chuyển đổi số cho lãnh đạo Ủy ban nhân dân cấp xã",
        "Vai trò người đứng đầu, kế hoạch chuyển đổi số của xã và chính quyền số gần dân.",
        "Khóa bồi dưỡng theo tài liệu chuẩn của Bộ: nhận thức về chuyển đổi số, xây dựng kế hoạch, "
        "chỉ đạo Tổ công nghệ số cộng đồng và đo lường kết quả. Có một ngày học trực tiếp.",
        Topic.DIGITAL_TRANSFORMATION,
        [LEADER],
        hours="8",
        format=CourseFormat.BLENDED,
        with_run=True,
    ),
    DemoCourse(
        "chuyen-doi-so-co-ban",
        "Chuyển đổi số: những điều cơ bản cho mọi người",
        "Chuyển đổi số là gì, lợi ích cho gia đình và cộng đồng, bắt đầu từ đâu.",
        "Khóa học nhập môn ngắn gọn cho người dân, giải thích khái niệm chuyển đổi số bằng ví dụ đời thường.",
        Topic.DIGITAL_TRANSFORMATION,
        [PUBLIC, TEAM],
        hours="1",
    ),
    DemoCourse(
        "to-cong-nghe-so-cong-dong",
        "Kỹ năng cho thành viên Tổ công nghệ số cộng đồng",
        "Đi từng ngõ, gõ từng nhà: cách hướng dẫn người dân dùng dịch vụ số hiệu quả.",
        "Kỹ năng giao tiếp, tổ chức buổi hướng dẫn tại thôn, xóm và ghi nhận kết quả hỗ trợ người dân.",
        Topic.DIGITAL_SKILLS,
        [TEAM],
        hours="4",
        format=CourseFormat.BLENDED,
        partners=["vnpost", "viettel"],
        with_run=True,
    ),
    DemoCourse(
        "chinh-phu-so-cong-chuc",
        "Chính phủ số và kỹ năng số cho cán bộ, công chức",
        "Xử lý văn bản điện tử, chữ ký số, họp trực tuyến và khai thác dữ liệu dùng chung.",
        "Bồi dưỡng kỹ năng số thiết yếu cho cán bộ, công chức, viên chức trong môi trường chính phủ số.",
        Topic.DIGITAL_GOVERNMENT,
        [SERVANT],
        hours="6",
        level=Level.INTERMEDIATE,
    ),
    DemoCourse(
        "an-toan-thong-tin-co-quan-nha-nuoc",
        "An toàn thông tin trong cơ quan nhà nước",
        "Bảo vệ dữ liệu, thư điện tử công vụ và thiết bị làm việc trước tấn công mạng.",
        "Quy định về bảo đảm an toàn hệ thống thông tin theo cấp độ, xử lý sự cố và thói quen an toàn hằng ngày.",
        Topic.CYBER_SAFETY,
        [SERVANT, LEADER],
        hours="3",
        level=Level.INTERMEDIATE,
    ),
    DemoCourse(
        "ky-nang-so-co-ban-dien-thoai",
        "Kỹ năng số cơ bản: dùng điện thoại thông minh",
        "Cài ứng dụng, kết nối Wi-Fi, gọi video và tìm thông tin tin cậy trên mạng.",
        "Dành cho người mới dùng điện thoại thông minh, đặc biệt là người cao tuổi ở nông thôn.",
        Topic.DIGITAL_SKILLS,
        [PUBLIC],
        hours="1",
    ),
    DemoCourse(
        "chuyen-doi-so-xa-ha-noi",
        "Chuyển đổi số cấp xã tại Thủ đô Hà Nội",
        "Khóa học của Sở Khoa học và Công nghệ Hà Nội cho lãnh đạo và công chức cấp xã.",
        "Triển khai mô hình chính quyền số cấp xã sau sắp xếp đơn vị hành chính năm 2025 tại Hà Nội.",
        Topic.DIGITAL_TRANSFORMATION,
        [LEADER, SERVANT],
        hours="4",
        province_code="01",
        format=CourseFormat.BLENDED,
        with_run=True,
    ),
    DemoCourse(
        "dich-vu-cong-hue",
        "Dịch vụ công trực tuyến tại Thành phố Huế",
        "Hướng dẫn người dân Huế dùng Hue-S và Cổng dịch vụ công của thành phố.",
        "Khóa học do thành phố Huế xây dựng cho Tổ công nghệ số cộng đồng và người dân địa phương.",
        Topic.LOCAL_PLATFORMS,
        [TEAM, PUBLIC],
        province_code="46",
        partners=["vnpt"],
    ),
    DemoCourse(
        "thuong-mai-dien-tu-nong-san-dong-thap",
        "Đưa nông sản Đồng Tháp lên sàn thương mại điện tử",
        "Chụp ảnh sản phẩm, viết mô tả, nhận đơn và giao hàng qua bưu điện.",
        "Khóa học của tỉnh Đồng Tháp cho hộ sản xuất và hợp tác xã, phối hợp cùng Bưu điện tỉnh.",
        Topic.ONLINE_SHOPPING,
        [PUBLIC, TEAM],
        province_code="82",
        partners=["vnpost"],
    ),
]


@dataclass(frozen=True)
class DemoLesson:
    title: str
    kind: str
    minutes: int = 5
    media: str = ""  # "video", "slides" or "handout": a file of DemoMedia
    captions: bool = False
    body_html: str = ""
    is_required: bool = True


INTRODUCTION_HTML = (
    "<h2>Vì sao nên dùng dịch vụ công trực tuyến?</h2>"
    "<p>Dịch vụ công trực tuyến giúp người dân <strong>không phải đi lại</strong>, không phải xếp hàng, "
    "theo dõi được hồ sơ của mình ở mọi nơi và mọi lúc.</p>"
    "<ul><li>Tiết kiệm thời gian và chi phí đi lại.</li>"
    "<li>Biết rõ hồ sơ đang ở bước nào, ai đang xử lý.</li>"
    "<li>Nhận kết quả qua bưu điện hoặc bản điện tử.</li></ul>"
    "<p>Thành viên Tổ công nghệ số cộng đồng có thể ngồi cùng người dân và hướng dẫn từng bước.</p>"
)

# Two demo courses get real lessons: a national one and Hà Nội's, which the Hà Nội demo admin authors.
DEMO_MODULES = {
    slug: [
        (
            "Phần 1. Làm quen",
            [
                DemoLesson("Phim: Dịch vụ công trực tuyến trong 24 giây", Lesson.Kind.VIDEO, 2, "video", True),
                DemoLesson("Vì sao nên dùng dịch vụ công trực tuyến", Lesson.Kind.TEXT, 3, body_html=INTRODUCTION_HTML),
            ],
        ),
        (
            "Phần 2. Thực hành",
            [
                DemoLesson("Bài trình chiếu: các bước nộp hồ sơ", Lesson.Kind.SLIDES, 5, "slides"),
                DemoLesson("Tài liệu phát tay (DOCX)", Lesson.Kind.DOCUMENT, 5, "handout", is_required=False),
            ],
        ),
    ]
    for slug in ("dich-vu-cong-truc-tuyen", "chuyen-doi-so-xa-ha-noi")
}


# The final quiz of the public-services course: (kind, question, [(answer, correct)], explanation).
# The right answers sit at every place in the written order, as in a real bank: a learner who
# always picks the first answer (when choices are not shuffled) must not pass.
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


def demo_catalogue_load(*, with_lessons: bool = True) -> int:
    """Create or update the demo courses, then give two of them lessons with real media; return how many courses.

    The lessons' media are processed on the spot (about 15 s the first time on a small machine);
    tests that need only the catalogue pass with_lessons=False.
    """
    count = demo_courses_load()
    if with_lessons:
        demo_lessons_load()
        demo_quiz_load()
    return count


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


def demo_lessons_load(media_dir: Path | None = None) -> int:
    """Add the demo modules and lessons that are missing, process their media and publish them; return lessons."""
    media = demo_media_prepare(media_dir or Path(settings.VAR_DIR) / "demo-media")
    published = 0
    for slug, modules in DEMO_MODULES.items():
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            continue
        for module_title, lessons in modules:
            module = course.modules.filter(title=module_title).first() or module_create(
                course=course, title=module_title
            )
            for demo in lessons:
                published += demo_lesson_load(module=module, demo=demo, media=media).is_published
    return published


def demo_lesson_load(*, module: Module, demo: DemoLesson, media: DemoMedia) -> Lesson:
    """Create one demo lesson if missing, upload and process its file through the real services, publish it."""
    lesson = module.lessons.filter(title=demo.title).first() or lesson_create(
        module=module,
        title=demo.title,
        kind=demo.kind,
        is_required=demo.is_required,
        estimated_minutes=demo.minutes,
        body_html=demo.body_html,
    )
    if lesson.is_published:
        return lesson
    path = getattr(media, demo.media) if demo.media else None
    if demo.media and path is None:
        logger.warning("Demo lesson %r has no media: install ffmpeg, poppler-utils and fonts.", demo.title)
        return lesson
    if path and lesson.processing in (Lesson.Processing.WAITING, Lesson.Processing.FAILED):
        with path.open("rb") as file:
            lesson = lesson_source_upload(lesson=lesson, uploaded_file=File(file, name=path.name))
    if demo.captions and media.captions and not lesson.captions:
        with media.captions.open("rb") as file:
            lesson = lesson_captions_upload(lesson=lesson, uploaded_file=File(file, name=media.captions.name))
    if lesson.processing == Lesson.Processing.PROCESSING:
        # The worker would do it later; the demo does it now so a newcomer sees working media at once.
        lesson = lesson_process(lesson_id=lesson.id)
    if lesson_publish_problem(lesson) is None:
        lesson = lesson_publish(lesson=lesson)
    else:
        logger.warning("Demo lesson %r is not published: %s", demo.title, lesson.processing_error)
    return lesson


@transaction.atomic
def demo_courses_load() -> int:
    """Create or update the demo courses, their partners and runs; return how many courses."""
    partners = {
        key: Partner.objects.update_or_create(name=name, defaults={"website": website})[0]
        for key, (name, website) in PARTNERS.items()
    }
    provinces = {p.code: p for p in Province.objects.filter(code__in={c.province_code for c in DEMO_COURSES})}
    for demo in DEMO_COURSES:
        course = Course.objects.filter(slug=demo.slug).first() or Course(slug=demo.slug)
        course.title = demo.title
        course.summary = demo.summary
        course.description = demo.description
        course.topic = demo.topic
        course.level = demo.level
        course.format = demo.format
        course.estimated_hours = Decimal(demo.hours)
        course.owner_province = provinces.get(demo.province_code) if demo.province_code else None
        course.is_published = True
        course_save(course=course, audience_codes=demo.audiences, partners=[partners[p] for p in demo.partners])
        if demo.with_run and not course.runs.exists():
            starts_on = timezone.localdate()
            course_run_create(
                course=course,
                title=f"Đợt 1 - {starts_on.year}",
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=60),
            )
    return len(DEMO_COURSES)
