import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.forms.catalogue import CatalogueFilterForm
from courses.selectors.catalogue import (
    CatalogueFilters,
    course_get_for_page,
    course_list_for_audience_counts,
    course_list_for_catalogue,
)
from courses.selectors.outline import course_outline_get
from onetouch import scope
from onetouch.cache import cache_get_or_build
from onetouch.models import AudienceGroup

CATALOGUE_GENERATION_KEY = "catalogue:generation"


def home(request: HttpRequest) -> HttpResponse:
    counts = course_list_for_audience_counts()
    groups = [(group, counts.get(group.value, 0)) for group in AudienceGroup]
    return render(request, "courses/home.html", {"groups": groups})


def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue; a visitor without account gets the whole page from the cache."""
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return catalogue_page(request)
    # Nothing on this page differs between anonymous visitors with the same URL and language:
    # no CSRF token (search is GET, the language switch is CSRF-exempt), no name, no messages.
    key = f"catalogue-page:{catalogue_generation()}:{get_language()}:{url_digest(request)}"
    html = cache_get_or_build(
        key, lambda: catalogue_page(request).content.decode(), fresh_seconds=settings.CATALOGUE_CACHE_SECONDS
    )
    return HttpResponse(html)


def catalogue_page(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    results_html = ""
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Some filters were not understood; showing no courses until they are fixed."))
    else:
        filters = form.filters() if form.is_bound else CatalogueFilters()
        page_number = request.GET.get("page", "1")
        results_html = catalogue_results_html(request, filters, page_number if page_number.isdigit() else "1")
    return render(request, "courses/course_list.html", {"form": form, "results_html": results_html})


def catalogue_results_html(request: HttpRequest, filters: CatalogueFilters, page_number: str) -> str:
    """Return the rendered list of matching courses; shared by every visitor, so cached."""
    key = f"catalogue:{catalogue_generation()}:{get_language()}:{filters.cache_key()}:{page_number[:9]}"

    def build() -> str:
        paginator = Paginator(course_list_for_catalogue(filters=filters), settings.CATALOGUE_PAGE_SIZE)
        try:
            page = paginator.page(page_number)
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = None
        context = {
            "page": page,
            "paginator": paginator,
            "page_number": page_number,
            "query_string": query_without_page(request),
        }
        return render_to_string("courses/_catalogue_results.html", context)

    return cache_get_or_build(key, build, fresh_seconds=settings.CATALOGUE_CACHE_SECONDS)


# The generation as this process last read it, and until when (monotonic seconds) to trust it:
# one cache round trip a second instead of one a request, for a second's delay after an edit.
_generation_seen: tuple[int, float] = (0, 0.0)


def catalogue_generation() -> int:
    """Return the catalogue's version, bumped whenever a course is saved (courses.apps)."""
    global _generation_seen
    generation, trusted_until = _generation_seen
    if time.monotonic() < trusted_until:
        return generation
    generation = cache.get_or_set(CATALOGUE_GENERATION_KEY, 1, timeout=None)
    _generation_seen = (generation, time.monotonic() + settings.CATALOGUE_GENERATION_TRUST_SECONDS)
    return generation


def url_digest(request: HttpRequest) -> str:
    return hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# The enrolled learner's run's in-person day, read through relation names in the enrolment's query.
IN_PERSON_DAY = "course_run__in_person_day__"
IN_PERSON_DAY_FIELDS = (
    "id",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "venue_commune__name",
    "cancelled_at",
)


def in_person_day_of(enrolment: dict | None) -> dict | None:
    """Return the day's fields for the course page (the commune as `commune`), or None without a day."""
    if not enrolment or enrolment[IN_PERSON_DAY + "id"] is None:
        return None
    day = {name: enrolment[IN_PERSON_DAY + name] for name in IN_PERSON_DAY_FIELDS}
    day["commune"] = day.pop("venue_commune__name")
    return day


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_get_for_page(slug=slug, user=request.user)
    if course is None:
        raise Http404
    # The learner's enrolment and completion date in one query, through relation names: courses
    # never imports learners (docs/decisions/0001).
    enrolment = (
        course.enrolments.filter(learner=request.user, is_active=True)
        .values(
            "completion__completed_at",
            "completion__certificate__code",
            "completion__certificate__revoked_at",
            *(IN_PERSON_DAY + name for name in IN_PERSON_DAY_FIELDS),
        )
        .first()
        if request.user.is_authenticated
        else None
    )
    is_enrolled = enrolment is not None
    # The outline an enrolled learner sees on the lesson page: their marks, and locks the lesson page
    # enforces (a locked lesson is shown without a link).
    outline = course_outline_get(course=course, learner=request.user if is_enrolled else None)
    next_lesson = outline.next_to_learn()
    context = {
        "course": course,
        "is_enrolled": is_enrolled,
        "completed_at": enrolment["completion__completed_at"] if enrolment else None,
        "certificate_code": enrolment["completion__certificate__code"] if enrolment else None,
        "certificate_revoked_at": enrolment["completion__certificate__revoked_at"] if enrolment else None,
        "has_final_quiz": course.lessons.filter(is_published=True, quiz__is_final_exam=True).exists(),
        "outline": outline,
        "can_preview": scope.can_change(request.user, course.owner_province_id),
        "progress_percent": outline.percent,
        "has_started": outline.has_started,
        "next_lesson": next_lesson.lesson if next_lesson else None,
        "in_person_day": in_person_day_of(enrolment),
    }
    return render(request, "courses/course_detail.html", context)
