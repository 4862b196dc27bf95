"""The email and the SMS of a delivery, in the platform's language (learners have no language of their own yet).

Every email carries the RFC 8058 one-click unsubscribe headers for its kind (announcements or
reminders), never anything the account or certificate emails send (those live elsewhere and have none).
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from announcements.models import Delivery
from announcements.pure.unsubscribe import unsubscribe_token_make

SMS_TEXT_MAX = 300


def unsubscribe_url(*, learner_id: int, kind: str) -> str:
    """The absolute one-click unsubscribe address of this learner and kind."""
    token = unsubscribe_token_make(user_id=learner_id, kind=kind)
    return f"{settings.SITE_URL}{reverse('announcements:unsubscribe', args=[token])}"


def delivery_email(delivery: Delivery) -> EmailMessage:
    """The email of the delivery, with its List-Unsubscribe headers."""
    context = delivery_context(delivery)
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"announcements/email/{delivery.kind}_subject.txt", context).split())
        body = render_to_string(f"announcements/email/{delivery.kind}_message.txt", context)
    return EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.learner.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def delivery_sms(delivery: Delivery) -> str:
    """The short text of the delivery: what it is about, cut to fit, then always the whole link to read it."""
    context = delivery_context(delivery)
    with translation.override(settings.LANGUAGE_CODE):
        text = " ".join(render_to_string(f"announcements/sms/{delivery.kind}.txt", context).split())
    room = SMS_TEXT_MAX - len(context["link"]) - 1
    if len(text) > room:
        text = f"{text[: room - 1]}…"
    return f"{text} {context['link']}"


def delivery_context(delivery: Delivery) -> dict:
    learner = delivery.learner
    context = {
        "learner_name": learner.full_name or learner.email or learner.phone,
        "unsubscribe_url": unsubscribe_url(learner_id=learner.id, kind=delivery.kind),
        "issuer_name": settings.CERTIFICATE_NATIONAL_ISSUER,
    }
    if delivery.kind == Delivery.Kind.ANNOUNCEMENT:
        announcement = delivery.announcement
        context |= {
            "announcement": announcement,
            "sent_to": announcement.course_run or announcement.course or announcement.province,
            "target": announcement.target,
            "course_title": announcement.course.title if announcement.course else "",
            "link": f"{settings.SITE_URL}{reverse('announcements:learner_list')}",
            "sms_excerpt": announcement.body[:120],
        }
    else:
        run = delivery.course_run
        context |= {
            "run": run,
            "course_title": run.course.title,
            "inactive_days": settings.ANNOUNCEMENTS_INACTIVE_DAYS,
            "link": f"{settings.SITE_URL}{run.course.get_absolute_url()}",
        }
    return context
