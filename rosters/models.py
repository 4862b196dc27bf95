"""Tables of rosters; see rosters/README.md.

Imports (docs/decisions/0022): a `RosterImport` is one uploaded file for one course run and its
`RosterRow`s, one per person, with the dry run's plan and then what the import did.

The mapping of the pre-2025 communes (63 provinces, their districts and some 10,000 communes) onto
the communes in force since 1 July 2025 lives here as rows, loaded by `manage.py
load_address_mappings` (docs/decisions/0021): a future reform is new rows, not new code.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import CourseRun
from onetouch.models import Commune, Province


class OldCommune(models.Model):
    """A commune, ward or township as it was before 1 July 2025, with the district and province it
    belonged to. Keys are the names folded by rosters.pure.addresses, for lookups by index."""

    code = models.CharField(_("official code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    district_code = models.CharField(_("district code"), max_length=3)
    district_name = models.CharField(_("district"), max_length=100)
    province_code = models.CharField(_("province code"), max_length=2)
    province_name = models.CharField(_("province"), max_length=100)
    key = models.CharField(_("folded name"), max_length=100)
    district_key = models.CharField(_("folded district"), max_length=100)
    province_key = models.CharField(_("folded province"), max_length=100)
    successors = models.ManyToManyField(
        Commune,
        through="OldCommuneSuccessor",
        related_name="predecessors",
        verbose_name=_("communes of today"),
    )

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["province_key", "key"])]
        verbose_name = _("pre-2025 commune")
        verbose_name_plural = _("pre-2025 communes")

    def __str__(self) -> str:
        return f"{self.name}, {self.district_name}, {self.province_name}"


class OldCommuneSuccessor(models.Model):
    """A commune of today that took in all or part of an old commune: one row when it was merged or
    renamed, several when it was split. `is_main` marks the part the source data calls the main one;
    it is shown first to a person choosing, never used to choose for them."""

    old_commune = models.ForeignKey(
        OldCommune, on_delete=models.CASCADE, related_name="successor_links", verbose_name=_("pre-2025 commune")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="predecessor_links", verbose_name=_("commune of today")
    )
    is_main = models.BooleanField(_("main part"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["old_commune", "commune"], name="old_commune_successor_once"),
        ]
        verbose_name = _("successor of a pre-2025 commune")
        verbose_name_plural = _("successors of pre-2025 communes")

    def __str__(self) -> str:
        return f"{self.old_commune_id} → {self.commune_id}"


def roster_file_path(roster_import: "RosterImport", filename: str) -> str:
    # The name is ours: what the admin's file was called is kept in `file_name`, never in a path.
    return f"rosters/{roster_import.file_sha256[:2]}/{roster_import.file_sha256}-{roster_import.created_by_id}"


class RosterImport(models.Model):
    """One uploaded roster file for one course run: checked first (the dry run), then imported once confirmed.

    The file is kept (private storage) so the worker reads exactly what was uploaded; its SHA-256
    tells the admin a file was imported before. `province` is the uploading admin's province (None for
    ministry staff), which decides who else may see the import (onetouch.scope).
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        IMPORTING = "importing", _("Being imported")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Could not be read")

    course_run = models.ForeignKey(
        CourseRun, on_delete=models.PROTECT, related_name="roster_imports", verbose_name=_("course run")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file = models.FileField(_("file"), upload_to=roster_file_path, max_length=300)
    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CHECKING)
    problem = models.TextField(_("why the file could not be read"), blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    # Progress of the job running now (the check, then the import), for the page's progress bar.
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return self.file_name


class RosterRow(models.Model):
    """One person of a roster file: what it says, what the check decided, and what the import did.

    `outcome` is first the dry run's plan and, once the row is imported (`imported_at`), what was done.
    `reason` is a code (the page and the report say it in the reader's language) and `detail` what it
    refers to (the other row of the same person, the address as written).
    """

    class Outcome(models.TextChoices):
        CREATE = "create", _("New account, enrolled")
        MATCH = "match", _("Existing account, enrolled")
        ALREADY = "already", _("Already enrolled")
        DECIDE = "decide", _("Needs a decision")
        REFUSED = "refused", _("Refused")

    roster_import = models.ForeignKey(
        RosterImport, on_delete=models.CASCADE, related_name="rows", verbose_name=_("roster import")
    )
    number = models.PositiveIntegerField(_("row in the file"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    email = models.CharField(_("email address"), max_length=254, blank=True)
    phone = models.CharField(_("mobile number"), max_length=32, blank=True)
    audience_group = models.CharField(_("audience group"), max_length=32, blank=True)
    province_text = models.CharField(_("province as written"), max_length=300, blank=True)
    district_text = models.CharField(_("district as written"), max_length=300, blank=True)
    commune_text = models.CharField(_("commune as written"), max_length=300, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    position = models.CharField(_("job title"), max_length=200, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    # The communes of today an old commune was split into, when the admin has to choose.
    candidate_ids = models.JSONField(_("communes to choose from"), default=list, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["roster_import", "number"]
        verbose_name = _("roster row")
        verbose_name_plural = _("roster rows")
        constraints = [
            models.UniqueConstraint(fields=["roster_import", "number"], name="roster_row_once_per_file_row"),
        ]
        indexes = [models.Index(fields=["roster_import", "outcome", "number"], name="roster_row_by_outcome")]

    def __str__(self) -> str:
        return f"{self.roster_import_id} · {self.number}"
