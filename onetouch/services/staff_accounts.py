"""Staff accounts and roles: who may work in which pages, and the flags each role implies.

Every change of a user's role, bound province or back-office flags goes through here, from the
command line (create_staff_account) and the back office (onetouch.admin) alike.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onetouch.models import Province, User

STAFF_ROLES = {User.Role.PROVINCIAL_ADMIN, User.Role.PARTNER_TRAINER, User.Role.MINISTRY_STAFF}


def user_role_check(*, role: str, province: Province | None) -> None:
    """Raise the ValidationError that giving this role and province would meet."""
    if role == User.Role.PROVINCIAL_ADMIN and province is None:
        raise ValidationError(_("A provincial admin must be bound to a province."))


def _role_fields(*, role: str, province: Province | None) -> dict:
    return {
        "role": role,
        "scope_province": province if role == User.Role.PROVINCIAL_ADMIN else None,
        # Only ministry staff use Django's back office; provincial admins work in scoped pages.
        "is_staff": role == User.Role.MINISTRY_STAFF,
        "is_superuser": role == User.Role.MINISTRY_STAFF,
    }


@transaction.atomic
def staff_account_create(
    *,
    email: str,
    full_name: str,
    role: str,
    password: str | None,
    province: Province | None = None,
) -> User:
    """Create a staff account; staff never sign themselves up."""
    if role not in STAFF_ROLES:
        raise ValidationError(_("This role is not a staff role."))
    user_role_check(role=role, province=province)
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name,
        **_role_fields(role=role, province=province),
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_role_change(*, user: User, role: str, province: Province | None) -> User:
    """Give the user a role (and a province for a provincial admin), with the back-office flags it implies."""
    user_role_check(role=role, province=province)
    fields = _role_fields(role=role, province=province)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean()
    user.save(update_fields=list(fields))
    return user
