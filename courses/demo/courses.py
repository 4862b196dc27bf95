"""The demo catalogue's courses: realistic Vietnamese courses for the four audience groups.

The first five follow the five tasks of community digital technology teams ("đi từng ngõ, gõ từng
nhà"): online public services, an online payment account, online shopping, basic cyber-safety
against scams, and the digital platforms the locality chose.

They are written as drafts through the studio's services; courses.demo.catalogue publishes each one
once its lessons are in, under the same rules as the studio.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from courses.models import Course, CourseFormat, Level, Partner, Topic
from courses.services.catalogue import course_draft_create, course_run_create, course_update
from onetouch.models import Province, User

LEADER, TEAM, SERVANT, PUBLIC = "commune_leader", "digital_team", "civil_servant", "public"

PARTNERS = {
    "vnpost": ("Tổng công ty Bưu điện Việt Nam (Vietnam Post)", "https://vnpost.vn", Partner.Kind.POSTAL),
    "viettel": ("Tập đoàn Công nghiệp - Viễn thông Quân đội (Viettel)", "https://viettel.com.vn", Partner.Kind.TELECOM),
    "vnpt": ("Tập đoàn Bưu chính Viễn thông Việt Nam (VNPT)", "https://vnpt.com.vn", Partner.Kind.TELECOM),
    "napas": ("Công ty Cổ phần Thanh toán Quốc gia Việt Nam (NAPAS)", "https://napas.com.vn", Partner.Kind.BANK),
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
    requires_order: bool = False


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
        requires_order=True,
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


def demo_author() -> User:
    """Return who writes the demo courses: ministry staff, who may write national and provincial courses.

    Never saved: the demo's courses have no login behind them, only an author the services accept.
    """
    return User(email="noi-dung@demo.onetouch.vn", role=User.Role.MINISTRY_STAFF, is_active=True)


@transaction.atomic
def demo_courses_load() -> int:
    """Create the missing demo courses as drafts, update the others, add their partners and runs; return how many.

    Publishing is left to courses.demo.catalogue, once the lessons are in.
    """
    author = demo_author()
    partners = {
        key: Partner.objects.update_or_create(name=name, defaults={"website": website, "kind": kind})[0]
        for key, (name, website, kind) in PARTNERS.items()
    }
    provinces = {p.code: p for p in Province.objects.filter(code__in={c.province_code for c in DEMO_COURSES})}
    for demo in DEMO_COURSES:
        fields = {
            "author": author,
            "title": demo.title,
            "slug": demo.slug,
            "summary": demo.summary,
            "description": demo.description,
            "topic": demo.topic,
            "audience_codes": demo.audiences,
            "level": demo.level,
            "format": demo.format,
            "owner_province": provinces.get(demo.province_code) if demo.province_code else None,
            "estimated_hours": Decimal(demo.hours),
            "requires_order": demo.requires_order,
            "partners": [partners[p] for p in demo.partners],
        }
        course = Course.objects.filter(slug=demo.slug).first()
        course = course_update(course=course, **fields) if course else course_draft_create(**fields)
        if demo.with_run and not course.runs.exists():
            starts_on = timezone.localdate()
            course_run_create(
                course=course,
                title=f"Đợt 1 - {starts_on.year}",
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=60),
            )
    return len(DEMO_COURSES)
