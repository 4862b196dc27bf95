"""Contacts masked for a printed sign-in sheet: enough for a trainer to tell two namesakes apart, not
enough to copy a learner's phone number or address off a sheet left on a table."""


def phone_masked(phone: str | None) -> str:
    """Return the phone with all but its last three digits hidden ("•••••••678"), or "" without one."""
    digits = "".join(character for character in phone or "" if character.isdigit())
    if not digits:
        return ""
    return "•" * max(len(digits) - 3, 0) + digits[-3:]


def email_masked(email: str) -> str:
    """Return the address with its name reduced to the first letter ("h•••@demo.vn")."""
    name, at, domain = email.partition("@")
    if not at:
        return ""
    return f"{name[:1]}•••@{domain}"


def contact_masked(*, phone: str | None, email: str) -> str:
    """Return the masked phone if the learner has one, else the masked email."""
    return phone_masked(phone) or email_masked(email)
