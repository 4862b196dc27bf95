"""Writes of a course's structure: ownership, order, publication rules and deletions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from courses.models import Course, Lesson, Module
from courses.services import catalogue, structure
from learners.models import LessonProgress
from learners.services.enrolments import enrolment_create
from tests.factories import course_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("messages_in_english")]


Kind = Lesson.Kind
Processing = Lesson.Processing


def course_draft(author, **fields) -> Course:
    values = {"title": "Dịch vụ công trực tuyến", "summary": "Nộp hồ sơ qua mạng.", "topic": "public_services"}
    values |= {"audience_codes": ["public"]} | fields
    return catalogue.course_draft_create(author=author, **values)


def course_with_lessons(province, *, lessons_per_module: int = 3, modules: int = 2) -> Course:
    course = course_make(province=province, is_published=False)
    for number in range(modules):
        module = structure.module_create(course=course, title=f"Phần {number + 1}")
        for lesson_number in range(lessons_per_module):
            structure.lesson_create(module=module, title=f"Bài {number + 1}.{lesson_number + 1}", kind=Kind.TEXT)
    return course


def lesson_ids(module: Module) -> list[int]:
    return list(module.lessons.order_by("position", "id").values_list("id", flat=True))


def positions(module: Module) -> list[tuple[int, int]]:
    return list(module.lessons.order_by("id").values_list("id", "position"))


def lesson_with_file(module: Module, *, kind: str, processing: str) -> Lesson:
    """A lesson whose upload already went through (set directly: uploads are tested elsewhere)."""
    lesson = structure.lesson_create(module=module, title=f"Bài {kind}", kind=kind)
    lesson.source.save("tai-lieu.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    lesson.processing = processing
    lesson.save()
    return lesson


# --- Courses ------------------------------------------------------------------------------------


def test_provincial_admin_course_belongs_to_their_province_whatever_they_ask(admin_hue, province_hanoi):
    """Huế's admin asking for a Hà Nội or a national course still gets a Huế draft."""
    for requested in (province_hanoi, None):
        course = course_draft(admin_hue, owner_province=requested)
        assert course.owner_province_id == admin_hue.scope_province_id
        assert course.is_published is False


def test_ministry_staff_choose_a_national_course_or_any_province(ministry_staff, province_hanoi):
    """Ministry staff may author a national course and a course for any province."""
    assert course_draft(ministry_staff, owner_province=None).owner_province is None
    assert course_draft(ministry_staff, owner_province=province_hanoi).owner_province == province_hanoi


@pytest.mark.parametrize("person", ["learner_hue", "partner_trainer"])
def test_people_without_scope_cannot_create_a_course(request, person):
    """A learner or partner trainer is refused and no course is created."""
    before = Course.objects.count()
    with pytest.raises(PermissionDenied):
        course_draft(request.getfixturevalue(person))
    assert Course.objects.count() == before


def test_new_course_slug_is_made_from_the_title_without_diacritics_and_is_unique(ministry_staff):
    """ "Chuyển đổi số" gives chuyen-doi-so, then chuyen-doi-so-2."""
    first = course_draft(ministry_staff, title="Chuyển đổi số")
    second = course_draft(ministry_staff, title="Chuyển đổi số")
    assert (first.slug, second.slug) == ("chuyen-doi-so", "chuyen-doi-so-2")


def test_course_update_keeps_a_provincial_course_in_its_province(admin_hue, province_hanoi):
    """Huế's admin edits their course; asking for Hà Nội as owner changes nothing of ownership."""
    course = course_draft(admin_hue)
    catalogue.course_update(
        author=admin_hue,
        course=course,
        title="Tiêu đề mới",
        slug=course.slug,
        summary="Tóm tắt mới",
        topic="cyber_safety",
        audience_codes=["digital_team"],
        owner_province=province_hanoi,
        requires_order=True,
    )
    course.refresh_from_db()
    assert (course.title, course.topic, course.requires_order) == ("Tiêu đề mới", "cyber_safety", True)
    assert course.owner_province_id == admin_hue.scope_province_id
    assert [a.code for a in course.audiences.all()] == ["digital_team"]


def test_course_update_by_another_province_is_refused(admin_hue, admin_hanoi):
    """Hà Nội's admin cannot change Huế's course, and it stays as it was."""
    course = course_draft(admin_hue, title="Của Huế")
    with pytest.raises(PermissionDenied):
        catalogue.course_update(
            author=admin_hanoi, course=course, title="Bị sửa", slug=course.slug, summary="x", topic="cyber_safety",
            audience_codes=["public"],
        )  # fmt: skip
    course.refresh_from_db()
    assert course.title == "Của Huế"


