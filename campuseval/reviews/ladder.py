"""Taizhou's ladder, 合格 → 优秀 → 示范 across campaigns: which level a unit holds, read from
its final results, and whether it may apply for the level it seeks. Applications ask it through
the submission check registered in `ReviewsConfig.ready`."""

from __future__ import annotations

from collections.abc import Iterable

from campuseval.applications.models import Application
from campuseval.campaigns.models import FrameworkRecord
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Unit

from .models import Result


def level_history(unit: Unit) -> list[Result]:
    """A unit's final results across campaigns, oldest first: Taizhou's 合格 → 优秀 → 示范 ladder."""
    return list(
        Result.objects.filter(application__unit=unit, status=Result.Status.FINAL)
        .select_related("campaign", "application__framework")
        .order_by("campaign__year", "campaign__pk")
    )


def framework_family(record: FrameworkRecord) -> str:
    """The family a framework record belongs to, as its file states it (`family:`): editions of
    one issuer's framework whose levels count together."""
    return record.family or framework_for(record).family


def attained_levels(unit_ids: Iterable[int], family: str, level_names: list[str]) -> dict[int, str]:
    """The highest level each unit holds in final results of campaigns of one framework
    family (level names highest first): what a dashboard's level targets count."""
    rank = {name: i for i, name in enumerate(level_names)}
    best: dict[int, str] = {}
    rows = Result.objects.filter(
        application__unit_id__in=unit_ids,
        status=Result.Status.FINAL,
        application__framework__family=family,
    )
    for unit_id, level in rows.values_list("application__unit_id", "level"):
        if level in rank and (unit_id not in best or rank[level] < rank[best[unit_id]]):
            best[unit_id] = level
    return best


def held_level(unit: Unit, family: str, level_names: list[str], *, exclude_campaign: int | None = None) -> str:
    """The highest level the unit has been awarded in the framework family, or "" (leaving out
    the campaign being applied to)."""
    rows = Result.objects.filter(
        application__unit=unit,
        status=Result.Status.FINAL,
        application__framework__family=family,
    )
    if exclude_campaign is not None:
        rows = rows.exclude(campaign_id=exclude_campaign)
    rank = {name: i for i, name in enumerate(level_names)}
    levels = [level for level in rows.values_list("level", flat=True) if level in rank]
    return min(levels, key=rank.__getitem__) if levels else ""


def ladder_problems(application: Application) -> list[str]:
    """Taizhou: a school applies level by level — 合格 first, then 优秀, then 示范. Applying for
    a level needs the level just below it already awarded in an earlier campaign."""
    sought = str((application.form_data or {}).get("level_sought") or "")
    if not sought:
        return []
    names = [lvl.name for lvl in framework_for(application.framework).levels]
    if sought not in names or sought == names[-1]:
        return []
    required = names[names.index(sought) + 1]
    family = framework_family(application.framework)
    held = held_level(application.unit, family, names, exclude_campaign=application.campaign_id)
    if held and names.index(held) <= names.index(required):
        return []
    now = f"目前已获评{held}" if held else "尚未获评任何等级"
    return [f"申报{sought}须已获评{required}（{' → '.join(reversed(names))} 逐级申报），本单位{now}"]


def next_level(unit: Unit, family: str, level_names: list[str]) -> str:
    """The level the unit may apply for next in the framework family (the lowest when it holds
    none)."""
    held = held_level(unit, family, level_names)
    if not held:
        return level_names[-1] if level_names else ""
    index = level_names.index(held)
    return level_names[index - 1] if index > 0 else ""
