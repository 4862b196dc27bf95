"""The studio's pages: who reaches them, the authoring flow, uploads, reordering and query bounds."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from pypdf import PdfWriter

from courses.models import Course, Lesson, Module
from courses.services import structure
from courses.urls.studio import urlpatterns as studio_urlpatterns
from tests.factories import course_make

pytestmark = pytest.mark.django_db

Kind = Lesson.Kind


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def hue_course(province_hue) -> Course:
    """A draft course of Huế with two modules, a text lesson and a video lesson."""
    course = course_make(title="Khóa học của Huế", province=province_hue, is_published=False)
    first = structure.module_create(course=course, title="Phần 1")
    structure.module_create(course=course, title="Phần 2")
    structure.lesson_create(module=first, title="Bài đọc", kind=Kind.TEXT, body_html="Nội dung")
    structure.lesson_create(module=first, title="Bài video", kind=Kind.VIDEO)
    return course


def snapshot(course: Course) -> dict:
    """Everything a studio action could change about a course."""
    course.refresh_from_db()
    return {
        "course": (course.title, course.slug, course.is_published, course.owner_province_id),
        "courses": Course.objects.count(),
        "modules": list(Module.objects.order_by("id").values_list("id", "course_id", "title", "position")),
        "lessons": list(
            Lesson.objects.order_by("id").values_list(
                "id", "module_id", "title", "position", "is_published", "processing", "source", "captions"
            )
        ),
    }


# Every studio URL: name, the object its argument names, the method that does its work, what the
# owner's request posts, and the status the owner gets.
STUDIO_URLS = [
    ("studio_home", None, "get", 200),
    ("studio_course_create", None, "get", 200),
    ("studio_course", "course", "get", 200),
    ("studio_course_edit", "course", "get", 200),
    ("studio_course_preview", "course", "get", 200),
    ("studio_course_publish", "course", "post", 302),
    ("studio_course_unpublish", "course", "post", 302),
    ("studio_module_create", "course", "get", 200),
    ("studio_module_reorder", "course", "post", 302),
    ("studio_module_edit", "module", "get", 200),
    ("studio_module_delete", "module", "get", 200),
    ("studio_module_move", "module", "post", 302),
    ("studio_lesson_create", "module", "get", 200),
    ("studio_lesson_reorder", "module", "post", 302),
    ("studio_lesson", "lesson", "get", 200),
    ("studio_lesson_upload", "lesson", "post", 400),
    ("studio_lesson_captions", "lesson", "post", 400),
    ("studio_lesson_retry", "lesson", "post", 302),
    ("studio_lesson_publish", "lesson", "post", 302),
    ("studio_lesson_unpublish", "lesson", "post", 302),
    ("studio_lesson_move", "lesson", "post", 302),
    ("studio_lesson_delete", "lesson", "get", 200),
]


def studio_url(name: str, target: str | None, course: Course) -> str:
    module = course.modules.first()
    lesson = module.lessons.first()
    args = {None: [], "course": [course.id], "module": [module.id], "lesson": [lesson.id]}[target]
    return reverse(f"courses:{name}", args=args)


def post_data(name: str, course: Course) -> dict:
    module = course.modules.first()
    if name == "studio_module_reorder":
        return {"order": ",".join(str(i) for i in reversed(course.modules.values_list("id", flat=True)))}
    if name == "studio_lesson_reorder":
        return {"order": ",".join(str(i) for i in reversed(module.lessons.values_list("id", flat=True)))}
    if name in ("studio_module_move", "studio_lesson_move"):
        return {"direction": "down"}
    return {}


def test_every_studio_url_is_in_the_scope_table():
    """The scope tests below cover each route of the studio."""
    names = {pattern.name for pattern in studio_urlpatterns if isinstance(pattern, URLPattern)}
    assert names == {name for name, *_ in STUDIO_URLS}


# The two URLs without an object (studio home, new course) only list and create the admin's own
# province's courses: tested further down.
@pytest.mark.parametrize(("name", "target", "method", "status"), [url for url in STUDIO_URLS if url[1]])
def test_admin_of_another_province_gets_404_and_changes_nothing(
    client, admin_hanoi, hue_course, name, target, method, status
):
    """Hà Nội's admin gets 404 on every studio URL of Huế's course, by GET and POST, and nothing changes."""
    client.force_login(admin_hanoi)
    url = studio_url(name, target, hue_course)
    before = snapshot(hue_course)
    assert client.post(url, post_data(name, hue_course)).status_code == 404
    if method == "get":
        assert client.get(url).status_code == 404
    assert snapshot(hue_course) == before


@pytest.mark.parametrize("person", ["learner_hue", "partner_trainer"])
@pytest.mark.parametrize(("name", "target", "method", "status"), STUDIO_URLS)
def test_learners_and_partner_trainers_get_403_and_change_nothing(
    client, request, hue_course, person, name, target, method, status
):
    """A learner or a partner trainer is forbidden every studio URL, and nothing changes."""
    client.force_login(request.getfixturevalue(person))
    url = studio_url(name, target, hue_course)
    before = snapshot(hue_course)
    response = client.post(url, post_data(name, hue_course)) if method == "post" else client.get(url)
    assert response.status_code == 403
    assert snapshot(hue_course) == before


@pytest.mark.parametrize(("name", "target", "method", "status"), STUDIO_URLS)
def test_visitor_is_sent_to_sign_in(client, hue_course, name, target, method, status):
    """A visitor is sent to the sign-in page from every studio URL, and nothing changes."""
    url = studio_url(name, target, hue_course)
    before = snapshot(hue_course)
    response = client.post(url, post_data(name, hue_course)) if method == "post" else client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert snapshot(hue_course) == before


@pytest.mark.parametrize("person", ["admin_hue", "ministry_staff"])
@pytest.mark.parametrize(("name", "target", "method", "status"), STUDIO_URLS)
def test_owning_admin_and_ministry_staff_reach_every_studio_url(
    client, request, hue_course, person, name, target, method, status
):
    """Huế's admin and ministry staff reach every studio URL of Huế's course."""
    client.force_login(request.getfixturevalue(person))
    url = studio_url(name, target, hue_course)
    response = client.post(url, post_data(name, hue_course)) if method == "post" else client.get(url)
    assert response.status_code == status
    if status == 302:
        assert not response.url.startswith(reverse("account_login"))


def test_studio_home_lists_only_courses_the_admin_may_change(client, admin_hue, hue_course, province_hanoi):
    """Huế's admin sees Huế's course, neither Hà Nội's nor a national one; ministry staff see all three."""
    course_make(title="Khóa học của Hà Nội", province=province_hanoi, is_published=False)
    course_make(title="Khóa học quốc gia", province=None)
    client.force_login(admin_hue)
    page = client.get(reverse("courses:studio_home")).content.decode()
    assert "Khóa học của Huế" in page
    assert "Khóa học của Hà Nội" not in page and "Khóa học quốc gia" not in page


