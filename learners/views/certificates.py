"""Certificate pages: the public check by code, the learner's download, revoking and printing.

The check is public and shows only the name, course, date, issuer and whether the certificate is
valid: never the learner's account, contact or place. Codes that find nothing are limited per
address (onetouch.throttles), so nobody can try codes by the thousand; checking real certificates
never counts. A learner downloads only their own certificate. Staff revoke and print only what
onetouch.scope lets them change (a course's certificates through its owning province, a commune's
through the commune's province); everyone else gets 404, as for an unknown code.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from learners.pure.certificates import certificate_verify_url, certificates_pdf, code_normalise
from learners.selectors.certificates import (
    certificate_content,
    certificate_get_for_learner,
    certificate_get_for_staff,
    certificate_get_public,
    certificate_list_for_course,
    certificate_list_valid,
    certificate_list_valid_for_commune,
    certificate_pdf_read,
    commune_get_for_certificates,
    commune_list_with_certificates,
    course_get_for_certificates,
    course_run_get_for_certificates,
    course_run_list_with_certificate_counts,
)
from learners.services.certificates import certificate_revoke
from onetouch import scope
from onetouch.throttles import rate_limit_not_found

CERTIFICATES_PAGE_SIZE = 50
# Certificates per printed PDF: about five seconds of drawing, and a stack a printer takes at once.
PRINT_BATCH = 500
# A code is 19 characters written; anything much longer is not worth echoing back.
TYPED_CODE_SHOWN = 40


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """Answer a PDF as a download that no browser may sniff into a page or keep in a shared cache."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    add_never_cache_headers(response)
    return response


def public_page(response: HttpResponse) -> HttpResponse:
    # A certificate page names a person: search engines should not list it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Public -------------------------------------------------------------------------------------


@require_safe
@never_cache
@rate_limit_not_found("certificate_lookup_miss")
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("code")
    if typed is None:
        return public_page(render(request, "learners/certificate_lookup.html", {"typed": ""}))
    code = code_normalise(typed)
    if code:
        return redirect("certificates:verify", code)
    context = {"typed": typed[:TYPED_CODE_SHOWN], "error": _("This is not a certificate code. Check it and try again.")}
    return public_page(render(request, "learners/certificate_lookup.html", context, status=404))


@require_safe
@never_cache
@rate_limit_not_found("certificate_lookup_miss")
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    written = code_normalise(code)
    if written and written != code:
        return redirect("certificates:verify", written)
    certificate = certificate_get_public(code=written)
    if certificate is None:
        context = {
            "typed": code[:TYPED_CODE_SHOWN],
            "error": _("No certificate has this code. Check the code and try again."),
        }
        return public_page(render(request, "learners/certificate_lookup.html", context, status=404))
    context = {
        "certificate": certificate,
        "verify_url": certificate_verify_url(written),
        "can_revoke": request.user.is_authenticated
        and scope.can_change(request.user, certificate["completion__course__owner_province_id"]),
    }
    return public_page(render(request, "learners/certificate_verify.html", context))


# --- The learner's own --------------------------------------------------------------------------


@login_required
@require_safe
def certificate_download(request: HttpRequest, code: str) -> HttpResponse:
    certificate = certificate_get_for_learner(learner=request.user, code=code_normalise(code))
    if certificate is None:
        raise Http404
    if not certificate.is_valid:
        messages.error(request, _("This certificate has been revoked."))
        return redirect("certificates:verify", certificate.code)
    return pdf_response(certificate_pdf_read(certificate), filename=f"giay-chung-nhan-{certificate.code}.pdf")


# --- Staff ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_revoke_view(request: HttpRequest, code: str) -> HttpResponse:
    certificate = certificate_get_for_staff(user=request.user, code=code_normalise(code))
    if certificate is None:
        raise Http404
    reason, error = "", ""
    if request.method == "POST" and certificate.is_valid:
        reason = request.POST.get("reason", "")
        try:
            certificate_revoke(certificate=certificate, by=request.user, reason=reason)
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            messages.success(request, _("The certificate is revoked. Its public page now says so."))
            return redirect("certificates:verify", certificate.code)
    context = {"certificate": certificate, "reason": reason, "error": error}
    return render(request, "learners/certificate_revoke.html", context, status=400 if error else 200)


@login_required
@require_safe
def course_certificate_list(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_certificates(user=request.user, course_id=course_id)
    if course is None:
        raise Http404
    page = Paginator(certificate_list_for_course(course=course), CERTIFICATES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    runs = [(run, print_parts(run.certificate_count)) for run in course_run_list_with_certificate_counts(course=course)]
    context = {
        "course": course,
        "page": page,
        "runs": runs,
        "course_parts": print_parts(certificate_list_valid(course=course).count()),
    }
    return render(request, "learners/certificate_course_list.html", context)


@login_required
@require_safe
def province_certificate_list(request: HttpRequest, province_code: str) -> HttpResponse:
    province = scope.get_province_or_404(request.user, province_code)
    communes = [
        (commune, print_parts(commune.certificate_count))
        for commune in commune_list_with_certificates(province=province)
    ]
    return render(request, "learners/certificate_province.html", {"province": province, "communes": communes})


@login_required
@require_safe
def certificates_print_course(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_certificates(user=request.user, course_id=course_id)
    if course is None:
        raise Http404
    return print_response(request, certificate_list_valid(course=course), name=f"khoa-hoc-{course.id}")


@login_required
@require_safe
def certificates_print_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = course_run_get_for_certificates(user=request.user, run_id=run_id)
    if run is None:
        raise Http404
    return print_response(request, certificate_list_valid(run=run), name=f"dot-hoc-{run.id}")


@login_required
@require_safe
def certificates_print_commune(request: HttpRequest, commune_code: str) -> HttpResponse:
    commune = commune_get_for_certificates(user=request.user, commune_code=commune_code)
    if commune is None:
        raise Http404
    return print_response(request, certificate_list_valid_for_commune(commune=commune), name=f"xa-{commune.code}")


def print_parts(count: int) -> list[tuple[int, int, int]]:
    """Return the printable parts of `count` certificates as (part, first, last), PRINT_BATCH a part."""
    return [
        (number, start + 1, min(start + PRINT_BATCH, count))
        for number, start in enumerate(range(0, count, PRINT_BATCH), 1)
    ]


def print_response(request: HttpRequest, certificates: QuerySet, *, name: str) -> HttpResponse:
    """Answer one PDF with a page per valid certificate of the part asked for (?part=, from 1)."""
    part = request.GET.get("part", "1")
    if not part.isdigit() or int(part) < 1:
        raise Http404
    start = (int(part) - 1) * PRINT_BATCH
    chosen = list(certificates[start : start + PRINT_BATCH])
    if not chosen:
        raise Http404
    suffix = f"-phan-{part}" if start else ""
    return pdf_response(
        certificates_pdf(certificate_content(certificate) for certificate in chosen),
        filename=f"giay-chung-nhan-{name}{suffix}.pdf",
    )
