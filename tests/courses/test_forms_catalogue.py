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
