"""Results, ranking and levels."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from campuseval.access.rules import is_organizer_for
from campuseval.accounts.models import User
from campuseval.applications.figures import record_finals
from campuseval.applications.models import Application
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Unit

from .. import aggregation
from ..models import (
    Assignment,
    Panel,
    Publication,
    Result,
    ReviewSettings,
)
from ..queries import current_publication, finalists

# --- results, ranking, levels ----------------------------------------------------------------


def _sheets(assignments: Iterable[Assignment]) -> list[aggregation.ExpertSheet]:
    sheets = []
    for a in assignments:
        indicators = {code: Decimal(data["points"]) for code, data in a.result.get("indicators", {}).items()}
        sheets.append(
            aggregation.ExpertSheet(expert=str(a.expert_id), total=a.total or Decimal(0), indicators=indicators)
        )
    return sheets


def _requirements_met(
    application: Application, indicators: Mapping[str, Decimal], kinds: Iterable[str], sheets: Sequence[Assignment]
) -> list[str]:
    """Requirement marks (★/▲/必要条件) not met by the aggregated indicator points; marks that
    hang on a yes/no input count as met when most experts' sheets say yes."""
    fw = framework_for(application.framework)
    wanted = set(kinds)
    unmet = []
    for node in fw.walk():
        if node.code not in indicators:
            continue
        for mark in node.marks:
            if mark.kind not in wanted:
                continue
            points = indicators[node.code]
            if mark.met == "full":
                ok = points >= node.points
            elif mark.met == "any":
                ok = points > 0
            elif mark.met == "min_points":
                ok = points >= mark.min_points
            else:
                yes = sum(
                    1
                    for s in sheets
                    if (s.answers.get("answers", {}).get(node.code, {}) or {}).get(mark.input) in (True, "true", "是")
                )
                ok = yes * 2 > len(sheets)
            if not ok:
                unmet.append(f"{node.code} {mark.label or node.title}")
    return unmet


#: the fields a computation writes on a result (the organizer's override and its reasons stay)
COMPUTED_FIELDS = [
    "campaign",
    "materials",
    "site",
    "final",
    "indicators",
    "method",
    "divergent",
    "spread",
    "level",
    "note",
    "status",
    "kind",
    "rank",
    "selected",
    "computed_at",
]


#: finalists read at a time by `recompute_results`: with their submitted sheets (each
#: carrying an expert's answers and points) two thousand at once took 1.5 GB
FINALIST_BATCH = 200


def _finalists_in_batches(campaign: Campaign) -> Iterator[tuple[Application, list[Assignment], Result | None]]:
    """Every finalist in the list's order, with its submitted sheets and current result, read
    FINALIST_BATCH finalists at a time (three queries a batch): memory stays that of one batch
    whatever the size of the province. The stored result and narratives are left unread (the
    computation reads the answers' declarations only), the framework's YAML too
    (`framework_for` caches the parsed framework by hash)."""
    ids = list(finalists(campaign).values_list("pk", flat=True))
    for start in range(0, len(ids), FINALIST_BATCH):
        part = ids[start : start + FINALIST_BATCH]
        apps = (
            finalists(campaign)
            .filter(pk__in=part)
            .defer("framework__source_yaml", "result", "narratives", "form_data")
            .in_bulk()
        )
        sheets_of: dict[int, list[Assignment]] = {}
        for sheet in (
            Assignment.objects.filter(application_id__in=part, status=Assignment.Status.SUBMITTED)
            .select_related("panel")
            .order_by("pk")
        ):
            sheets_of.setdefault(sheet.application_id, []).append(sheet)
        existing = {r.application_id: r for r in Result.objects.filter(application_id__in=part)}
        for pk in part:
            yield apps[pk], sheets_of.get(pk, []), existing.get(pk)


def _store(results: Sequence[Result]) -> None:
    """Write the computed results: the new ones in bulk inserts (a few queries for two thousand
    finalists), the others one UPDATE each. Not `bulk_update`: it builds a CASE per field over
    its rows, and for 2,000 results it cost 14 s of CPU where plain updates cost about one."""
    now = timezone.now()
    for result in results:
        result.computed_at = now
    fresh = [r for r in results if r.pk is None]
    known = [r for r in results if r.pk is not None]
    Result.objects.bulk_create(fresh, batch_size=500)
    for result in known:
        Result.objects.filter(pk=result.pk).update(**{name: getattr(result, name) for name in COMPUTED_FIELDS})


