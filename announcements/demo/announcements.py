"""Demo data: announcements written through the studio's service, their recipients listed at once.

The Hà Nội admin writes to the learners of the Hà Nội course's run, the ministry to the learners of
a national course; the demo learner is enrolled in both, so /learning/announcements/ has something
to read as soon as the site starts. The recipients are listed here rather than by the worker, so the
page shows them at once; the listing job queued after the commit finds them listed and writes
nothing twice, and the worker then sends the emails (printed in var/log/worker.log).
"""

from dataclasses import dataclass

from django.db import transaction

from announcements.models import Announcement
from announcements.selectors.targets import target_get_or_404
from announcements.services.announcements import announcement_create, announcement_recipients_claim
from courses.models import CourseRun
from onetouch.models import User


@dataclass(frozen=True)
class DemoAnnouncement:
    author_email: str
    course_slug: str
    target: str  # Announcement.Target: the course, or its current run
    title: str
    body: str


DEMO_ANNOUNCEMENTS = [
    DemoAnnouncement(
        "quantri.hanoi@demo.onetouch.vn",
        "chuyen-doi-so-xa-ha-noi",
        Announcement.Target.COURSE_RUN,
        "Buổi học trực tiếp tại Hội trường UBND phường Hoàn Kiếm",
        "Sở Khoa học và Công nghệ Hà Nội phối hợp với Bưu điện Việt Nam tổ chức buổi học trực tiếp của khóa "
        "học tại Hội trường UBND phường Hoàn Kiếm, 126 Hàng Trống. Ngày giờ và số chỗ còn trống có trên trang "
        "khóa học, mục “Buổi học trực tiếp”: anh, chị bấm “Đăng ký hoặc xem chỗ của bạn” để giữ chỗ, và hủy "
        "trước hạn nếu không tham dự được để nhường chỗ cho đồng nghiệp.\n\n"
        "Trước buổi học, đề nghị anh, chị xem Phần 1 (phim ngắn và bài đọc “Vì sao nên dùng dịch vụ công trực "
        "tuyến”) và bài trình chiếu “Các bước nộp hồ sơ” ở Phần 2. Tại buổi học, mỗi người thực hành nộp một hồ "
        "sơ trên Cổng dịch vụ công quốc gia: mang theo điện thoại đã cài ứng dụng VNeID và đăng nhập được.\n\n"
        "Khi đến, anh, chị mở “Mã điểm danh của tôi” trong Khóa học của tôi và đưa cho giảng viên để được "
        "ghi nhận tham dự.",
    ),
    DemoAnnouncement(
        "bo@demo.onetouch.vn",
        "to-cong-nghe-so-cong-dong",
        Announcement.Target.COURSE,
        "Chào mừng thành viên Tổ công nghệ số cộng đồng",
        "Bộ Khoa học và Công nghệ cảm ơn anh, chị đã tham gia khóa học. Các anh, chị là những người đi từng "
        "ngõ, gõ từng nhà, giúp người dân dùng dịch vụ công trực tuyến, thanh toán không dùng tiền mặt và nhận "
        "biết lừa đảo trên mạng.\n\n"
        "Khóa học có các buổi học trực tiếp cùng Bưu điện Việt Nam và Viettel, đối tác của khóa học: xem lịch "
        "và đăng ký trên trang khóa học. Sau mỗi lần hướng dẫn người dân, anh, chị ghi lại kết quả hỗ trợ theo "
        "mẫu của tổ để địa phương tổng hợp.\n\n"
        "Chúc các anh, chị học tập tốt!",
    ),
]


@transaction.atomic
def demo_announcements_load() -> int:
    """Write the demo announcements not written yet, listing their recipients; return how many there are."""
    count = 0
    for demo in DEMO_ANNOUNCEMENTS:
        author = User.objects.get(email=demo.author_email)
        announcement = Announcement.objects.filter(author=author, title=demo.title).first()
        if announcement is None:
            run = CourseRun.objects.filter(course__slug=demo.course_slug).order_by("starts_on").last()
            if run is None:
                continue
            pk = run.id if demo.target == Announcement.Target.COURSE_RUN else run.course_id
            # Found through the author's scope, as the studio's form does.
            target = target_get_or_404(user=author, kind=demo.target, pk=pk)
            announcement = announcement_create(by=author, target=target, title=demo.title, body=demo.body)
            announcement_recipients_claim(announcement_id=announcement.id)
        count += 1
    return count
