"""Reads of the studio: the courses, modules and lessons a user may change, every one through the scope module."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from courses.models import Course, Lesson, Module
from courses.selectors.catalogue import course_page_related
from onetouch import scope
from onetouch.models import User


def course_list_for_studio(*, user: User) -> QuerySet[Course]:
    """Return the courses the user may change, newest change first, with their lesson counts."""
    courses = scope.filter_to_scope(Course.objects.all(), user, province_field="owner_province")
    return (
        courses.select_related("owner_province")
        .defer("description", "search_text")
        .annotate(
            lesson_total=Count("lessons"),
            lesson_published=Count("lessons", filter=Q(lessons__is_published=True)),
        )
        .order_by("-updated_at", "-id")
    )


def course_get_for_studio(*, user: User, course_id: int, outline: bool = False, page: bool = False) -> Course:
    """Return the course if the user may change it, else 404; with its modules and lessons for an outline,
    with what its catalogue page shows for a preview of that page."""
    courses = Course.objects.select_related("owner_province")
    if page:
        courses = course_page_related(courses)
    if outline:
        courses = courses.prefetch_related(
            Prefetch("modules", queryset=Module.objects.order_by("position", "id")),
            Prefetch("modules__lessons", queryset=Lesson.objects.order_by("position", "id").defer("body_html")),
        )
    return scope.get_changeable_or_404(courses, user, province_field="owner_province", id=course_id)


def module_get_for_studio(*, user: User, module_id: int) -> Module:
    """Return the module if the user may change its course, else 404."""
    modules = scope.filter_to_scope(
        Module.objects.select_related("course"), user, province_field="course__owner_province"
    )
    return get_object_or_404(modules, id=module_id)


def lesson_get_for_studio(*, user: User, lesson_id: int) -> Lesson:
    """Return the lesson if the user may change its course, else 404."""
    lessons = scope.filter_to_scope(
        Lesson.objects.select_related("course", "module"), user, province_field="course__owner_province"
    )
    return get_object_or_404(lessons, id=lesson_id)
