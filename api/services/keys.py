"""Writes of API keys: making one (its plain text returned once), revoking it, marking it used."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiKey
from api.pure.keys import SHOWN_LENGTH, key_digest, key_generate
from courses.models import Partner
from onetouch import scope
from onetouch.models import Province, User

# A key is used again within this long without its "last used" time being written again: a busy
# script would otherwise write a row on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


@transaction.atomic
def api_key_create(
    *,
    by: User,
    name: str,
    kind: str,
    valid_days: int,
    province: Province | None = None,
    partner: Partner | None = None,
) -> tuple[ApiKey, str]:
    """Make a key and return it with its plain text, which is never stored nor shown again.

    A provincial admin makes keys of their own province only; ministry staff make any kind.
    """
    national = scope.has_national_scope(by)
    if kind == ApiKey.Kind.PROVINCE:
        if province is None or not scope.can_change(by, province.id):
            raise ValidationError(_("You may make keys for your own province only."))
        partner = None
    elif not national:
        raise ValidationError(_("Only the ministry's staff make keys for partner organisations or the ministry."))
    elif kind == ApiKey.Kind.PARTNER:
        if partner is None:
            raise ValidationError(_("Choose the partner organisation of this key."))
        province = None
    else:
        province = partner = None
    if valid_days < 1:
        raise ValidationError(_("A key must stay valid for at least one day."))
    plain = key_generate()
    now = timezone.now()
    key = ApiKey(
        name=name,
        kind=kind,
        province=province,
        partner=partner,
        prefix=plain[:SHOWN_LENGTH],
        key_hash=key_digest(plain),
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    key.full_clean()
    key.save()
    return key, plain


@transaction.atomic
def api_key_revoke(*, by: User, key: ApiKey) -> ApiKey:
    """Revoke the key from now on; revoking it again changes nothing."""
    key = ApiKey.objects.select_for_update().get(id=key.id)
    if not scope.can_change(by, key.province_id):
        raise ValidationError(_("You may not revoke this key."))
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = by
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key


def api_key_used(*, key: ApiKey) -> None:
    """Note that the key was used now, at most once a minute (no statement otherwise)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(id=key.id).update(last_used_at=now)
        key.last_used_at = now
