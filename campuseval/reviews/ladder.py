"""Taizhou's ladder, 合格 → 优秀 → 示范 across campaigns: which level a unit holds, read from
its final results, what its declared 申报类型 means, and (only where a campaign asks for it) a
prerequisite on the declaration. Applications ask it through the submission check registered in
`ReviewsConfig.ready`.

Decisions, from the Taizhou 2022 notice (the seed) and recorded in the README as well:

* **No prerequisite by default.** The notice encourages climbing — "积极推动已获评合格型的学校争创
  优秀型，优秀型的学校争创示范型" — but sets no condition on what a school may declare, and its own
  first-year targets ("2022年全市中小学校95 %以上的达市合格型智慧校园，20%以上的达市优秀型智慧校园，
  10%以上的达市示范型智慧校园") are out of reach if a first-year school may only declare 合格型. The
  step-by-step rule is therefore a campaign review option (`ReviewSettings.level_prerequisite`),
  off unless an organizer turns it on; off for Taizhou 2022.
* **The awarded level is what the score and the marks reach, not capped by the declaration.**
  The annex ties the level to the total and the marks alone: "总分达90分及以上可评为示范型智慧校园，
  总分达80分及以上可评为优秀型智慧校园，总分达70分及以上学校可评为合格型智慧校园" and "标记▲的指标
  为创建示范学校应达到的要求"; the declaration (附件2 "申报类型 □示范型 □优秀型 □合格型", 附件4
  "申报类型（示范\\优秀\\合格）") is a column of the form and of the county's list, and no sentence
  makes it a ceiling or a floor. A school declaring 合格型 whose experts' score reaches 90 with
  every ★ and ▲ met is 示范型; one declaring 示范型 that reaches 82 is 优秀型. The submission warns
  (never refuses) when the declaration and the level the self-score reaches differ.
* **A held level carries over** from earlier campaigns of the same framework family until a later
  final result replaces it (the latest final result counts, higher or lower), so "到2024年实现全市
  中小学校100%达市合格型" can be watched across years. An application the county did not recommend
  (不予推荐) or a project terminated (终止) never counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from campuseval.applications.models import Application
from campuseval.applications.services import score_application
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import InvalidAnswers, ScoreResult
from campuseval.engine.levels import level_gap
from campuseval.engine.numbers import fmt
from campuseval.orgs.models import Unit

from .models import Result, ReviewSettings

#: statuses whose results never count as a level held: not recommended by the county (不予推荐)
#: and terminated (终止, a cultivation project stopped)
NEVER_COUNTS: tuple[str, ...] = (Application.Status.REJECTED, Application.Status.TERMINATED)


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


@dataclass(frozen=True)
class Held:
    """What a unit holds from its latest counted final result of a family: the level ("" when
    that result reached none) and whether it was selected (入选, for frameworks without levels)."""

    level: str
    selected: bool
    campaign_id: int
    year: int


def counted_final_results(family: str, *, before: Campaign | None = None) -> QuerySet[Result]:
    """The final results that can make a level held: campaigns of the framework family, the
    application neither not recommended nor terminated; with `before`, only campaigns earlier
    than that one (an earlier year, or the same year and created before it). The dashboards
    narrow it to one unit in a subquery, `held_results` to a set of units."""
    rows = Result.objects.filter(status=Result.Status.FINAL, application__framework__family=family).exclude(
        application__status__in=NEVER_COUNTS
    )
    if before is not None:
        rows = rows.filter(campaign__year__lte=before.year).exclude(
            campaign__year=before.year, campaign_id__gte=before.pk
        )
    return rows


def held_results(
    units: Iterable[int] | QuerySet[Any],
    family: str,
    *,
    before: Campaign | None = None,
    exclude_campaign: int | None = None,
) -> dict[int, Held]:
    """Per unit, its latest final result in campaigns of the family (latest by campaign year, then
    creation): a later result replaces an earlier one, higher or lower. `before` keeps only
    campaigns earlier than that one (what a unit held when it opened); results of applications
    not recommended or terminated are left out. `units` may be ids or an id subquery (a
    province's schools never travel as a list): one query."""
    rows = counted_final_results(family, before=before).filter(application__unit_id__in=units)
    if exclude_campaign is not None:
        rows = rows.exclude(campaign_id=exclude_campaign)
    out: dict[int, Held] = {}
    ordered = rows.order_by("campaign__year", "campaign_id").values_list(
        "application__unit_id", "level", "selected", "campaign_id", "campaign__year"
    )
    for unit_id, level, selected, campaign_id, year in ordered:
        out[unit_id] = Held(level or "", bool(selected), campaign_id, year)
    return out


def attained_levels(unit_ids: Iterable[int], family: str, level_names: list[str]) -> dict[int, str]:
    """The level each unit holds in the framework family (its latest counted final result), for
    the units that hold one of `level_names`."""
    return {pk: h.level for pk, h in held_results(unit_ids, family).items() if h.level in level_names}


def held_level(unit: Unit, family: str, level_names: list[str], *, exclude_campaign: int | None = None) -> str:
    """The level the unit holds in the framework family, or "" (leaving out the campaign being
    applied to)."""
    held = held_results([unit.pk], family, exclude_campaign=exclude_campaign).get(unit.pk)
    return held.level if held is not None and held.level in level_names else ""


def requires_prerequisite(campaign_id: int) -> bool:
    """Whether the campaign asks for the step-by-step 申报类型 (off unless its organizer set it)."""
    return ReviewSettings.objects.filter(campaign_id=campaign_id, level_prerequisite=True).exists()


def ladder_problems(application: Application) -> list[str]:
    """Where the campaign asks for it (`ReviewSettings.level_prerequisite`), a school applies
    level by level — 合格 first, then 优秀, then 示范: applying for a level needs the level just
    below it already held from an earlier campaign. Without the option, nothing (the seed sets no
    prerequisite, see the module's docstring)."""
    sought = str((application.form_data or {}).get("level_sought") or "")
    if not sought:
        return []
    names = [lvl.name for lvl in framework_for(application.framework).levels]
    if sought not in names or sought == names[-1]:
        return []
    if not requires_prerequisite(application.campaign_id):
        return []
    required = names[names.index(sought) + 1]
    family = framework_family(application.framework)
    held = held_level(application.unit, family, names, exclude_campaign=application.campaign_id)
    if held and names.index(held) <= names.index(required):
        return []
    now = gettext("目前已获评%(level)s") % {"level": held} if held else gettext("尚未获评任何等级")
    return [
        gettext("申报%(sought)s须已获评%(required)s（%(ladder)s 逐级申报），本单位%(now)s")
        % {"sought": sought, "required": required, "ladder": " → ".join(reversed(names)), "now": now}
    ]


def declared_type_warnings(application: Application, result: ScoreResult | None = None) -> list[str]:
    """A warning, never a refusal: the declared 申报类型 and the level the current self-score
    reaches differ. The awarded level follows the experts' score and marks whatever was declared
    (module docstring), so the school is told before it submits."""
    sought = str((application.form_data or {}).get("level_sought") or "")
    fw = framework_for(application.framework)
    levels = {lvl.name: lvl for lvl in fw.levels}
    if sought not in levels:
        return []
    if result is None:
        try:
            result = score_application(application)
        except InvalidAnswers:
            return []  # answers that do not parse are the submission's own problem
    reached = result.level or ""
    if reached == sought:
        return []
    gap, missing = level_gap(levels[sought].min_total, result, levels[sought].on, levels[sought].requires)
    short = []
    if gap > 0:
        short.append(gettext("还差 %(gap)s 分") % {"gap": fmt(gap)})
    if missing:
        more = gettext(" 等") if len(missing) > 1 else ""
        short.append(
            gettext("%(n)s 项要求未达到（%(first)s%(more)s）")
            % {"n": len(missing), "first": missing[0].describe(), "more": more}
        )
    now = gettext("达到的是%(level)s") % {"level": reached} if reached else gettext("尚未达到任何等级")
    why = ""
    if short and not _above(reached, sought, fw.levels):
        why = gettext("，距%(sought)s%(short)s") % {"sought": sought, "short": gettext("，").join(short)}
    return [
        gettext(
            "申报类型为%(sought)s，按当前自评（总分 %(total)s 分）%(now)s%(why)s。"
            "评估认定的等级以专家评审的得分和★、▲要求为准，不以申报类型为限；如申报类型填写有误，请在申报书中修改"
        )
        % {"sought": sought, "total": fmt(result.total), "now": now, "why": why}
    ]


def _above(reached: str, sought: str, levels: tuple[Any, ...]) -> bool:
    names = [lvl.name for lvl in levels]
    return bool(reached) and names.index(reached) < names.index(sought)


def next_level(unit: Unit, family: str, level_names: list[str]) -> str:
    """The level above the one the unit holds in the framework family (the lowest when it holds
    none): what the ladder page encourages next ("争创")."""
    held = held_level(unit, family, level_names)
    if not held:
        return level_names[-1] if level_names else ""
    index = level_names.index(held)
    return level_names[index - 1] if index > 0 else ""
