import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.forms.catalogue import CatalogueFilterForm
from courses.pagination import CountedPaginator, SearchPaginator
from courses.selectors.catalogue import (
    CatalogueFilters,
    course_count_of,
    course_get_for_page,
    course_list_for_audience_counts,
    course_list_matching,
    course_list_published,
    course_page_context_get,
)
from onetouch.cache import cache_get_or_build
from onetouch.models import AudienceGroup
from onetouch.proxy_cache import proxy_cacheable_when_anonymous

CATALOGUE_GENERATION_KEY = "catalogue:generation"


@proxy_cacheable_when_anonymous
def home(request: HttpRequest) -> HttpResponse:
    """The home page; a visitor without account gets the whole page from the cache."""
    return anonymous_page_cached(request, "home-page", home_page)


def home_page(request: HttpRequest) -> HttpResponse:
    # One grouping query per catalogue change, shared by every language and visitor.
    counts = cache_get_or_build(
        f"home-counts:{catalogue_generation()}",
        course_list_for_audience_counts,
        fresh_seconds=settings.CATALOGUE_CACHE_SECONDS,
    )
    groups = [(group, counts.get(group.value, 0)) for group in AudienceGroup]
    return render(request, "courses/home.html", {"groups": groups})


@proxy_cacheable_when_anonymous
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue; a visitor without account gets the whole page from the cache."""
    # The whole page is cached for visitors, so its results need no cache of their own: four fewer
    # cache round trips, one a large write, when the page is rebuilt (docs/decisions/0028).
    return anonymous_page_cached(
        request, "catalogue-page", lambda request: catalogue_page(request, results_cached=False)
    )


def anonymous_page_cached(
    request: HttpRequest, name: str, build: Callable[[HttpRequest], HttpResponse], *, fresh_seconds: int | None = None
) -> HttpResponse:
    """Return the page build() makes, from the cache for a visitor without account or messages.

    Nothing on these pages differs between anonymous visitors with the same URL and language:
    no CSRF token (search is GET, the language switch is CSRF-exempt), no name, no messages.
    A saved course makes every copy stale at once (the catalogue's generation); anything else the
    page shows is at most `fresh_seconds` old (CATALOGUE_CACHE_SECONDS unless said).
    """
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return build(request)
    key = f"{name}:{catalogue_generation()}:{get_language()}:{url_digest(request)}"
    html = cache_get_or_build(
        key,
        lambda: build(request).content.decode(),
        fresh_seconds=settings.CATALOGUE_CACHE_SECONDS if fresh_seconds is None else fresh_seconds,
    )
    return HttpResponse(html)


def catalogue_page(request: HttpRequest, *, results_cached: bool = True) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    results_html = ""
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Some filters were not understood; showing no courses until they are fixed."))
    else:
        filters = form.filters() if form.is_bound else CatalogueFilters()
        page_number = request.GET.get("page", "1")
        page_number = page_number if page_number.isdigit() and int(page_number[:9]) > 0 else "1"
        results_html = (
            catalogue_results_html(request, filters, page_number)
            if results_cached
            else catalogue_results_build(request, filters, page_number)
        )
    return render(request, "courses/course_list.html", {"form": form, "results_html": results_html})


def catalogue_results_html(request: HttpRequest, filters: CatalogueFilters, page_number: str) -> str:
    """Return the rendered list of matching courses; shared by every visitor, so cached."""
    key = f"catalogue:{catalogue_generation()}:{get_language()}:{filters.cache_key()}:{page_number[:9]}"
    return cache_get_or_build(
        key,
        lambda: catalogue_results_build(request, filters, page_number),
        fresh_seconds=settings.CATALOGUE_CACHE_SECONDS,
    )


# How many pages of a search's matches are counted before it says "more than" (courses.pagination).
SEARCH_COUNTED_PAGES = 10


def catalogue_results_build(request: HttpRequest, filters: CatalogueFilters, page_number: str) -> str:
    # The page's ids and enrolment counts are all its cards' keys need; the courses whose card is
    # not in the cache are read whole below.
    courses = course_list_matching(filters=filters).values_list("id", "enrolment_count")
    per_page = settings.CATALOGUE_PAGE_SIZE
    # The first page, most visitors' page, is read before its count: when it is not full it holds
    # every match, and the count needs no statement of its own.
    first_page = list(courses[:per_page]) if page_number == "1" else None
    listed = courses if first_page is None else first_page
    known = len(first_page) if first_page is not None and len(first_page) < per_page else None
    if filters.query:
        counted_pages = max(SEARCH_COUNTED_PAGES, int(page_number[:9]))  # catalogue_page passed digits, 1 or more
        up_to = SearchPaginator.search_read_limit(per_page, counted_pages)
        found = catalogue_match_count(courses, filters, up_to=up_to, known=known)
        paginator = SearchPaginator(listed, per_page, counted_pages=counted_pages, found=found)
    else:
        paginator = CountedPaginator(listed, per_page, count=catalogue_match_count(courses, filters, known=known))
    try:
        page = paginator.page(page_number)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = None
    context = {
        "page": page,
        "cards": course_cards_html(list(page.object_list)) if page else [],
        "paginator": paginator,
        "page_number": page_number,
        "query_string": query_without_page(request),
    }
    return render_to_string("courses/_catalogue_results.html", context)


# Only a saved course changes which courses match, and it moves the catalogue's generation on; this
# bounds how long a count of an old generation stays in memory.
COUNT_CACHE_SECONDS = 600


def catalogue_match_count(
    courses: QuerySet, filters: CatalogueFilters, *, up_to: int | None = None, known: int | None = None
) -> int:
    """How many courses match the filters (no more than `up_to`), from the cache while no course changes.

    Unlike the order of the results (the enrolment counts are recounted without a save), the
    matches follow the courses' own fields only, so every page and order of a search, and a page
    whose copy ran out, reuses the count: one cache read instead of a statement. `known` is a count
    the caller has already (a first page that is not full), kept instead of counting.
    """
    key = f"catalogue-count:{catalogue_generation()}:{filters.match_key()}:{up_to}"
    found = cache.get(key)
    if found is None:
        found = known if known is not None else course_count_of(courses, up_to=up_to)
        cache.set(key, found, COUNT_CACHE_SECONDS)
    return found


CARD_CACHE_SECONDS = 600


def course_cards_html(entries: list[tuple[int, int]]) -> list[str]:
    """Return the catalogue card of each (course id, enrolment count), from the cache if rendered before.

    Keyed by the catalogue generation (bumped by any saved course, audiences included), the language and
    the course's enrolment count (recounted without a save); kept ten minutes, which bounds a renamed
    province. One cache read for the page's cards; for those missing, one read of their courses and
    audiences and one cache write (docs/decisions/0028).
    """
    prefix = f"catalogue-card:{catalogue_generation()}:{get_language()}"
    keys = {course_id: f"{prefix}:{course_id}:{enrolment_count}" for course_id, enrolment_count in entries}
    cards = cache.get_many(list(keys.values()))
    missing = [course_id for course_id in keys if keys[course_id] not in cards]
    if missing:
        template = get_template("courses/_course_card.html")
        # Kept under the key the page read, even if a recount moved the course's count in between:
        # the next page with the new count renders it again.
        rendered = {
            keys[course.id]: template.render({"course": course})
            for course in course_list_published().filter(id__in=missing)
        }
        cache.set_many(rendered, CARD_CACHE_SECONDS)
        cards.update(rendered)
    # A course unpublished between the page's read and its courses' has no card.
    return [mark_safe(cards[key]) for key in keys.values() if key in cards]  # noqa: S308 - rendered by our template


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


@proxy_cacheable_when_anonymous
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A course's page; a visitor without account gets the whole page from the cache.

    Its lessons, runs and partners are not the course row, and do not bump the catalogue's
    generation: a visitor's copy is kept as long as the reverse proxy may keep it (docs/decisions/0028).
    """
    return anonymous_page_cached(
        request,
        "course-page",
        lambda request: course_page(request, slug),
        fresh_seconds=settings.PROXY_PAGE_CACHE_SECONDS,
    )


def course_page(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_get_for_page(slug=slug, user=request.user)
    if course is None:
        raise Http404
    context = course_page_context_get(course=course, user=request.user)
    return render(request, "courses/course_detail.html", context)
