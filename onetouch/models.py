"""The shared core: administrative units, audience groups and the user with their role.

Provinces and communes are the units in force since 1 July 2025 (34 provinces, 3,321 communes),
keyed by their official codes. Codes are the stable keys every other table and every recorded
event use, so the pre-2025 units (63 provinces, districts) can later be added as their own tables
with a mapping onto these rows without touching what already points here (docs/decisions/0002).
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AudienceGroup(models.TextChoices):
    """The four groups a course is made for and a learner belongs to."""

    COMMUNE_LEADER = "commune_leader", _("Commune People's Committee leaders")
    DIGITAL_TEAM = "digital_team", _("Community digital technology team members")
    CIVIL_SERVANT = "civil_servant", _("Civil servants and public employees")
    PUBLIC = "public", _("General public")


class Province(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "tinh", pgettext_lazy("administrative unit kind", "Province")
        CITY = "thanh_pho", pgettext_lazy("administrative unit kind", "Centrally governed city")

    code = models.CharField(_("official code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    codename = models.SlugField(_("code name"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "xa", pgettext_lazy("administrative unit kind", "Commune")
        WARD = "phuong", pgettext_lazy("administrative unit kind", "Ward")
        SPECIAL_ZONE = "dac_khu", pgettext_lazy("administrative unit kind", "Special zone")

    code = models.CharField(_("official code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    codename = models.CharField(_("code name"), max_length=100)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("province")
    )

    class Meta:
        ordering = ["province__code", "name"]
        indexes = [models.Index(fields=["province", "name"])]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=User.Role.MINISTRY_STAFF)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Its role decides what it may see; a provincial admin is bound to one province."""

    class Role(models.TextChoices):
        LEARNER = "learner", _("Learner")
        PROVINCIAL_ADMIN = "provincial_admin", _("Provincial admin")
        PARTNER_TRAINER = "partner_trainer", _("Partner trainer")
        MINISTRY_STAFF = "ministry_staff", _("Ministry staff")

    # Empty (NULL, so that any number of accounts may have none) for a phone-only learner, who signs
    # in with their mobile number; every account has one or the other (the constraint below).
    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    phone = models.CharField(_("mobile number"), max_length=16, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.LEARNER)
    scope_province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admins",
        verbose_name=_("province administered"),
    )
    is_staff = models.BooleanField(_("can use the back office"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="provincial_admin_has_one_province",
                condition=~Q(role="provincial_admin") | Q(scope_province__isnull=False),
            ),
            models.CheckConstraint(
                name="user_has_email_or_phone",
                condition=(Q(email__isnull=False) & ~Q(email="")) | Q(phone__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or ""

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else (self.email or self.phone or "")


class Session(AbstractBaseSession):
    """A browser's or the app's session: Django's, plus the account it is signed in to, if any.

    The account column lets one statement read a request's session and its account together
    (onetouch.sessions, docs/decisions/0042). It is only a hint: Django still decides who is signed
    in from the session's own data. Deleting an account deletes its sessions.
    """

    account = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    @classmethod
    def get_session_store_class(cls):
        from onetouch.sessions import SessionStore

        return SessionStore


class Invitation(models.Model):
    """A way for an account's owner to set its password, by a link (email) or a code (SMS).

    Two purposes share the same mechanics: the invitation of an account created from a roster, which
    stays inactive until its owner sets a first password, and the password reset by SMS code of a
    phone-only account (django-allauth resets by email only). The link's token or the code exists in
    clear only in the message sent; the row keeps its keyed hash (`secret_hash`), written by the
    worker when it sends the message, once (`sent_at`). A newer invitation of the same purpose
    revokes the older ones; a used one is never accepted again; a code typed wrong
    ACCOUNT_CODE_MAX_ATTEMPTS times is locked.
    """

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("Invitation to set a password")
        PASSWORD_RESET = "password_reset", _("Password reset")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("account"))
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.INVITATION)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    secret_hash = models.CharField(_("hash of the link or code"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    wrong_codes = models.PositiveSmallIntegerField(_("wrong codes typed"), default=0)
    send_attempts = models.PositiveSmallIntegerField(_("sending attempts"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["user", "purpose", "-sent_at"]),
            models.Index(fields=["secret_hash"], condition=~Q(secret_hash=""), name="invitation_secret_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} – {self.user}"
