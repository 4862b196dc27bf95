"""Reads of API keys: the studio's list (scoped), one key to revoke, and a key by its plain text."""

from django.db.models import QuerySet

from api.models import ApiKey
from api.pure.keys import key_matches, key_prefix
from onetouch import scope
from onetouch.models import User


def api_key_list_for(*, user: User) -> QuerySet[ApiKey]:
    """Return the keys the user may see: their province's for an admin, every key for ministry staff."""
    keys = ApiKey.objects.select_related("province", "partner", "created_by", "revoked_by")
    return scope.filter_to_scope(keys, user, province_field="province")


def api_key_get_for_change(*, user: User, key_id: int) -> ApiKey:
    """Return a key the user may revoke, else 404 (another province's key looks missing)."""
    return scope.get_changeable_or_404(ApiKey.objects.all(), user, province_field="province", id=key_id)


def api_key_find(*, plain: str) -> ApiKey | None:
    """Return the key whose plain text this is (expired and revoked ones too), or None."""
    prefix = key_prefix(plain)
    if prefix is None:
        return None
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None or not key_matches(plain, key.key_hash):
        return None
    return key