def test_course_publishes_only_with_a_published_lesson(province_hue):
    """A course without a published lesson is refused; with one it is published."""
    course = course_with_lessons(province_hue, modules=1, lessons_per_module=1)
    with pytest.raises(ValidationError, match="at least one lesson"):
        catalogue.course_publish(course=course)
    course.refresh_from_db()
    assert course.is_published is False

    lesson = course.lessons.get()
    lesson.body_html = "<p>Nội dung</p>"
    lesson.save()
    structure.lesson_publish(lesson=lesson)
    catalogue.course_publish(course=course)
    course.refresh_from_db()
    assert course.is_published is True


def test_last_published_lesson_of_a_published_course_cannot_be_unpublished(province_hue):
    """Unpublishing the only visible lesson is refused until the course itself is unpublished."""
    course = course_with_lessons(province_hue, modules=1, lessons_per_module=1)
    lesson = course.lessons.get()
    structure.lesson_update(lesson=lesson, title=lesson.title, is_required=True, estimated_minutes=5, body_html="Chữ")
    structure.lesson_publish(lesson=lesson)
    catalogue.course_publish(course=course)

    with pytest.raises(ValidationError, match="Unpublish the course first"):
        structure.lesson_unpublish(lesson=lesson)
    lesson.refresh_from_db()
    assert lesson.is_published is True

    catalogue.course_unpublish(course=course)
    structure.lesson_unpublish(lesson=lesson)
    lesson.refresh_from_db()
    assert lesson.is_published is False


# --- Publication rules of lessons ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.VIDEO, Kind.SLIDES])
@pytest.mark.parametrize("processing", [Processing.PROCESSING, Processing.FAILED, Processing.WAITING])
def test_video_and_slides_are_not_published_before_processing_is_ready(province_hue, kind, processing):
    """A video or slide lesson still processing, failed or waiting stays a draft."""
    module = structure.module_create(course=course_make(province=province_hue), title="Phần 1")
    lesson = lesson_with_file(module, kind=kind, processing=processing)
    with pytest.raises(ValidationError):
        structure.lesson_publish(lesson=lesson)
    lesson.refresh_from_db()
    assert lesson.is_published is False


@pytest.mark.parametrize("kind", [Kind.VIDEO, Kind.SLIDES])
def test_video_and_slides_are_published_once_ready(province_hue, kind):
    """A processed video or slide deck can be published."""
    module = structure.module_create(course=course_make(province=province_hue), title="Phần 1")
    lesson = lesson_with_file(module, kind=kind, processing=Processing.READY)
    structure.lesson_publish(lesson=lesson)
    lesson.refresh_from_db()
    assert lesson.is_published is True


def test_lesson_without_its_file_is_not_published(province_hue):
    """A video, slides or document lesson with nothing uploaded is refused with a clear message."""
    module = structure.module_create(course=course_make(province=province_hue), title="Phần 1")
    for kind in (Kind.VIDEO, Kind.SLIDES, Kind.DOCUMENT):
        lesson = structure.lesson_create(module=module, title="Chưa có tệp", kind=kind)
        with pytest.raises(ValidationError, match="Upload the file"):
            structure.lesson_publish(lesson=lesson)
        lesson.refresh_from_db()
        assert lesson.is_published is False


@pytest.mark.parametrize("processing", [Processing.NOT_NEEDED, Processing.READY])
def test_document_with_its_file_is_published(province_hue, processing):
    """A document needs only its checked file."""
    module = structure.module_create(course=course_make(province=province_hue), title="Phần 1")
    lesson = lesson_with_file(module, kind=Kind.DOCUMENT, processing=processing)
    structure.lesson_publish(lesson=lesson)
    assert Lesson.objects.get(id=lesson.id).is_published is True


