"""A search's pages counted only as far as a visitor reads (docs/decisions/0028).

An exact count of a search's matches reads the text of every published course, the one part of a
search that grows with the catalogue; its first pages come from walking the chosen order and
stop after a page. So a search counts its matches up to `counted_pages` pages (or up to the page
asked for, if later), and says "more than" beyond: one short read instead of a scan.
"""

from functools import cached_property

from django.core.paginator import Page, Paginator


class SearchPaginator(Paginator):
    """A paginator whose count stops at `counted_pages` full pages; `is_capped` says more matches exist."""

    is_capped = False  # known once the count is read

    def __init__(self, object_list, per_page: int, *, counted_pages: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = counted_pages * per_page

    @cached_property
    def count(self) -> int:
        # Unordered: PostgreSQL stops at the first cap + 1 matches in the order it reads them.
        found = len(self.object_list.order_by().values_list("pk", flat=True)[: self.cap + 1])
        self.is_capped = found > self.cap
        return min(found, self.cap)

    def _get_page(self, object_list, number: int, paginator: "SearchPaginator") -> Page:
        return SearchPage(object_list, number, paginator)


class SearchPage(Page):
    """A page of a search; the last counted page links on when more matches exist."""

    def has_next(self) -> bool:
        return super().has_next() or (self.paginator.is_capped and self.number == self.paginator.num_pages)

    def next_page_number(self) -> int:
        return self.number + 1
