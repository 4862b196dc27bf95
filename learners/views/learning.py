"""Learning pages: a lesson with its course outline, progress heartbeats, downloads and media.

Who may open a lesson: a learner with an active enrolment in its published course (a published
lesson, and one that is open when the course requires its lessons in order), or staff whose scope
covers the course's province (onetouch.scope), who preview drafts and record nothing. Everyone
else gets 404.
"""

import json

from csp.constants import SELF
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from courses.media.delivery import media_origins, media_response
from courses.models import Lesson
from learners.pure.progress import HeartbeatForbidden, HeartbeatRefused, heartbeat_token_make
from learners.selectors.preferences import save_data_choice_get
from learners.selectors.progress import (
    LessonPlace,
    lesson_access_get,
    lesson_is_open,
    lesson_media_access_get,
    lesson_page_context_get,
    lesson_page_get,
    lesson_place_get,
    lesson_place_get_for_learner,
)
from learners.services.enrolments import save_data_choose
from learners.services.progress import (
    document_download_record,
    heartbeat_record,
    lesson_complete_manually,
    lesson_progress_open,
    slides_page_view_record,
)
from learners.views.quiz import quiz_lesson_page

# A heartbeat holds a token and a few intervals or page numbers: a few hundred bytes.
HEARTBEAT_MAX_BYTES = 16 * 1024


