import hashlib
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from courses.models import CourseFormat, Topic
from courses.search import query_terms
from onetouch.models import AudienceGroup, Province

NATIONAL = "national"


class CatalogueSort:
    NEWEST = "newest"
    POPULAR = "popular"
    CHOICES = [(NEWEST, _("Newest")), (POPULAR, _("Most enrolled"))]
    ORDER_BY = {NEWEST: ["-created_at", "-id"], POPULAR: ["-enrolment_count", "-created_at", "-id"]}


@dataclass(frozen=True)
class CatalogueFilters:
    """The catalogue's query once validated; an empty string means "any"."""

    query: str = ""
    audience: str = ""
    topic: str = ""
    province: str = ""
    format: str = ""
    sort: str = CatalogueSort.NEWEST

    @property
    def order_by(self) -> list[str]:
        return CatalogueSort.ORDER_BY[self.sort]

    def cache_key(self) -> str:
        """Return a short key equal for every query that selects the same courses."""
        parts = [" ".join(query_terms(self.query)), self.audience, self.topic, self.province, self.format, self.sort]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def province_choices() -> list[tuple[str, str]]:
    # The units change only by law; an hour-old list is fresh enough and saves a query a page.
    provinces = cache.get_or_set("province-choices", lambda: list(Province.objects.values_list("code", "name")), 3600)
    return [("", _("All provinces")), (NATIONAL, _("National courses"))] + provinces


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    audience = forms.ChoiceField(
        label=_("Audience group"), required=False, choices=[("", _("All audiences"))] + AudienceGroup.choices
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", _("All topics"))] + Topic.choices)
    province = forms.ChoiceField(label=_("Province"), required=False, choices=province_choices)
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Online and blended"))] + CourseFormat.choices
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=CatalogueSort.CHOICES)

    def filters(self) -> CatalogueFilters:
        data = self.cleaned_data
        return CatalogueFilters(
            query=data["q"].strip(),
            audience=data["audience"],
            topic=data["topic"],
            province=data["province"],
            format=data["format"],
            sort=data["sort"] or CatalogueSort.NEWEST,
        )