def test_text_lesson_needs_text_to_be_published(province_hue):
    """An empty text lesson is refused; once written it is published, and cannot be emptied."""
    module = structure.module_create(course=course_make(province=province_hue), title="Phần 1")
    lesson = structure.lesson_create(module=module, title="Đọc", kind=Kind.TEXT)
    with pytest.raises(ValidationError, match="Write the text"):
        structure.lesson_publish(lesson=lesson)
    assert Lesson.objects.get(id=lesson.id).is_published is False

    structure.lesson_update(lesson=lesson, title="Đọc", is_required=True, estimated_minutes=3, body_html="Nội dung")
    structure.lesson_publish(lesson=lesson)
    with pytest.raises(ValidationError, match="needs some text"):
        structure.lesson_update(lesson=lesson, title="Đọc", is_required=True, estimated_minutes=3, body_html="<p></p>")
    assert Lesson.objects.get(id=lesson.id).body_html == "<p>Nội dung</p>"


# --- Text ---------------------------------------------------------------------------------------


def test_text_lesson_body_is_cleaned_when_created_and_when_updated(province_hue):
    """Script, event handlers and javascript: links never reach the database."""
    module = structure.module_create(course=course_make(province=province_hue), title="Phần 1")
    dirty = '<p onclick="alert(1)">Xin chào<script>alert(2)</script> <a href="javascript:alert(3)">bấm</a></p>'
    lesson = structure.lesson_create(module=module, title="Bài đọc", kind=Kind.TEXT, body_html=dirty)
    assert Lesson.objects.get(id=lesson.id).body_html == '<p>Xin chào <a rel="noopener noreferrer">bấm</a></p>'

    structure.lesson_update(
        lesson=lesson, title="Bài đọc", is_required=False, estimated_minutes=2, body_html='<img src=x onerror="a()">Hi'
    )
    assert Lesson.objects.get(id=lesson.id).body_html == "Hi"


# --- Order --------------------------------------------------------------------------------------


def test_lesson_reorder_rewrites_positions_in_the_given_order(province_hue):
    """The complete new order becomes positions 0, 1, 2."""
    module = course_with_lessons(province_hue, modules=1).modules.get()
    first, second, third = lesson_ids(module)
    structure.lesson_reorder(module=module, lesson_ids=[third, first, second])
    assert lesson_ids(module) == [third, first, second]
    assert sorted(position for _, position in positions(module)) == [0, 1, 2]


@pytest.mark.parametrize("change", ["foreign", "missing", "duplicate", "other_module"])
def test_lesson_reorder_refuses_an_incomplete_or_foreign_order(province_hue, change):
    """Ids of another course or module, a missing or a repeated id: refused, nothing changed."""
    course = course_with_lessons(province_hue)
    module, other_module = course.modules.all()
    foreign = course_with_lessons(province_hue, modules=1).lessons.first()
    ids = lesson_ids(module)
    new_order = {
        "foreign": [ids[2], ids[1], foreign.id],
        "missing": [ids[2], ids[1]],
        "duplicate": [ids[2], ids[1], ids[1], ids[0]],
        "other_module": [ids[2], ids[1], ids[0], other_module.lessons.first().id],
    }[change]
    before = positions(module), positions(other_module)
    with pytest.raises(ValidationError, match="exactly once"):
        structure.lesson_reorder(module=module, lesson_ids=new_order)
    assert (positions(module), positions(other_module)) == before


def test_module_reorder_refuses_modules_of_another_course(province_hue, province_hanoi):
    """A module of Hà Nội's course in Huế's new order is refused and nothing moves."""
    course = course_with_lessons(province_hue, lessons_per_module=0)
    foreign = course_with_lessons(province_hanoi, modules=1, lessons_per_module=0).modules.get()
    first, second = course.modules.values_list("id", flat=True)
    before = list(Module.objects.order_by("id").values_list("id", "position"))
    with pytest.raises(ValidationError, match="exactly once"):
        structure.module_reorder(course=course, module_ids=[second, foreign.id])
    assert list(Module.objects.order_by("id").values_list("id", "position")) == before

    structure.module_reorder(course=course, module_ids=[second, first])
    assert list(course.modules.values_list("id", flat=True)) == [second, first]


def test_lesson_move_shifts_one_place_and_stops_at_the_ends(province_hue):
    """Moving up swaps with the one before; the first one moving up stays first."""
    module = course_with_lessons(province_hue, modules=1).modules.get()
    first, second, third = lesson_ids(module)
    structure.lesson_move(lesson=Lesson.objects.get(id=third), offset=-1)
    assert lesson_ids(module) == [first, third, second]
    structure.lesson_move(lesson=Lesson.objects.get(id=first), offset=-1)
    assert lesson_ids(module) == [first, third, second]
    structure.lesson_move(lesson=Lesson.objects.get(id=first), offset=1)
    assert lesson_ids(module) == [third, first, second]


