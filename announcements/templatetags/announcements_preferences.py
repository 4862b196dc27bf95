"""The learner's choice of messages, shown on their profile page (which the learners app renders)."""

from django import template

from announcements.models import Delivery
from announcements.selectors.announcements import opted_out_kinds

register = template.Library()


@register.inclusion_tag("announcements/_email_preferences.html", takes_context=True)
def email_preferences(context: template.Context) -> dict:
    """One row per kind of message (announcements, reminders): subscribed or not, and the button to change it."""
    request = context["request"]
    opted_out = opted_out_kinds(learner=request.user)
    rows = [
        {"kind": kind, "label": label, "subscribed": kind not in opted_out} for kind, label in Delivery.Kind.choices
    ]
    return {"rows": rows, "csrf_token": context.get("csrf_token"), "next": request.get_full_path()}