@transaction.atomic
def compute_results(
    *,
    actor: User,
    campaign: Campaign,
    ip: str | None = None,
) -> list[Result]:
    """Aggregate every recommended application's submitted sheets by the campaign's method,
    flag divergence, decide eligibility and level from the framework, rank with the tie rule
    and the rural reservation, and store proposed results. Once a list is published the
    results move only through a 复议, which recomputes them itself."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    publication = current_publication(campaign)
    if publication is not None and publication.status == Publication.Status.FINAL:
        raise ValidationError("最终名单已发布，不能重新计算")
    if publication is not None:
        raise ValidationError("已发布公示，结果变更须通过复议，完成复议后重新公示")
    return recompute_results(actor=actor, campaign=campaign, ip=ip)


def recompute_results(
    *,
    actor: User,
    campaign: Campaign,
    ip: str | None = None,
) -> list[Result]:
    """The computation itself; the caller holds the campaign lock and has decided it may run
    (before publication, or closing a 复议). The finalists' submitted sheets and current
    results are read once and the results written in bulk, so the query count does not grow
    with the finalists (the dashboards' figures too, `record_finals`, in batches)."""
    conf, _ = ReviewSettings.objects.get_or_create(campaign=campaign)
    agg_settings = aggregation.Settings(
        method=conf.method,
        level=conf.level,
        site_weight=conf.site_weight,
        divergence_total=conf.divergence_total,
        divergence_indicator=conf.divergence_indicator,
    )
    results: list[Result] = []
    candidates: dict[str, list[aggregation.Candidate]] = {"school": [], "district": []}
    problems: list[str] = []
    for application, submitted, current in _finalists_in_batches(campaign):
        materials = [a for a in submitted if a.panel.kind == Panel.Kind.MATERIALS]
        site = [a for a in submitted if a.panel.kind == Panel.Kind.SITE]
        if not materials:
            problems.append(f"{application.unit.name}：尚无专家提交评分")
            continue
        try:
            agg = aggregation.aggregate(_sheets(materials), agg_settings, _sheets(site))
        except ValueError as exc:
            problems.append(f"{application.unit.name}：{exc}")
            continue
        fw = framework_for(application.framework)
        reasons = []
        declared = (application.answers or {}).get("declarations", {}) or {}
        if fw.eligibility:
            for exclusion in fw.eligibility.exclusions:
                if declared.get(exclusion.key) is not False:
                    reasons.append(f"否决情形：{exclusion.label}")
            if fw.eligibility.necessary:
                reasons += [
                    f"必要条件未满足：{m}"
                    for m in _requirements_met(application, agg.indicators, ["necessary"], materials)
                ]
        level = ""
        if not reasons:
            for lvl in fw.levels:
                if agg.score >= lvl.min_total and not _requirements_met(
                    application, agg.indicators, lvl.requires, materials
                ):
                    level = lvl.name
                    break
        # by id: a result holding its application would keep every finalist's rows alive
        result = current or Result(application_id=application.pk)
        result.campaign = campaign
        result.materials = agg.materials
        result.site = agg.site
        result.final = agg.score
        result.indicators = {k: str(v) for k, v in agg.indicators.items()}
        result.method = agg.method
        result.divergent = agg.divergent
        result.spread = {
            "total": str(agg.spread_total),
            "indicators": {k: str(v) for k, v in agg.spread_indicators.items()},
        }
        result.level = level
        result.note = "；".join(reasons)[:200]
        result.status = Result.Status.PROPOSED
        result.kind = "district" if application.unit.kind == Unit.Kind.COUNTY else "school"
        results.append(result)
        candidates[result.kind].append(
            aggregation.Candidate(
                key=str(application.pk),
                name=application.unit.name,
                score=agg.score,
                rural=application.unit.area == Unit.Area.RURAL,
                eligible=not reasons,
                tiebreak=(agg.materials, application.self_total),
                code=application.unit.code,
            )
        )
    by_pk = {str(r.application_id): r for r in results}
    rules = []
    for kind, cands in candidates.items():
        if not cands:
            continue
        places = campaign.places_districts if kind == "district" else campaign.places_schools
        ranked, rule = aggregation.rank(
            cands,
            places=places,
            rural_places=conf.rural_places if kind == "school" else 0,
            rural_share=conf.rural_share if kind == "school" else None,
        )
        rules.append(rule)
        for item in ranked:
            res = by_pk[item.candidate.key]
            res.rank = item.rank
            res.spread = {**res.spread, "computed_selected": item.selected}
            res.selected = item.selected if res.selection_override is None else res.selection_override
            if item.note:
                res.note = (f"{res.note}；{item.note}" if res.note else item.note)[:200]
            if res.selection_override is not None:
                verdict = "入选" if res.selection_override else "未入选"
                res.note = (f"{res.note}；组织单位调整为{verdict}" if res.note else f"组织单位调整为{verdict}")[:200]
    _store(results)
    record_finals(results)  # the dashboards' queryable figures (derived from these results)
    record(
        actor=actor,
        action="results.compute",
        obj=campaign,
        ip=ip,
        summary=f"计算评审结果 {len(results)} 个",
        after={"problems": problems, "rules": rules},
        campaign_id=campaign.pk,
    )
    if problems:
        raise ValidationError(problems)
    return results