def test_ministry_staff_see_every_course_in_the_studio(client, ministry_staff, hue_course, province_hanoi):
    """Ministry staff list provincial and national courses alike."""
    course_make(title="Khóa học của Hà Nội", province=province_hanoi, is_published=False)
    course_make(title="Khóa học quốc gia", province=None)
    client.force_login(ministry_staff)
    page = client.get(reverse("courses:studio_home")).content.decode()
    assert "Khóa học của Huế" in page and "Khóa học của Hà Nội" in page and "Khóa học quốc gia" in page


def test_provincial_admin_gets_404_for_a_national_course(client, admin_hue, ministry_staff):
    """A national course is the ministry's: a provincial admin cannot open it in the studio."""
    national = course_make(title="Khóa học quốc gia", province=None)
    url = reverse("courses:studio_course", args=[national.id])
    client.force_login(admin_hue)
    assert client.get(url).status_code == 404
    client.force_login(ministry_staff)
    assert client.get(url).status_code == 200


def test_studio_link_shows_for_authors_only(client, admin_hue, ministry_staff, learner_hue, partner_trainer):
    """The header links to the studio for provincial admins and ministry staff, not learners or trainers."""
    link = f'href="{reverse("courses:studio_home")}"'
    for person, expected in ((admin_hue, True), (ministry_staff, True), (learner_hue, False), (partner_trainer, False)):
        client.force_login(person)
        assert (link in client.get(reverse("courses:list")).content.decode()) is expected


