"""Demo data: the Hà Nội admin's API key, as a province's HR system would hold it (docs/decisions/0034)."""

from django.db import transaction

from api.models import ApiKey
from api.services.keys import api_key_create, api_key_revoke
from onetouch.models import User

DEMO_KEY_NAME = "Demo: hệ thống nhân sự Hà Nội"
DEMO_KEY_OWNER = "quantri.hanoi@demo.onetouch.vn"
DEMO_KEY_VALID_DAYS = 30


@transaction.atomic
def demo_api_key_make() -> str:
    """Make the demo key and return its plain text; the demo's earlier keys are revoked.

    A key is shown once and only its digest is kept, so every start of the demo makes a new one and
    prints it, rather than keeping a published secret that would work on any copy of the demo.
    """
    admin = User.objects.select_related("scope_province").get(email=DEMO_KEY_OWNER)
    for earlier in ApiKey.objects.filter(name=DEMO_KEY_NAME, created_by=admin, revoked_at__isnull=True):
        api_key_revoke(by=admin, key=earlier)
    _key, plain = api_key_create(
        by=admin,
        name=DEMO_KEY_NAME,
        kind=ApiKey.Kind.PROVINCE,
        valid_days=DEMO_KEY_VALID_DAYS,
        province=admin.scope_province,
    )
    return plain
