"""The catalogue's filter form: how many filters are active, and when the folded filters open."""

import pytest

from courses.forms.catalogue import CatalogueFilterForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("data", "count"),
    [
        (None, 0),
        ({"q": "chuyen doi so", "sort": "popular"}, 0),  # the search and the order narrow nothing
        ({"audience": "public"}, 1),
        ({"audience": "public", "topic": "online_shopping", "province": "national", "format": "online"}, 4),
    ],
)
def test_active_filter_count_counts_the_narrowing_filters(data, count):
    assert CatalogueFilterForm(data).active_filter_count() == count


def test_a_filter_not_understood_opens_the_folded_filters(client):
    page = client.get("/courses/", {"q": "x", "audience": "nobody"}).content.decode()
    assert '<details class="filter-panel" open>' in page


def test_the_search_box_stays_outside_the_folded_filters(client):
    page = client.get("/courses/", {"q": "x", "audience": "public"}).content.decode()
    assert '<details class="filter-panel">' in page
    assert 'form="catalogue-filters"' in page
    assert page.index('id="id_q"') < page.index("<details")
    assert "(1)" in page[page.index("<summary>") : page.index("</summary>")]


@pytest.mark.parametrize(
    "data", [None, {"audience": "public", "province": "46", "sort": "popular"}, {"topic": "bogus"}]
)
def test_quick_select_writes_the_markup_django_select_does(data):
    """The filters' selects, written in Python for speed, equal Django's template-rendered <select>
    (attributes, selected option, escaping), whitespace and attribute order aside."""
    from django import forms
    from django.test.html import parse_html

    form = CatalogueFilterForm(data)
    form.is_valid()
    for name in ("audience", "topic", "province", "format", "sort"):
        quick = form[name]
        django_select = forms.Select(choices=quick.field.choices)
        attrs = quick.build_widget_attrs({"id": quick.auto_id})
        if quick.errors:
            attrs["aria-invalid"] = "true"

        assert parse_html(str(quick)) == parse_html(django_select.render(quick.html_name, quick.value(), attrs))