def test_module_move_down(province_hue):
    """A module moved down trades places with the next one."""
    course = course_with_lessons(province_hue, lessons_per_module=0, modules=3)
    first, second, third = course.modules.values_list("id", flat=True)
    structure.module_move(module=Module.objects.get(id=first), offset=1)
    assert list(course.modules.values_list("id", flat=True)) == [second, first, third]


def test_lesson_moves_to_the_end_of_another_module_of_the_same_course_only(province_hue):
    """A lesson can change module within its course; a module of another course is refused."""
    course = course_with_lessons(province_hue)
    module, other_module = course.modules.all()
    lesson = module.lessons.first()
    structure.lesson_update(
        lesson=lesson, title=lesson.title, is_required=True, estimated_minutes=5, module=other_module
    )
    assert lesson_ids(other_module)[-1] == lesson.id

    foreign_module = course_with_lessons(province_hue, modules=1).modules.get()
    with pytest.raises(ValidationError, match="same course"):
        structure.lesson_update(
            lesson=lesson, title=lesson.title, is_required=True, estimated_minutes=5, module=foreign_module
        )
    assert Lesson.objects.get(id=lesson.id).module_id == other_module.id


# --- Deletion -----------------------------------------------------------------------------------


def test_module_with_lessons_is_not_deleted(province_hue):
    """A module still holding lessons is refused and keeps them."""
    module = course_with_lessons(province_hue, modules=1).modules.get()
    with pytest.raises(ValidationError, match="still has lessons"):
        structure.module_delete(module=module)
    assert Module.objects.filter(id=module.id).exists()
    assert module.lessons.count() == 3


def test_empty_module_is_deleted_and_the_others_renumbered(province_hue):
    """Deleting the first empty module leaves the others at positions 0 and 1."""
    course = course_with_lessons(province_hue, lessons_per_module=0, modules=3)
    first, second, third = course.modules.all()
    structure.module_delete(module=first)
    assert list(course.modules.values_list("id", "position")) == [(second.id, 0), (third.id, 1)]


def test_published_lesson_is_not_deleted(province_hue):
    """A published lesson must be unpublished before it can be deleted."""
    module = structure.module_create(course=course_make(province=province_hue), title="Phần 1")
    lesson = structure.lesson_create(module=module, title="Đọc", kind=Kind.TEXT, body_html="Chữ")
    structure.lesson_publish(lesson=lesson)
    with pytest.raises(ValidationError, match="Unpublish"):
        structure.lesson_delete(lesson=lesson)
    assert Lesson.objects.filter(id=lesson.id).exists()


def test_lesson_a_learner_opened_is_not_deleted(province_hue, learner_hue):
    """Once a learner has progress on a lesson, deleting it is refused and the progress kept."""
    course = course_make(province=province_hue)
    module = structure.module_create(course=course, title="Phần 1")
    lesson = structure.lesson_create(module=module, title="Đọc", kind=Kind.TEXT, body_html="Chữ")
    enrolment = enrolment_create(learner=learner_hue, course=course)
    LessonProgress.objects.create(learner=learner_hue, lesson=lesson, enrolment=enrolment)
    with pytest.raises(ValidationError, match="already opened"):
        structure.lesson_delete(lesson=lesson)
    assert LessonProgress.objects.filter(lesson_id=lesson.id).count() == 1


def test_draft_lesson_is_deleted_with_its_files(province_hue, django_capture_on_commit_callbacks):
    """A draft lesson's row and its stored files go; the remaining lessons are renumbered."""
    module = structure.module_create(course=course_make(province=province_hue), title="Phần 1")
    lesson = lesson_with_file(module, kind=Kind.DOCUMENT, processing=Processing.NOT_NEEDED)
    other = structure.lesson_create(module=module, title="Bài sau", kind=Kind.TEXT)
    derived = default_storage.save(f"lessons/{lesson.course_id}/{lesson.id}/v1/pages/001.jpg", ContentFile(b"x"))
    source = lesson.source.name
    assert default_storage.exists(source)

    with django_capture_on_commit_callbacks(execute=True):
        structure.lesson_delete(lesson=lesson)

    assert not Lesson.objects.filter(id=lesson.id).exists()
    assert not default_storage.exists(source) and not default_storage.exists(derived)
    assert Lesson.objects.get(id=other.id).position == 0
