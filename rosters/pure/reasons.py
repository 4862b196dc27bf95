"""Why a roster row was refused or waits for a decision, said in the reader's language. Pure: no ORM.

Rows store a reason code and its detail (rosters.models.RosterRow); the page and the report turn
them into a sentence here, so an admin reads the report in the language of their screen.
"""

from django.utils.translation import gettext_lazy as _

REASONS = {
    "missing_name": _("The full name is missing."),
    "no_contact": _("Neither an email address nor a mobile number is given."),
    "bad_email": _("“%(detail)s” is not a valid email address."),
    "bad_phone": _("“%(detail)s” is not a Vietnamese mobile number."),
    "needs_email": _("An account cannot be created without an email address yet: add the person's email."),
    "bad_audience": _("“%(detail)s” is not one of the audience groups listed in the template."),
    "duplicate": _("The same person as row %(detail)s of the file."),
    "unknown_province": _("No province is called “%(detail)s”, old or new."),
    "unknown_commune": _("No commune called “%(detail)s” is found in this province, old-style or new."),
    "outside_province": _("The address is outside the province you administer."),
    "split": _("The old commune “%(detail)s” was split: choose its commune of today."),
    "ambiguous": _("Several communes are called “%(detail)s”: choose the right one."),
    "two_accounts": _("The email address and the mobile number belong to two different accounts."),
    "enrolment_refused": _("Not enrolled: %(detail)s"),
    "no_decision": _("No commune of today was chosen for this row."),
    "conflict": _("The account changed while it was imported; upload the row again."),
}


def reason_text(reason: str, detail: str = "") -> str:
    """Return the sentence for a reason code (empty for none)."""
    if not reason:
        return ""
    message = REASONS.get(reason)
    if message is None:
        return reason
    return str(message) % {"detail": detail} if "%(detail)s" in str(message) else str(message)
