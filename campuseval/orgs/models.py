"""Regions and units: province → city → county/district (incl. development zones) → school."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

#: Separates the ids of a path: "12/345/6789/" is unit 6789 under 345 under 12.
SEP = "/"


class Unit(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("区县")
        SCHOOL = "school", _("学校")

    class Stage(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        SENIOR = "senior", _("普通高中")
        COMPLETE = "complete", _("完全中学")
        NINE_YEAR = "nine_year", _("九年一贯制")
        TWELVE_YEAR = "twelve_year", _("十二年一贯制")
        VOCATIONAL = "vocational", _("中职")

    class Area(models.TextChoices):
        URBAN = "urban", _("城镇")
        RURAL = "rural", _("乡村")

    #: The seeds' counting rule: 完全中学 and 十二年一贯制 count as 普通高中, 九年一贯制 as 初中.
    COUNTED_STAGE: dict[str, str] = {
        Stage.PRIMARY: Stage.PRIMARY,
        Stage.JUNIOR: Stage.JUNIOR,
        Stage.SENIOR: Stage.SENIOR,
        Stage.COMPLETE: Stage.SENIOR,
        Stage.TWELVE_YEAR: Stage.SENIOR,
        Stage.NINE_YEAR: Stage.JUNIOR,
        Stage.VOCATIONAL: Stage.VOCATIONAL,
    }

    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    stage = models.CharField(_("学段"), max_length=16, choices=Stage.choices, blank=True)
    area = models.CharField(_("城乡"), max_length=8, choices=Area.choices, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    students = models.PositiveIntegerField(_("在校学生数"), null=True, blank=True)
    staff = models.PositiveIntegerField(_("教职工数"), null=True, blank=True)
    classes = models.PositiveIntegerField(_("班级数"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    #: The ids from the root down to this unit, each followed by SEP (a materialized path):
    #: "everything under X" is `path LIKE 'X.path%'`, answered by the index (on PostgreSQL
    #: Django adds a varchar_pattern_ops index for prefix matches beside the plain one).
    path = models.CharField(max_length=255, editable=False, default="", db_index=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "parent"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saves, then keeps the path right: a new unit gets its parent's path and its own id;
        a unit moved to another parent carries its whole subtree along in one UPDATE."""
        old = self.path
        super().save(*args, **kwargs)
        parent_path = ""
        if self.parent_id is not None:
            parent = self.parent
            assert parent is not None
            parent_path = parent.path or Unit.objects.values_list("path", flat=True).get(pk=self.parent_id)
        new = f"{parent_path}{self.pk}{SEP}"
        if new == old:
            return
        Unit.objects.filter(pk=self.pk).update(path=new)
        if old:
            Unit.objects.filter(path__startswith=old).exclude(pk=self.pk).update(
                path=Concat(Value(new), Substr("path", len(old) + 1), output_field=models.CharField())
            )
        self.path = new

    @property
    def counted_stage(self) -> str:
        """The stage a form counts this school under (seed annex notes)."""
        return str(self.COUNTED_STAGE.get(self.stage, self.stage)) if self.stage else ""

    @property
    def path_ids(self) -> list[int]:
        """Ids along the path, the root first and this unit last (read from `path`, no query)."""
        return [int(part) for part in self.path.split(SEP) if part]

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids of the units above, the nearest first."""
        return self.path_ids[-2::-1]

    def ancestors(self) -> list[Unit]:
        """The units above, the nearest first. Parents already loaded (select_related) are
        walked for free; the rest of the chain is read in one query by the path."""
        chain: list[Unit] = []
        node: Unit = self
        while node.parent_id is not None and Unit.parent.is_cached(node):
            assert node.parent is not None
            node = node.parent
            chain.append(node)
        if node.parent_id is None:
            return chain
        rest = node.ancestor_ids if node.path else _ancestor_ids_by_walking(node)
        by_pk = Unit.objects.in_bulk(rest)
        chain.extend(by_pk[pk] for pk in rest if pk in by_pk)
        return chain

    def ancestor_of_kind(self, kind: str) -> Unit | None:
        if self.kind == kind:
            return self
        for unit in self.ancestors():
            if unit.kind == kind:
                return unit
        return None

    @property
    def county(self) -> Unit | None:
        return self.ancestor_of_kind(self.Kind.COUNTY)

    def subtree(self) -> Subtree:
        """This unit and everything under it."""
        return Subtree(frozenset({self.path}))


def _ancestor_ids_by_walking(unit: Unit) -> list[int]:
    ids: list[int] = []
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = Unit.objects.values_list("parent_id", flat=True).get(pk=parent_id)
    return ids


def fill_paths(units: Iterable[Unit]) -> None:
    """Sets the path of units created with `bulk_create` (their parents' paths already set or
    among `units`), in one UPDATE per batch: a bulk import writes no unit one by one."""
    pending = [u for u in units]
    known = {u.pk: u.path for u in pending if u.path}
    parent_ids = {u.parent_id for u in pending if u.parent_id is not None} - set(known)
    known.update(Unit.objects.filter(pk__in=parent_ids).values_list("pk", "path"))
    while pending:
        ready = [u for u in pending if u.parent_id is None or known.get(u.parent_id)]
        if not ready:
            raise ValueError("units without a parent path")
        for unit in ready:
            unit.path = f"{known.get(unit.parent_id, '') if unit.parent_id else ''}{unit.pk}{SEP}"
            known[unit.pk] = unit.path
        Unit.objects.bulk_update(ready, ["path"], batch_size=1000)
        written = {id(u) for u in ready}  # by identity: `u not in ready` compared models pairwise (quadratic)
        pending = [u for u in pending if id(u) not in written]


@dataclass(frozen=True)
class Subtree:
    """Everything at or under some units: "is this unit inside?" is a string comparison in
    Python, "which rows are inside?" one indexed `LIKE 'path%'` per root joined in SQL, so a
    region of 20,000 schools never travels as a list of ids."""

    paths: frozenset[str] = frozenset()
    everything: bool = False

    @classmethod
    def of(cls, units: Iterable[Unit]) -> Subtree:
        return cls(minimal_paths(u.path for u in units))

    @classmethod
    def of_ids(cls, ids: Iterable[int]) -> Subtree:
        """One query for the roots' paths (a handful of ids: a person's memberships)."""
        wanted = list(ids)
        if not wanted:
            return cls()
        return cls(minimal_paths(Unit.objects.filter(pk__in=wanted).values_list("path", flat=True)))

    @classmethod
    def whole_tree(cls) -> Subtree:
        return cls(everything=True)

    def __bool__(self) -> bool:
        return self.everything or bool(self.paths)

    def __contains__(self, unit: object) -> bool:
        if not isinstance(unit, Unit):
            raise TypeError("Subtree holds units; compare a Unit, not an id")
        return self.holds_path(unit.path)

    def holds_path(self, path: str) -> bool:
        """A unit with this path lies inside."""
        return self.everything or any(path.startswith(p) for p in self.paths)

    def q(self, field: str = "") -> Q:
        """The condition "the unit (at `field`, e.g. "unit" or "organizer") lies inside"."""
        if self.everything:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        lookup = f"{field}__path__startswith" if field else "path__startswith"
        condition = Q()
        for path in sorted(self.paths):
            condition |= Q(**{lookup: path})
        return condition

    def units(self) -> QuerySet[Unit]:
        return Unit.objects.filter(self.q())

    def ids(self) -> QuerySet[Unit]:
        """The ids as a subquery, for a column that holds a unit id without a foreign key (the
        append-only audit log): `unit_id__in=region.ids()` stays one SQL statement."""
        return self.units().values("pk")  # type: ignore[return-value]

    def __or__(self, other: Subtree) -> Subtree:
        if self.everything or other.everything:
            return Subtree(everything=True)
        return Subtree(minimal_paths([*self.paths, *other.paths]))


def minimal_paths(paths: Iterable[str]) -> frozenset[str]:
    """The paths without any lying under another (its rows are already inside)."""
    ordered = sorted({p for p in paths if p}, key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return frozenset(kept)


def units_below(unit_ids: Iterable[int]) -> Subtree:
    """The units and every unit under them, at any depth."""
    return Subtree.of_ids(unit_ids)


def units_above(unit_ids: Iterable[int]) -> set[int]:
    """Ids of the units and of all their ancestors (one query: the ids lie in the paths)."""
    ids = set(unit_ids)
    for path in Unit.objects.filter(pk__in=ids).values_list("path", flat=True):
        ids.update(int(part) for part in path.split(SEP) if part)
    return ids
