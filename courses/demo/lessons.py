"""The demo lessons: media lessons of two demo courses, processed on the spot, and text lessons of every course.

The texts themselves live in texts_people, texts_safety and texts_officials.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File

from courses.demo.media import DemoMedia, demo_media_prepare
from courses.demo.texts_officials import OFFICIALS_TEXT_MODULES
from courses.demo.texts_people import PEOPLE_TEXT_MODULES
from courses.demo.texts_safety import SAFETY_TEXT_MODULES
from courses.models import Course, Lesson, Module
from courses.services.materials import lesson_captions_upload, lesson_process, lesson_source_upload
from courses.services.structure import lesson_create, lesson_publish, lesson_publish_problem, module_create

logger = logging.getLogger(__name__)


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


def demo_lessons_load(media_dir: Path | None = None) -> int:
    """Add the demo modules and lessons that are missing, process their media and publish them; return lessons."""
    media = demo_media_prepare(media_dir or Path(settings.VAR_DIR) / "demo-media")
    published = 0
    for slug, modules in DEMO_MODULES.items():
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            continue
        for module_title, lessons in modules:
            module = demo_module_get(course=course, title=module_title)
            for demo in lessons:
                published += demo_lesson_load(module=module, demo=demo, media=media).is_published
    return published


def demo_text_lessons_load() -> int:
    """Add the demo text lessons that are missing and publish them; return how many are published."""
    published = 0
    for slug, modules in (PEOPLE_TEXT_MODULES | SAFETY_TEXT_MODULES | OFFICIALS_TEXT_MODULES).items():
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            continue
        for module_title, lessons in modules:
            module = demo_module_get(course=course, title=module_title)
            for title, minutes, body_html in lessons:
                demo = DemoLesson(title, Lesson.Kind.TEXT, minutes, body_html=body_html)
                published += demo_lesson_load(module=module, demo=demo, media=None).is_published
    return published


def demo_module_get(*, course: Course, title: str) -> Module:
    return course.modules.filter(title=title).first() or module_create(course=course, title=title)


def demo_lesson_load(*, module: Module, demo: DemoLesson, media: DemoMedia | None) -> Lesson:
    """Create one demo lesson if missing, upload and process its file (if any) through the real services, publish it."""
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
    path = getattr(media, demo.media) if demo.media and media else None
    if demo.media and path is None:
        logger.warning("Demo lesson %r has no media: install ffmpeg, poppler-utils and fonts.", demo.title)
        return lesson
    if path and lesson.processing in (Lesson.Processing.WAITING, Lesson.Processing.FAILED):
        with path.open("rb") as file:
            lesson = lesson_source_upload(lesson=lesson, uploaded_file=File(file, name=path.name))
    if demo.captions and media and media.captions and not lesson.captions:
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
