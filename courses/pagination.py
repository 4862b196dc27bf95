"""Paginators told their count, and a search's pages counted only as far as a visitor reads (docs/decisions/0028).

The catalogue reads how many courses match from the cache while no course changes
(`courses.views.catalogue.catalogue_match_count`), so its paginators are given the count instead
of counting. An exact count of a search's matches reads the text of every published course, the
one part of a search that grows with the catalogue; its first pages come from walking the chosen
order and stop after a page. So a search counts its matches up to `counted_pages` pages (or up to
the page asked for, if later), and says "more than" beyond: one short read instead of a scan.
"""

from django.core.paginator import Page, Paginator


class CountedPaginator(Paginator):
    """A paginator given how many objects its list holds; it never counts them itself."""

    is_capped = False  # the count is exact

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count  # in place of Paginator's cached count


class SearchPaginator(CountedPaginator):
    """A search's paginator: its count stops at `counted_pages` full pages; `is_capped` says more matches exist.

    `found` is how many matches a read of at most `search_read_limit()` ids found.
    """

    def __init__(self, object_list, per_page: int, *, counted_pages: int, found: int) -> None:
        cap = counted_pages * per_page
        super().__init__(object_list, per_page, count=min(found, cap))
        self.is_capped = found > cap

    @staticmethod
    def search_read_limit(per_page: int, counted_pages: int) -> int:
        """How many matching ids to read: the counted pages and one more, to know whether more exist."""
        return counted_pages * per_page + 1

    def _get_page(self, object_list, number: int, paginator: "SearchPaginator") -> Page:
        return SearchPage(object_list, number, paginator)


class SearchPage(Page):
    """A page of a search; the last counted page links on when more matches exist."""

    def has_next(self) -> bool:
        return super().has_next() or (self.paginator.is_capped and self.number == self.paginator.num_pages)

    def next_page_number(self) -> int:
        return self.number + 1
