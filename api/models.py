"""API keys: who may call the REST API, for which province, partner organisation or the ministry."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Partner
from onetouch.models import Province


class ApiKey(models.Model):
    """A named key bound to a province, a partner organisation or the ministry.

    Only the key's prefix and its SHA-256 are kept (api/pure/keys.py): the plain key is shown once,
    when it is made, and can never be read again.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        PARTNER = "partner", _("Partner organisation")
        MINISTRY = "ministry", _("Ministry")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("province"),
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("partner organisation"),
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key digest"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys_revoked",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            # A province's key names its province only, a partner's its partner only, the ministry's neither.
            models.CheckConstraint(
                name="api_key_bound_by_kind",
                condition=(
                    Q(kind="province", province__isnull=False, partner__isnull=True)
                    | Q(kind="partner", province__isnull=True, partner__isnull=False)
                    | Q(kind="ministry", province__isnull=True, partner__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyKey(models.Model):
    """A write the API has applied, by the `Idempotency-Key` its requester sent (docs/decisions/0035).

    Written in the same transaction as the write itself, so a key is here exactly when its write
    happened: a retry with the same key and body is answered from `response_status`/`response_body`
    without running the write again. Kept IDEMPOTENCY_KEEP_HOURS (api.tasks.idempotency_keys_expire).
    """

    key = models.CharField(_("idempotency key"), max_length=255)
    # The requester: the API key's id, or the signed-in account for a session. Exactly one is set.
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("API key")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    # SHA-256 of the method, the path and the body as canonical JSON (api.pure.idempotency).
    request_hash = models.CharField(_("request digest"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("answer status"))
    response_body = models.JSONField(_("stored answer"), null=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.CheckConstraint(
                name="idempotency_key_one_requester",
                condition=Q(api_key__isnull=False, user__isnull=True) | Q(api_key__isnull=True, user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["api_key", "key"], condition=Q(api_key__isnull=False), name="idempotency_key_once_per_api_key"
            ),
            models.UniqueConstraint(
                fields=["user", "key"], condition=Q(user__isnull=False), name="idempotency_key_once_per_user"
            ),
        ]

    def __str__(self) -> str:
        return self.key