# --- The authoring flow -------------------------------------------------------------------------


def course_form_data(**fields) -> dict:
    return {
        "title": "Kỹ năng số cho Tổ công nghệ số cộng đồng",
        "slug": "",
        "summary": "Năm việc Tổ công nghệ số cộng đồng hướng dẫn người dân.",
        "description": "Dịch vụ công, thanh toán, mua sắm, an toàn.",
        "audiences": ["digital_team", "public"],
        "topic": "digital_skills",
        "level": "basic",
        "format": "online",
        "estimated_hours": "2",
    } | fields


def test_admin_authors_and_publishes_a_course_of_their_province(in_english, admin_hue, province_hanoi):
    """Huế's admin creates a course, two modules, four kinds of lesson, reorders, publishes; learners see it."""
    client = in_english
    client.force_login(admin_hue)

    response = client.post(reverse("courses:studio_course_create"), course_form_data(owner_province=province_hanoi.id))
    course = Course.objects.get(title="Kỹ năng số cho Tổ công nghệ số cộng đồng")
    assert response.url == reverse("courses:studio_course", args=[course.id])
    assert course.owner_province_id == admin_hue.scope_province_id
    assert course.slug == "ky-nang-so-cho-to-cong-nghe-so-cong-dong"
    assert course.is_published is False

    for title in ("Phần 1: Dịch vụ công", "Phần 2: An toàn"):
        client.post(reverse("courses:studio_module_create", args=[course.id]), {"title": title})
    first, second = course.modules.all()
    assert [first.title, second.title] == ["Phần 1: Dịch vụ công", "Phần 2: An toàn"]

    def lesson_add(module, title, kind, body=""):
        data = {"title": title, "kind": kind, "is_required": "on", "estimated_minutes": "7", "body": body}
        response = client.post(reverse("courses:studio_lesson_create", args=[module.id]), data)
        lesson = Lesson.objects.get(title=title)
        assert response.url == reverse("courses:studio_lesson", args=[lesson.id])
        return lesson

    video = lesson_add(first, "Phim: nộp hồ sơ trực tuyến", Kind.VIDEO)
    slides = lesson_add(first, "Bài trình chiếu", Kind.SLIDES)
    document = lesson_add(second, "Tài liệu phát tay", Kind.DOCUMENT)
    text = lesson_add(second, "Bài đọc", Kind.TEXT, body="<p>Đọc kỹ<script>alert(1)</script></p>")
    assert text.body_html == "<p>Đọc kỹ</p>"
    assert (video.processing, document.processing) == (Lesson.Processing.WAITING, Lesson.Processing.WAITING)

    outline = client.get(reverse("courses:studio_course", args=[course.id])).content.decode()
    assert outline.index("Phim: nộp hồ sơ trực tuyến") < outline.index("Bài trình chiếu")
    assert "Waiting for a file" in outline

    response = client.post(
        reverse("courses:studio_lesson_reorder", args=[first.id]),
        {"order": f"{slides.id},{video.id}"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"order": [slides.id, video.id]}
    client.post(reverse("courses:studio_lesson_move", args=[text.id]), {"direction": "up"})
    client.post(reverse("courses:studio_module_move", args=[second.id]), {"direction": "up"})
    assert list(first.lessons.values_list("id", flat=True)) == [slides.id, video.id]
    assert list(second.lessons.values_list("id", flat=True)) == [text.id, document.id]
    assert list(course.modules.values_list("id", flat=True)) == [second.id, first.id]

    response = client.post(reverse("courses:studio_lesson_publish", args=[video.id]), follow=True)
    assert "Upload the file of this lesson before publishing it." in response.content.decode()
    assert Lesson.objects.get(id=video.id).is_published is False

    client.post(reverse("courses:studio_lesson_publish", args=[text.id]))
    response = client.post(reverse("courses:studio_course_publish", args=[course.id]), follow=True)
    assert "The course is published" in response.content.decode()
    course.refresh_from_db()
    assert course.is_published is True
    client.logout()
    assert client.get(course.get_absolute_url()).status_code == 200


def test_ministry_staff_create_a_national_course(client, ministry_staff):
    """Ministry staff leave the owner empty and get a national course."""
    client.force_login(ministry_staff)
    client.post(reverse("courses:studio_course_create"), course_form_data(owner_province=""))
    assert Course.objects.get(title="Kỹ năng số cho Tổ công nghệ số cộng đồng").owner_province is None


def test_provincial_admin_sees_no_owner_field(client, admin_hue):
    """The course form offers the owning province only to ministry staff."""
    client.force_login(admin_hue)
    page = client.get(reverse("courses:studio_course_create")).content.decode()
    assert 'name="owner_province"' not in page
    assert "Thành phố Huế" in page


def test_course_form_with_errors_creates_nothing(in_english, admin_hue, hue_course):
    """A missing title or a malformed web address is shown on the form, and no course is created."""
    in_english.force_login(admin_hue)
    before = Course.objects.count()
    for wrong in ({"title": ""}, {"slug": "khóa học/mới"}):
        response = in_english.post(reverse("courses:studio_course_create"), course_form_data(**wrong))
        assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert Course.objects.count() == before


@pytest.mark.parametrize("author", ["admin_hanoi", "admin_hue"])
def test_web_address_of_another_course_gets_a_free_one_and_no_word_on_whose(
    in_english, request, author, hue_course, province_hanoi
):
    """Asking for the address of Huế's draft, on creating or editing, gives the next free one and says only that.

    Hà Nội's admin (who may not know the draft exists) and Huế's (who may) get the same answer.
    """
    in_english.force_login(request.getfixturevalue(author))
    own = course_make(title="Khóa học đang soạn", province=request.getfixturevalue(author).scope_province)
    wanted = hue_course.slug

    created = in_english.post(reverse("courses:studio_course_create"), course_form_data(slug=wanted), follow=True)
    edited = in_english.post(
        reverse("courses:studio_course_edit", args=[own.id]), course_form_data(slug=wanted), follow=True
    )

    new = Course.objects.exclude(id__in=[hue_course.id, own.id]).get()
    own.refresh_from_db()
    assert (new.slug, own.slug) == (f"{wanted}-2", f"{wanted}-3")
    for response, course in ((created, new), (edited, own)):
        page = response.content.decode()
        assert f"The web address {wanted} is not available; this course&#x27;s address is {course.slug}." in page
        assert hue_course.title not in page and "already exists" not in page
    hue_course.refresh_from_db()
    assert hue_course.slug == wanted


def test_course_edit_saves_and_keeps_the_province(client, admin_hue, hue_course, province_hanoi):
    """Editing a course changes its description; the owner stays Huế."""
    client.force_login(admin_hue)
    data = course_form_data(
        title="Tên mới", slug=hue_course.slug, requires_order="on", owner_province=province_hanoi.id
    )
    response = client.post(reverse("courses:studio_course_edit", args=[hue_course.id]), data)
    assert response.status_code == 302
    hue_course.refresh_from_db()
    assert (hue_course.title, hue_course.requires_order) == ("Tên mới", True)
    assert hue_course.owner_province_id == admin_hue.scope_province_id


def test_module_rename_and_delete(in_english, admin_hue, hue_course):
    """A module is renamed; deleting one with lessons is refused with a message, an empty one is deleted."""
    in_english.force_login(admin_hue)
    first, second = hue_course.modules.all()
    in_english.post(reverse("courses:studio_module_edit", args=[first.id]), {"title": "Phần mở đầu"})
    assert Module.objects.get(id=first.id).title == "Phần mở đầu"

    response = in_english.post(reverse("courses:studio_module_delete", args=[first.id]), follow=True)
    assert "This module still has lessons" in response.content.decode()
    assert Module.objects.filter(id=first.id).exists()

    in_english.post(reverse("courses:studio_module_delete", args=[second.id]))
    assert not Module.objects.filter(id=second.id).exists()


def test_lesson_edit_saves_details_and_cleans_text(client, admin_hue, hue_course):
    """The lesson form saves title, requirement, minutes and cleaned text, and can change module."""
    client.force_login(admin_hue)
    lesson = hue_course.lessons.get(kind=Kind.TEXT)
    second = hue_course.modules.last()
    data = {
        "title": "Bài đọc mới",
        "module": second.id,
        "estimated_minutes": "12",
        "body": '<p><a href="javascript:alert(1)" onclick="x()">liên kết</a> <strong>đậm</strong></p>',
    }
    assert client.post(reverse("courses:studio_lesson", args=[lesson.id]), data).status_code == 302
    lesson.refresh_from_db()
    assert (lesson.title, lesson.is_required, lesson.estimated_minutes) == ("Bài đọc mới", False, 12)
    assert lesson.module_id == second.id
    assert lesson.body_html == '<p><a rel="noopener noreferrer">liên kết</a> <strong>đậm</strong></p>'


def test_lesson_delete_removes_a_draft(client, admin_hue, hue_course):
    """Confirming deletion removes a draft lesson and goes back to the outline."""
    client.force_login(admin_hue)
    lesson = hue_course.lessons.get(kind=Kind.VIDEO)
    response = client.post(reverse("courses:studio_lesson_delete", args=[lesson.id]))
    assert response.url == reverse("courses:studio_course", args=[hue_course.id])
    assert not Lesson.objects.filter(id=lesson.id).exists()


def test_preview_lists_drafts_and_links_to_the_learner_pages(client, admin_hue, hue_course):
    """The preview shows every lesson, drafts marked, each linking to its lesson page as learners see it."""
    client.force_login(admin_hue)
    page = client.get(reverse("courses:studio_course_preview", args=[hue_course.id])).content.decode()
    for lesson in hue_course.lessons.all():
        assert lesson.title in page
        assert f'href="{reverse("learners:lesson", args=[hue_course.slug, lesson.id])}"' in page


# --- Titles and text never run as script ---------------------------------------------------------


def test_script_in_titles_is_shown_as_text(client, admin_hue, province_hue):
    """A course, module and lesson titled with a <script> are escaped on every studio page."""
    script = "<script>alert(1)</script>"
    course = course_make(title=f"Khóa {script}", province=province_hue, is_published=False)
    module = structure.module_create(course=course, title=f"Phần {script}")
    lesson = structure.lesson_create(module=module, title=f"Bài {script}", kind=Kind.TEXT)
    client.force_login(admin_hue)
    for url in (
        reverse("courses:studio_home"),
        reverse("courses:studio_course", args=[course.id]),
        reverse("courses:studio_course_preview", args=[course.id]),
        reverse("courses:studio_lesson", args=[lesson.id]),
        reverse("courses:studio_lesson_delete", args=[lesson.id]),
    ):
        page = client.get(url).content.decode()
        assert script not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Files, processing state and retry ------------------------------------------------------------


def stored_names(lesson: Lesson) -> list[str]:
    folder = f"lessons/{lesson.course_id}/{lesson.id}/"

    def walk(prefix: str) -> list[str]:
        try:
            directories, files = default_storage.listdir(prefix)
        except FileNotFoundError:
            return []
        return [prefix + name for name in files] + [n for d in directories for n in walk(f"{prefix}{d}/")]

    return walk(folder)


def test_document_upload_through_the_studio_then_publish(in_english, admin_hue, hue_course):
    """A PDF handout uploaded on the lesson page is stored under a safe name, shown Ready, and publishable."""
    in_english.force_login(admin_hue)
    lesson = structure.lesson_create(module=hue_course.modules.last(), title="Tài liệu", kind=Kind.DOCUMENT)
    upload = SimpleUploadedFile("<script>alert(1)</script>.pdf", pdf_bytes(), content_type="text/html")

    response = in_english.post(reverse("courses:studio_lesson_upload", args=[lesson.id]), {"file": upload})

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.source and lesson.source_content_type == "application/pdf"
    assert "/" not in lesson.source_name and "<" not in lesson.source_name
    page = in_english.get(reverse("courses:studio_lesson", args=[lesson.id])).content.decode()
    assert "Ready" in page and "<script>alert(1)" not in page
    in_english.post(reverse("courses:studio_lesson_publish", args=[lesson.id]))
    assert Lesson.objects.get(id=lesson.id).is_published is True


def test_html_named_mp4_is_refused_on_the_lesson_page(in_english, admin_hue, hue_course):
    """An HTML page named .mp4 gets a message on the form; the lesson and the storage are unchanged."""
    in_english.force_login(admin_hue)
    lesson = hue_course.lessons.get(kind=Kind.VIDEO)
    before = snapshot(hue_course)
    upload = SimpleUploadedFile("phim.mp4", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "video/mp4")

    response = in_english.post(reverse("courses:studio_lesson_upload", args=[lesson.id]), {"file": upload})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_file_error"' in page and "HTML" in page
    assert snapshot(hue_course) == before
    assert stored_names(lesson) == []


def test_upload_to_a_text_lesson_is_refused(in_english, admin_hue, hue_course):
    """A text lesson takes no file: the upload is refused and nothing is stored."""
    in_english.force_login(admin_hue)
    lesson = hue_course.lessons.get(kind=Kind.TEXT)
    before = snapshot(hue_course)
    upload = SimpleUploadedFile("tai-lieu.pdf", pdf_bytes(), "application/pdf")
    response = in_english.post(reverse("courses:studio_lesson_upload", args=[lesson.id]), {"file": upload})
    assert response.status_code == 400 and "A text or quiz lesson has no file." in response.content.decode()
    assert snapshot(hue_course) == before
    assert stored_names(lesson) == []


def test_bad_captions_are_refused_on_the_lesson_page(in_english, admin_hue, hue_course):
    """A captions file that is not WebVTT is refused with a message and nothing changes."""
    in_english.force_login(admin_hue)
    lesson = hue_course.lessons.get(kind=Kind.VIDEO)
    before = snapshot(hue_course)
    upload = SimpleUploadedFile("phu-de.vtt", b"<html>not captions</html>", "text/vtt")
    response = in_english.post(reverse("courses:studio_lesson_captions", args=[lesson.id]), {"captions": upload})
    assert response.status_code == 400 and 'id="id_captions_error"' in response.content.decode()
    assert snapshot(hue_course) == before


def test_webvtt_captions_are_stored(client, admin_hue, hue_course):
    """A WebVTT file is stored as the video lesson's captions."""
    client.force_login(admin_hue)
    lesson = hue_course.lessons.get(kind=Kind.VIDEO)
    captions = "WEBVTT\n\n00:00.000 --> 00:02.000\nXin chào\n".encode()
    upload = SimpleUploadedFile("phu-de.vtt", captions, "text/vtt")
    assert (
        client.post(reverse("courses:studio_lesson_captions", args=[lesson.id]), {"captions": upload}).status_code
        == 302
    )
    lesson.refresh_from_db()
    assert lesson.captions and default_storage.open(lesson.captions.name).read() == captions


def test_failed_processing_shows_its_message_and_retry_starts_again(in_english, admin_hue, hue_course):
    """The outline says "Processing failed: …" with a Retry button, which sets the lesson processing again."""
    lesson = hue_course.lessons.get(kind=Kind.VIDEO)
    lesson.source = default_storage.save(f"lessons/{lesson.course_id}/{lesson.id}/source/phim.mp4", io.BytesIO(b"x"))
    lesson.processing = Lesson.Processing.FAILED
    lesson.processing_error = "The video file is damaged or cut short."
    lesson.save()
    in_english.force_login(admin_hue)
    outline_url = reverse("courses:studio_course", args=[hue_course.id])
    outline = in_english.get(outline_url).content.decode()
    assert "Processing failed: The video file is damaged or cut short." in outline
    assert reverse("courses:studio_lesson_retry", args=[lesson.id]) in outline

    response = in_english.post(reverse("courses:studio_lesson_retry", args=[lesson.id]), {"next": outline_url})

    assert response.url == outline_url
    lesson.refresh_from_db()
    assert (lesson.processing, lesson.processing_error) == (Lesson.Processing.PROCESSING, "")
    assert "Processing…" in in_english.get(outline_url).content.decode()


def test_retry_never_redirects_off_site(client, admin_hue, hue_course):
    """A `next` pointing to another site is ignored."""
    client.force_login(admin_hue)
    lesson = hue_course.lessons.get(kind=Kind.VIDEO)
    response = client.post(reverse("courses:studio_lesson_retry", args=[lesson.id]), {"next": "https://evil.example/"})
    assert response.url == reverse("courses:studio_lesson", args=[lesson.id])


# --- Reordering ---------------------------------------------------------------------------------


def test_reorder_with_lessons_of_another_course_is_refused(in_english, admin_hue, hue_course, province_hue):
    """A new order naming a lesson of another course answers 400 to the script and changes nothing."""
    other = course_make(province=province_hue, is_published=False)
    foreign = structure.lesson_create(
        module=structure.module_create(course=other, title="Khác"), title="Bài khác", kind=Kind.TEXT
    )
    module = hue_course.modules.first()
    ids = list(module.lessons.values_list("id", flat=True))
    in_english.force_login(admin_hue)
    before = snapshot(hue_course)

    url = reverse("courses:studio_lesson_reorder", args=[module.id])
    response = in_english.post(url, {"order": f"{ids[1]},{foreign.id}"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "exactly once" in response.json()["error"]
    response = in_english.post(url, {"order": f"{ids[1]},{ids[0]},{foreign.id}"})
    assert response.status_code == 302
    response = in_english.post(url, {"order": "1;2"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400

    assert snapshot(hue_course) == before
    assert Lesson.objects.get(id=foreign.id).module.course_id == other.id


def test_module_reorder_by_script(client, admin_hue, hue_course):
    """The script's complete order of modules is saved."""
    client.force_login(admin_hue)
    first, second = hue_course.modules.values_list("id", flat=True)
    response = client.post(
        reverse("courses:studio_module_reorder", args=[hue_course.id]),
        {"order": f"{second},{first}"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert list(hue_course.modules.values_list("id", flat=True)) == [second, first]


def test_outline_offers_reordering_with_and_without_javascript(client, admin_hue, hue_course):
    """The outline loads the deferred studio script and has Move up and Move down buttons in forms."""
    client.force_login(admin_hue)
    page = client.get(reverse("courses:studio_course", args=[hue_course.id])).content.decode()
    assert 'src="/static/js/studio.js" defer' in page
    assert "data-reorder-url" in page and 'draggable="true"' in page
    assert page.count('name="direction" value="up"') == 2 + 2
    assert "<script>" not in page


# --- Query bounds -------------------------------------------------------------------------------


def test_outline_queries_do_not_grow_with_lessons(client, admin_hue, province_hue):
    """The outline page runs the same ≤10 queries with 2 or 30 lessons."""
    course = course_make(province=province_hue, is_published=False)
    modules = [structure.module_create(course=course, title=f"Phần {n}") for n in range(2)]
    for module in modules:
        structure.lesson_create(module=module, title="Bài", kind=Kind.VIDEO)
    client.force_login(admin_hue)
    url = reverse("courses:studio_course", args=[course.id])

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    small = queries()
    for number in range(28):
        structure.lesson_create(module=modules[number % 2], title=f"Bài {number}", kind=Kind.TEXT)
        if number % 5 == 0:
            structure.module_create(course=course, title=f"Phần thêm {number}")
    assert course.lessons.count() == 30
    large = queries()
    assert small == large <= 10


def test_studio_home_queries_are_bounded(client, ministry_staff, province_hue, django_assert_max_num_queries):
    """The studio's course list runs a fixed number of queries with many courses and lessons."""
    for number in range(25):
        course = course_make(province=province_hue if number % 2 else None, is_published=False)
        structure.lesson_create(module=structure.module_create(course=course, title="P"), title="B", kind=Kind.TEXT)
    client.force_login(ministry_staff)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("courses:studio_home")).status_code == 200
