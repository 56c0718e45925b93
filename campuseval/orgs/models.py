"""Regions and units: province → city → county/district (incl. development zones) → school."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "parent"])]

    def __str__(self) -> str:
        return self.name

    @property
    def counted_stage(self) -> str:
        """The stage a form counts this school under (seed annex notes)."""
        return str(self.COUNTED_STAGE.get(self.stage, self.stage)) if self.stage else ""

    def ancestors(self) -> list[Unit]:
        chain: list[Unit] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
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

    def descendant_ids(self) -> set[int]:
        """Ids of this unit and every unit below it."""
        return units_below([self.pk])


def units_below(unit_ids: Iterable[int]) -> set[int]:
    """Ids of the units and of every unit under them, at any depth (one query per level)."""
    ids = set(unit_ids)
    frontier = list(ids)
    while frontier:
        found = Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        frontier = [pk for pk in found if pk not in ids]
        ids.update(frontier)
    return ids


def units_above(unit_ids: Iterable[int]) -> set[int]:
    """Ids of the units and of all their ancestors (one query per level)."""
    ids = set(unit_ids)
    frontier = set(ids)
    while frontier:
        parents = set(Unit.objects.filter(pk__in=frontier, parent__isnull=False).values_list("parent_id", flat=True))
        frontier = parents - ids
        ids |= frontier
    return ids
