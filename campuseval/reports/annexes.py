"""Recommendation tables laid out as the notices' own annexes.

A campaign whose application form comes from a notice with its own recommendation annex prints
the county's list in that annex's columns: Bozhou's annex 5 (推荐类型, 联系人, 电话) and
Taizhou's annex 4 (联系人, 联系电话, 申报类型, 自评分, 亮点特色). Which annex goes with which
form is the table below; a campaign on another form prints the platform's own 推荐表."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from campuseval.campaigns.models import Campaign
from campuseval.engine.numbers import fmt
from campuseval.orgs.models import Unit
from campuseval.reviews.models import RecommendationEntry

Cell = Callable[[RecommendationEntry, Mapping[str, Any]], str]


def _field(*keys: str) -> Cell:
    """The first of the application form's fields that is filled in."""

    def cell(row: RecommendationEntry, data: Mapping[str, Any]) -> str:
        return next((str(data[k]).strip() for k in keys if str(data.get(k) or "").strip()), "")

    return cell


def _kind(row: RecommendationEntry, data: Mapping[str, Any]) -> str:
    return "示范区" if row.application.unit.kind == Unit.Kind.COUNTY else "示范校"


def _level_sought(row: RecommendationEntry, data: Mapping[str, Any]) -> str:
    """示范型 / 优秀型 / 合格型, as the school chose on its 申报表."""
    return str(data.get("level_sought") or "")


def _name(row: RecommendationEntry, data: Mapping[str, Any]) -> str:
    return row.application.unit.name


def _self_total(row: RecommendationEntry, data: Mapping[str, Any]) -> str:
    total = row.application.self_total
    return fmt(total) if total is not None else ""


def _county_total(row: RecommendationEntry, data: Mapping[str, Any]) -> str:
    """The county's first-review score, when the view attached it to the row."""
    total = getattr(row, "county_total", None)
    return fmt(total) if total is not None else "—"


def _highlights(row: RecommendationEntry, data: Mapping[str, Any]) -> str:
    return row.highlights or str(data.get("highlights") or "")


@dataclass(frozen=True)
class Column:
    label: str
    cell: Cell
    width: str = ""
    css: str = ""


@dataclass(frozen=True)
class Annex:
    """One annex's recommendation table: title, the three header labels (unit, person, phone)
    and the columns after 序号."""

    title: str
    source: str
    unit_label: str
    person_label: str
    phone_label: str
    columns: tuple[Column, ...]
    #: the opinion above the signature and stamp area under the table
    opinion: str = "县（市、区）教育主管部门意见："

    def rows(self, entries: Iterable[RecommendationEntry]) -> list[dict[str, Any]]:
        """Each entry's 序号 and its cells, each cell with the column's style."""
        out = []
        for row in entries:
            data = row.application.form_data or {}
            cells = [{"text": c.cell(row, data), "css": c.css} for c in self.columns]
            out.append({"position": row.position, "cells": cells})
        return out


BOZHOU_5 = Annex(
    title="亳州市中小学智慧学校应用示范区、示范校推荐表",
    source="附件5",
    unit_label="推荐单位（盖章）",
    person_label="填表人",
    phone_label="联系电话",
    columns=(
        Column("推荐类型", _kind, "12%"),
        Column("单位名称", _name),
        Column("联系人", _field("contact_name"), "12%"),
        Column("电话", _field("contact_mobile", "contact_phone"), "16%"),
        Column("备注", lambda row, data: row.highlights, "26%", "small"),
    ),
)

TAIZHOU_4 = Annex(
    title="泰州市中小学智慧校园创建学校推荐名单表",
    source="附件4",
    unit_label="市（区）（盖章）",
    person_label="市（区）联系人",
    phone_label="联系人电话",
    columns=(
        Column("学校名称", _name),
        Column("联系人", _field("leader_name"), "11%"),
        Column("联系电话", _field("leader_phone", "school_phone"), "13%"),
        Column("申报类型（示范\\优秀\\合格）", _level_sought, "13%"),
        Column("自评分", _self_total, "7%", "num"),
        Column("初评分", _county_total, "7%", "num"),
        Column("亮点特色", _highlights, "17%", "small"),
    ),
    opinion="市（区）教育局意见：",
)

#: application form → the recommendation annex of the same notice
ANNEXES: dict[str, Annex] = {
    "bozhou-2024-school": BOZHOU_5,
    "bozhou-2024-district": BOZHOU_5,
    "taizhou-2022-school": TAIZHOU_4,
}


def annex_for(campaign: Campaign) -> Annex | None:
    """The annex the campaign's application forms come with, if any."""
    for key in (campaign.school_form, campaign.district_form):
        if key in ANNEXES:
            return ANNEXES[key]
    return None


def recommendation_annex(campaign: Campaign, entries: Sequence[RecommendationEntry]) -> dict[str, Any] | None:
    """The annex and its filled rows for the recommendation PDF, or None for the platform's 推荐表."""
    annex = annex_for(campaign)
    if annex is None:
        return None
    return {"annex": annex, "columns": annex.columns, "rows": annex.rows(entries)}
