"""Tables of rosters; see rosters/README.md.

The mapping of the pre-2025 communes (63 provinces, their districts and some 10,000 communes) onto
the communes in force since 1 July 2025 lives here as rows, loaded by `manage.py
load_address_mappings` (docs/decisions/0021): a future reform is new rows, not new code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onetouch.models import Commune


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
