"""Long lists, one page at a time: the page, the sort the reader chose (from the columns a view
offers, nothing else reaches `order_by`), and the total count, in two queries however many rows
there are. Views hand in a filtered queryset; the template includes `listing/_pager.html` and
builds sort links with `listing/_sort.html`, both on Django's `{% querystring %}` so every
other parameter (the filters) stays in the links. The Excel export of a list takes the same
filtered queryset, so what is exported is what is listed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

M = TypeVar("M", bound=Model)

#: The rows a page shows unless a view says otherwise; the reader may choose one of PAGE_SIZES.
PAGE_SIZE = 50
PAGE_SIZES = (20, 50, 100, 200)


@dataclass(frozen=True)
class Sort:
    """One sortable column: the key in the URL (`?sort=score`, `?sort=-score`), its heading
    and the fields it orders by (a unique tie-breaker is appended, so pages never overlap).
    No fields: a figure the database does not hold per row; the caller hands `paginate` the
    rows already sorted (a list), as the unit tree does with its counts."""

    key: str
    label: StrOrPromise  # lazy where the sorts are module constants, read in the page's language
    fields: Sequence[str]


@dataclass
class Listing(Generic[M]):
    page: Page[M]
    sort: str
    sorts: Mapping[str, Sort]
    per_page: int

    @property
    def rows(self) -> list[M]:
        return list(self.page.object_list)

    @property
    def total(self) -> int:
        return self.page.paginator.count

    def __iter__(self) -> Any:
        return iter(self.page.object_list)

    def __len__(self) -> int:
        return len(self.page.object_list)

    def heading(self, key: str) -> dict[str, Any]:
        """What the sort link of a column needs: its label, whether it is the current sort and in
        which direction, and the value the link sets (a second click reverses)."""
        column = self.sorts[key]
        active = self.sort.lstrip("-") == key
        descending = active and self.sort.startswith("-")
        return {
            "label": column.label,
            "active": active,
            "descending": descending,
            "value": key if descending or not active else f"-{key}",
        }

    @property
    def page_numbers(self) -> list[int | str]:
        """The page links to show: the ends and the pages around this one, `ellipsis` between."""
        return list(self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1))

    @property
    def ellipsis(self) -> str:
        return str(self.page.paginator.ELLIPSIS)

    @property
    def headings(self) -> dict[str, dict[str, Any]]:
        return {key: self.heading(key) for key in self.sorts}


def paginate(
    request: HttpRequest,
    queryset: QuerySet[M] | Sequence[M],
    *,
    sorts: Sequence[Sort] = (),
    default: str = "",
    per_page: int = PAGE_SIZE,
    prefix: str = "",
) -> Listing[M]:
    """The page of `queryset` the request asks for (`page`, `sort`, `per_page`; with `prefix`
    for a second list on the same page: `prefix_page`…). An unknown sort or page size falls
    back to the default rather than failing: a link shared from an older page still opens."""
    by_key = {s.key: s for s in sorts}
    sort = request.GET.get(f"{prefix}sort", "") or default
    if sort.lstrip("-") not in by_key:
        sort = default
    if isinstance(queryset, QuerySet):
        if sort and by_key[sort.lstrip("-")].fields:
            column = by_key[sort.lstrip("-")]
            descending = sort.startswith("-")
            order = [_reverse(f) if descending else f for f in column.fields]
            queryset = queryset.order_by(*order, "-pk" if descending else "pk")
        elif not queryset.ordered:
            queryset = queryset.order_by("pk")
    size = per_page
    asked = request.GET.get(f"{prefix}per_page", "")
    if asked.isdigit() and int(asked) in PAGE_SIZES:
        size = int(asked)
    page = Paginator(queryset, size).get_page(request.GET.get(f"{prefix}page"))
    return Listing(page=page, sort=sort, sorts=by_key, per_page=size)


def _reverse(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"