@login_required
def lesson_page(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    page = lesson_page_get(user=request.user, course_slug=course_slug, lesson_id=lesson_id)
    if page is None:
        raise Http404
    lesson = page.lesson
    if lesson.kind == Lesson.Kind.QUIZ:
        return quiz_lesson_page(request, page)
    slide = slide_number(request.GET.get("page", "1"), lesson)
    progress, token = None, ""
    if page.access.as_learner and not page.is_locked:
        progress = lesson_progress_open(learner=request.user, lesson=lesson, enrolment_id=page.access.enrolment_id)
        if lesson.kind == Lesson.Kind.SLIDES and slide and lesson.processing == Lesson.Processing.READY:
            # A GET counts the pages shown but completes nothing (lesson_slide_seen, a POST, does).
            shown = slides_page_view_record(progress=progress, page=slide, completes=False)
            progress.pages_viewed = shown.pages_viewed
        token = heartbeat_token_make(
            progress_id=progress.id,
            learner_id=request.user.id,
            lesson_id=lesson.id,
            duration=lesson.duration_seconds,
            session_key=request.session.session_key,
        )
    context = lesson_page_context_get(page, slide=slide, progress=progress, token=token)
    save_data_chosen = save_data_choice_get(user=request.user) if lesson.kind == Lesson.Kind.VIDEO else None
    # Never chosen: the browser's Save-Data hint decides (the player also reads navigator.connection).
    save_data = request.headers.get("Save-Data", "").lower() == "on" if save_data_chosen is None else save_data_chosen
    context |= {"save_data": save_data, "save_data_chosen": save_data_chosen is not None}
    return lesson_page_render(request, context, status=403 if page.is_locked else 200)


def lesson_page_render(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    """Render a lesson page (the learner's, or the studio's preview of it) with the media it plays."""
    response = render(request, "learners/lesson_page.html", context, status=status)
    # The player plays from blob: URLs (hls.js) and, with an object store, from its origin.
    origins = media_origins()
    response._csp_update = {"media-src": [SELF, "blob:", *origins], "img-src": origins, "connect-src": [SELF, *origins]}
    return response


@login_required
@require_POST
def lesson_complete(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    """Mark a text or document read: a form post answered by the lesson page, or, for mark-read.js
    (which asks for JSON), an answer carrying the outline as the server now sees it."""
    access = lesson_access_get(user=request.user, lesson_id=lesson_id, course_slug=course_slug)
    if access is None or not access.as_learner:
        raise Http404
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        lesson_complete_manually(learner=request.user, lesson=access.lesson, enrolment_id=access.enrolment_id)
    except ValidationError as error:
        if wants_json:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        messages.error(request, " ".join(error.messages))
    else:
        if wants_json:
            place = lesson_place_get(lesson=access.lesson, learner=request.user)
            return JsonResponse(
                {"completed": True, "message": _("You have completed this lesson."), "outline": outline_state(place)}
            )
        messages.success(request, _("Lesson completed."))
    return redirect("learners:lesson", course_slug, lesson_id)


@login_required
@require_safe
@never_cache
def lesson_outline(request: HttpRequest, course_slug: str, lesson_id: int) -> JsonResponse:
    """The outline state alone, for outline.js when a completion's answer did not carry it (the
    answer of the completing heartbeat was lost, and a later one said "completed")."""
    access = lesson_access_get(user=request.user, lesson_id=lesson_id, course_slug=course_slug)
    if access is None or not access.as_learner:
        raise Http404
    return JsonResponse({"outline": outline_state(lesson_place_get(lesson=access.lesson, learner=request.user))})


def outline_state(place: LessonPlace) -> dict:
    """Return what static/js/outline.js applies after a completion, as the lesson page would render it.

    The course percentage, the lessons done and locked, and the previous and next links: the
    server's figures, so the page shows after the completion what a reload would show.
    """
    lessons = place.outline.lessons

    def step(item) -> dict | None:
        if item is None:
            return None
        url = reverse("learners:lesson", args=[place.course.slug, item.lesson.id])
        return {"id": item.lesson.id, "url": url, "locked": item.is_locked}

    return {
        "percent": place.outline.percent,
        "done": [item.lesson.id for item in lessons if item.is_done],
        "locked": [item.lesson.id for item in lessons if item.is_locked],
        "previous": step(place.previous),
        "next": step(place.next),
    }


@login_required
@require_POST
def lesson_slide_seen(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    """Without script, the last page's button: count the page on screen, completing the deck if every page was seen."""
    access = lesson_access_get(user=request.user, lesson_id=lesson_id, course_slug=course_slug)
    if access is None or not access.as_learner or access.lesson.kind != Lesson.Kind.SLIDES:
        raise Http404
    lesson = access.lesson
    if not lesson_is_open(learner=request.user, lesson=lesson):
        raise Http404
    slide = slide_number(request.POST.get("page", "1"), lesson)
    if slide and lesson.processing == Lesson.Processing.READY:
        try:
            result = slides_page_view_record(
                learner=request.user, lesson=lesson, enrolment_id=access.enrolment_id, page=slide
            )
        except HeartbeatRefused as refusal:
            messages.error(request, refusal.message)
        else:
            slide_deck_outcome_tell(request, lesson=lesson, result=result)
    return redirect(f"{reverse('learners:lesson', args=[course_slug, lesson_id])}?page={slide or 1}")


def slide_deck_outcome_tell(request: HttpRequest, *, lesson: Lesson, result) -> None:
    """Name the pages that still need their time on screen (a completed deck says so on its page)."""
    if result.is_complete:
        return
    missing = sorted(set(range(1, (lesson.page_count or 0) + 1)) - set(result.pages_viewed))
    if not missing:
        return
    told = ngettext(
        "Page %(pages)s is not counted yet: each page must stay on screen for %(seconds)s seconds. Go back to it.",
        "Pages %(pages)s are not counted yet: each page must stay on screen for %(seconds)s seconds. Go back to them.",
        len(missing),
    )
    messages.info(
        request, told % {"pages": ", ".join(map(str, missing)), "seconds": f"{settings.SLIDE_PAGE_MIN_SECONDS:g}"}
    )


@login_required
@require_safe
def lesson_download(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    access = lesson_media_access_get(user=request.user, lesson_id=lesson_id)
    if access is None or access.lesson.course.slug != course_slug or not access.lesson.source:
        raise Http404
    lesson = access.lesson
    if access.as_learner and lesson.kind == Lesson.Kind.DOCUMENT and request.method == "GET":
        document_download_record(learner=request.user, lesson=lesson, enrolment_id=access.enrolment_id)
    return media_response(request, lesson=lesson, name=lesson.source.name)


@require_safe
def lesson_media(request: HttpRequest, lesson_id: int, name: str) -> HttpResponse:
    access = lesson_media_access_get(user=request.user, lesson_id=lesson_id)
    if access is None:
        raise Http404
    return media_response(request, lesson=access.lesson, name=name)


# The heartbeat proves who sends it with the signed token its lesson page embedded, bound to one
# learner's progress row in one lesson and to the session the page was opened in. It never loads
# the session or request.user: the session cookie's key is checked inside the heartbeat's one
# SELECT (signing out ends the token), with no session write and no cookie set, on the platform's
# hottest write path. The cookie alone proves nothing here: another site cannot read a learner's
# token, so it cannot forge one of these requests, and CSRF protection adds nothing. Hence
# csrf_exempt, and only here.
@csrf_exempt
@require_POST
@never_cache
def lesson_heartbeat(request: HttpRequest) -> JsonResponse:
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > HEARTBEAT_MAX_BYTES:
            raise HeartbeatRefused(_("The progress report is malformed."))
        report = json.loads(request.body)
        if not isinstance(report, dict):
            raise HeartbeatRefused(_("The progress report is malformed."))
        result = heartbeat_record(
            token=report.get("token"),
            session_key=request.COOKIES.get(settings.SESSION_COOKIE_NAME),
            intervals=report.get("intervals"),
            position=report.get("position"),
            page=report.get("page"),
        )
    except HeartbeatForbidden as refusal:
        return JsonResponse({"error": str(refusal.message)}, status=403)
    except HeartbeatRefused as refusal:
        return JsonResponse({"error": str(refusal.message)}, status=400)
    except ValueError:  # not JSON, not UTF-8, or a length that is not a number
        return JsonResponse({"error": _("The progress report is malformed.")}, status=400)
    answer = {
        "completed": result.is_complete,
        "watched_seconds": round(result.watched_seconds, 1),
        "pages_viewed": result.pages_viewed,
        # An open player follows the interval of the moment (settings.HEARTBEAT_SECONDS).
        "next_seconds": settings.HEARTBEAT_SECONDS,
    }
    if result.token:
        # A video's next report comes with this token: the row as this report left it, so that
        # report is written in one statement (docs/decisions/0045). The page's token still works.
        answer["token"] = result.token
    if result.has_completed_now:
        # Once per learner and lesson; the heartbeats that complete nothing read no outline.
        place = lesson_place_get_for_learner(learner_id=result.learner_id, lesson_id=result.lesson_id)
        answer["outline"] = outline_state(place)
    return JsonResponse(answer)


# The toggle posts save_data=0 (a hidden field) then save_data=1 when ticked: the last value wins.
SAVE_DATA_VALUES = {"0": False, "1": True}


@login_required
@require_POST
def save_data_choose_view(request: HttpRequest) -> HttpResponse:
    """Remember "save data"; the player's script posts it (JSON answer), a page without script gets redirected back."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    values = request.POST.getlist("save_data")
    choice = SAVE_DATA_VALUES.get(values[-1]) if values else None
    error = ""
    if choice is None:
        error = _("Choose whether to save data: 1 (on) or 0 (off).")
    else:
        try:
            save_data_choose(user=request.user, save_data=choice)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    if wants_json:
        if error:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse({"save_data": choice})
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("learners:my_learning")
    return redirect(back)


def slide_number(number: str, lesson: Lesson) -> int:
    """Return the slide page asked for with page= (1 when out of range), 0 for other kinds."""
    if lesson.kind != Lesson.Kind.SLIDES or not lesson.page_count:
        return 0
    return int(number) if number.isdigit() and 1 <= int(number) <= lesson.page_count else 1
