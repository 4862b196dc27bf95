"""A course's cover image, served to whoever may open the course (never from a public folder).

Every stored file goes through a view that checks who asks (docs/decisions/0014): a draft
course's cover is seen only by the staff who may preview the course, exactly as its page is.
"""

import posixpath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from courses.media.delivery import SANDBOX_CSP, uses_object_storage
from courses.media.types import DEFAULT_CONTENT_TYPE, TYPES_BY_SUFFIX
from courses.selectors.catalogue import course_list_visible

# Shown in the page; anything else is sent as a download no browser will render.
IMAGE_TYPES = {suffix: t.content_type for suffix, t in TYPES_BY_SUFFIX.items() if "image" in t.accepted_as}
COVER_CACHE_SECONDS = 3600


def course_cover(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_list_visible(user=request.user).filter(slug=slug).only("cover_image", "is_published").first()
    if course is None or not course.cover_image:
        raise Http404
    name = course.cover_image.name
    if uses_object_storage():
        response = HttpResponseRedirect(default_storage.url(name))
    else:
        content_type = IMAGE_TYPES.get(posixpath.splitext(name)[1].lower())
        try:
            stored = default_storage.open(name, "rb")
        except FileNotFoundError as missing:
            raise Http404 from missing
        response = FileResponse(stored, content_type=content_type or DEFAULT_CONTENT_TYPE)
        if content_type is None:
            response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=None)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    # A draft's cover must not stay in a shared cache once the course is unpublished again.
    patch_cache_control(
        response, max_age=COVER_CACHE_SECONDS, **({"public": True} if course.is_published else {"private": True})
    )
    return response
