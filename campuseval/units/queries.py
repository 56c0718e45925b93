"""The unit tree as the organizer sees it, one level at a time: the current unit's children (or
the search results across the managed region) with their schools, rural schools and students
counted in SQL over the materialized path. A page costs the same queries for a county of ten
schools as for a province of 20,000: nothing below the shown rows is loaded into Python."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, StrIndex, Substr

from campuseval.orgs.models import SEP, Subtree, Unit


@dataclass(frozen=True)
class Counts:
    """What lies at or under one unit: its schools, how many of them rural, their students."""

    schools: int = 0
    rural: int = 0
    students: int = 0


def _figures(condition: Q | None = None) -> dict[str, Count | Coalesce]:
    return {
        "schools": Count("pk", filter=condition),
        "rural": Count("pk", filter=Q(area=Unit.Area.RURAL) & (condition or Q())),
        "students": Coalesce(Sum("students", filter=condition), 0),
    }


def _schools() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=Unit.Kind.SCHOOL).order_by()


def totals(region: Subtree) -> Counts:
    """The schools of a whole subtree (the header of the current unit), in one aggregate."""
    row = _schools().filter(region.q()).aggregate(**_figures())
    return Counts(int(row["schools"]), int(row["rural"]), int(row["students"] or 0))


def children_counts(parent_path: str, children: list[Unit]) -> dict[int, Counts]:
    """The counts of each child of one unit (`parent_path`; "" for the roots), in one GROUP BY:
    every school under the parent is grouped by the next segment of its path, the child's id.
    The parent's prefix is a constant, so the prefix match is answered by the path index."""
    if not children:
        return {}
    offset = len(parent_path) + 1
    rest = Substr("path", offset)
    wanted = {child.path[len(parent_path) :]: child.pk for child in children}
    schools = _schools()
    if parent_path:
        schools = schools.filter(path__startswith=parent_path)
    rows = (
        schools.annotate(segment=Substr(rest, 1, StrIndex(rest, Value(SEP))))
        .filter(segment__in=list(wanted))
        .values("segment")
        .annotate(**_figures())
        .values_list("segment", "schools", "rural", "students")
    )
    out = {pk: Counts() for pk in wanted.values()}
    for key, schools_n, rural_n, students_n in rows:
        out[wanted[key]] = Counts(int(schools_n), int(rural_n), int(students_n or 0))
    return out


def scattered_counts(units: list[Unit]) -> dict[int, Counts]:
    """The counts of units that need not share a parent (search results), in one aggregate with
    a filtered count per unit; a school counts itself and costs nothing."""
    out: dict[int, Counts] = {}
    branches = [u for u in units if u.kind != Unit.Kind.SCHOOL]
    for unit in units:
        if unit.kind == Unit.Kind.SCHOOL:
            rural = 1 if unit.area == Unit.Area.RURAL else 0
            out[unit.pk] = Counts(1, rural, unit.students or 0)
    if not branches:
        return out
    figures: dict[str, Count | Coalesce] = {}
    for index, unit in enumerate(branches):
        inside = Q(path__startswith=unit.path)
        for name, figure in _figures(inside).items():
            figures[f"{name}_{index}"] = figure
    row = _schools().filter(Subtree.of(branches).q()).aggregate(**figures)
    for index, unit in enumerate(branches):
        out[unit.pk] = Counts(
            int(row[f"schools_{index}"]), int(row[f"rural_{index}"]), int(row[f"students_{index}"] or 0)
        )
    return out


def children_of(parent: Unit | None, region: Subtree) -> QuerySet[Unit]:
    """The units one level below `parent` (below nothing: the tops of the region)."""
    if parent is not None:
        return Unit.objects.filter(parent=parent)
    if region.everything:
        return Unit.objects.filter(parent__isnull=True)
    return Unit.objects.filter(path__in=region.paths)


def search(region: Subtree, text: str) -> QuerySet[Unit]:
    """Units of the region whose code or name contains `text` (a code typed whole comes first
    by the default code order anyway)."""
    return Unit.objects.filter(region.q()).filter(Q(code__icontains=text) | Q(name__icontains=text))


def breadcrumbs(unit: Unit, region: Subtree) -> list[Unit]:
    """The units from the top of the reader's region down to `unit`'s parent (one query: the
    ids are in the path); units above the region are not shown."""
    above = unit.path_ids[:-1]
    if not above:
        return []
    by_pk = Unit.objects.in_bulk(above)
    return [by_pk[pk] for pk in above if pk in by_pk and region.holds_path(by_pk[pk].path)]
