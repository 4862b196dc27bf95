"""Writes of the shared core: loading administrative units and creating staff accounts."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from vietnam_provinces import Province as OfficialProvince
from vietnam_provinces import VietNamDivisionType
from vietnam_provinces import Ward as OfficialWard

from onetouch.models import Commune, Province, User

PROVINCE_KINDS = {
    VietNamDivisionType.TINH: Province.Kind.PROVINCE,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: Province.Kind.CITY,
}
COMMUNE_KINDS = {
    VietNamDivisionType.XA: Commune.Kind.COMMUNE,
    VietNamDivisionType.PHUONG: Commune.Kind.WARD,
    VietNamDivisionType.DAC_KHU: Commune.Kind.SPECIAL_ZONE,
}


@transaction.atomic
def admin_units_load() -> tuple[int, int]:
    """Insert or update the official provinces and communes; safe to run any number of times."""
    provinces = [
        Province(
            code=f"{int(p.code):02d}",
            name=p.name,
            kind=PROVINCE_KINDS[p.division_type],
            codename=p.codename,
        )
        for p in OfficialProvince.iter_all()
    ]
    Province.objects.bulk_create(
        provinces,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "codename"],
    )
    province_ids = dict(Province.objects.values_list("code", "id"))
    communes = [
        Commune(
            code=f"{int(w.code):05d}",
            name=w.name,
            kind=COMMUNE_KINDS[w.division_type],
            codename=w.codename,
            province_id=province_ids[f"{int(w.province_code):02d}"],
        )
        for w in OfficialWard.iter_all()
    ]
    Commune.objects.bulk_create(
        communes,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "codename", "province"],
    )
    return len(provinces), len(communes)


STAFF_ROLES = {User.Role.PROVINCIAL_ADMIN, User.Role.PARTNER_TRAINER, User.Role.MINISTRY_STAFF}


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
    if role == User.Role.PROVINCIAL_ADMIN and province is None:
        raise ValidationError(_("A provincial admin must be bound to a province."))
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name,
        role=role,
        scope_province=province if role == User.Role.PROVINCIAL_ADMIN else None,
        # Only ministry staff use Django's back office; provincial admins work in scoped pages.
        is_staff=role == User.Role.MINISTRY_STAFF,
        is_superuser=role == User.Role.MINISTRY_STAFF,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
