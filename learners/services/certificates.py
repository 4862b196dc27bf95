"""Writes of certificates: issuing one for a course completion, and revoking it.

What a certificate says (the learner's name, the course, its run, the issuer, the learner's
province and commune, the completion date) is copied onto its row when it is issued and never
read again from the profile or the course: a later change of either leaves it as printed.
Issuing is idempotent (the completion row is locked, and a completion has at most one
certificate), so the task that calls it may run twice.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from learners.models import Certificate, CourseCompletion, LearnerProfile, LearningEvent
from learners.pure.certificates import certificate_pdf, certificate_verify_url, code_make, issuer_name_for, site_url
from learners.selectors.certificates import certificate_content
from learners.services.events import learning_event_record
from onetouch import scope
from onetouch.jobs import task_queue, task_queue_on_commit
from onetouch.models import User

# A fresh code colliding with one of the others is a 2^-80 event per pair; retried, never relied on.
CODE_ATTEMPTS = 5


# Completions younger than this are left alone: their own job is probably still in the queue.
MISSING_CERTIFICATE_GRACE = timedelta(minutes=5)
MISSING_CERTIFICATES_PER_SWEEP = 1000


def certificates_missing_queue() -> int:
    """Queue the issue job of completions still without a certificate; return how many.

    The job is queued after each completion commits; when the broker was down then, this sweep
    (beat, every ten minutes) is what issues the certificate. Learners without a name cannot get
    one until they add it, so they are not queued again and again.
    """
    completion_ids = list(
        CourseCompletion.objects.filter(
            certificate__isnull=True, completed_at__lt=timezone.now() - MISSING_CERTIFICATE_GRACE
        )
        .exclude(learner__full_name="")
        .order_by("completed_at")
        .values_list("id", flat=True)[:MISSING_CERTIFICATES_PER_SWEEP]
    )
    for completion_id in completion_ids:
        task_queue("learners.tasks.certificate_issue", completion_id)
    return len(completion_ids)


@transaction.atomic
def certificate_issue(*, completion_id: int) -> Certificate:
    """Issue the certificate of a completion (frozen text, code, PDF, event, email); once only."""
    completion = (
        CourseCompletion.objects.select_for_update(of=("self",))
        .select_related("learner", "course__owner_province", "course_run", "enrolment__course")
        .get(id=completion_id)
    )
    existing = Certificate.objects.filter(completion_id=completion.id).first()
    if existing is not None:
        return existing
    learner_name = completion.learner.full_name.strip()
    if not learner_name:
        raise ValidationError(_("The learner has no full name to print on the certificate."))
    profile = LearnerProfile.objects.filter(user_id=completion.learner_id).select_related("province", "commune").first()
    owner = completion.course.owner_province
    certificate = Certificate(
        completion=completion,
        code=certificate_code_unused(),
        learner_name=learner_name,
        course_title=completion.course.title,
        course_run_title=completion.course_run.title if completion.course_run else "",
        issuer_name=issuer_name_for(province_name=owner.name if owner else None),
        province_name=profile.province.name if profile else "",
        commune_name=profile.commune.name if profile else "",
        completed_on=timezone.localdate(completion.completed_at),
    )
    certificate.full_clean()
    # The file's name is random, not the code: knowing a code (it is on the public page) must not
    # lead to the PDF, which names the learner's commune.
    certificate.pdf.save(
        f"{get_random_string(24)}.pdf", ContentFile(certificate_pdf(certificate_content(certificate))), save=False
    )
    certificate.save()
    learning_event_record(kind=LearningEvent.Kind.CERTIFICATE_ISSUED, enrolment=completion.enrolment)
    # A phone-only learner (no email, onetouch.User) finds the certificate in My learning.
    if completion.learner.email:
        certificate_email_queue(certificate=certificate, to=completion.learner.email)
    return certificate


def certificate_code_unused() -> str:
    for _attempt in range(CODE_ATTEMPTS):
        code = code_make()
        if not Certificate.objects.filter(code=code).exists():
            return code
    raise RuntimeError("No unused certificate code found; the random source is broken.")


def certificate_email_queue(*, certificate: Certificate, to: str) -> None:
    """Queue the Vietnamese email that tells the learner their certificate is ready, after the commit."""
    context = {
        "certificate": certificate,
        "download_url": site_url(reverse("certificates:download", args=[certificate.code])),
        "verify_url": certificate_verify_url(certificate.code),
        "my_learning_url": site_url(reverse("learners:my_learning")),
    }
    # Sent by a worker, with no visitor's choice of language: Vietnamese, the platform's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("learners/email/certificate_issued_subject.txt", context).split())
        body = render_to_string("learners/email/certificate_issued_message.txt", context)
    payload = {"subject": subject, "body": body, "from_email": settings.DEFAULT_FROM_EMAIL, "to": [to], "html": None}
    task_queue_on_commit("onetouch.tasks.email_send", **payload)


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    """Revoke a certificate with a reason, by staff in scope of its course; revoking twice changes nothing."""
    locked = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("completion__course", "completion__enrolment__course")
        .get(id=certificate.id)
    )
    if not scope.can_change(by, locked.completion.course.owner_province_id):
        raise PermissionDenied
    if locked.revoked_at is not None:
        return locked
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.revoked_reason = reason
    locked.full_clean(validate_unique=False)
    locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    learning_event_record(kind=LearningEvent.Kind.CERTIFICATE_REVOKED, enrolment=locked.completion.enrolment)
    return locked
