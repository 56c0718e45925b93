"""The figures dashboards and lists aggregate (total, level, per-indicator points per application
and basis), kept as rows beside the JSON they come from.

Why: charting a province from the stored JSON meant decoding 20,000 results in Python per page
(9–13 s, 3.3 GB). These rows let the database GROUP BY region instead. They are derived only:
the submitted version's `result` and the review `Result` stay the source of truth, and
`backfill_figures` rebuilds every row from them.

Written at the two moments a figure changes: a submission (`record_self`, latest submitted
version) and a review computation (`record_final`). `figures_stamp` changes whenever any
figure of a campaign changes, so a cache keyed by it can never serve a stale figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.db.models import Count, Max, OuterRef, Subquery

from .models import Application, ApplicationVersion, Basis, IndicatorFigure, ScoreFigure


class ReviewOutcome(Protocol):
    """What `record_final` reads of a review result (reviews.Result; duck-typed so this
    lower app does not import the reviews app)."""

    application_id: int
    final: Decimal
    level: str
    indicators: dict[str, Any]


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, dict):
        value = value.get("points")
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def self_points(result: Mapping[str, Any]) -> dict[str, Decimal]:
    """Points per leaf from a version's engine result, leaving out directions not chosen and
    unscored leaves (they count in no average)."""
    out = {}
    for code, item in ((result or {}).get("indicators") or {}).items():
        if not isinstance(item, dict) or item.get("status") == "not_chosen":
            continue
        points = _decimal(item.get("points"))
        if points is not None:
            out[str(code)[:40]] = points
    return out


def not_chosen(result: Mapping[str, Any]) -> set[str]:
    items = (result or {}).get("indicators") or {}
    return {str(c) for c, i in items.items() if isinstance(i, dict) and i.get("status") == "not_chosen"}


def final_points(indicators: Mapping[str, Any], skipped: set[str]) -> dict[str, Decimal]:
    """Points per leaf from a review result, leaving out the directions the school did not choose."""
    out = {}
    for code, value in (indicators or {}).items():
        points = _decimal(value)
        if points is not None and str(code) not in skipped:
            out[str(code)[:40]] = points
    return out


def _write(application: Application, basis: str, total: Decimal, level: str, points: Mapping[str, Decimal]) -> None:
    ScoreFigure.objects.update_or_create(
        application=application,
        basis=basis,
        defaults={
            "campaign_id": application.campaign_id,
            "unit_id": application.unit_id,
            "total": total,
            "level": (level or "")[:40],
        },
    )
    IndicatorFigure.objects.filter(application=application, basis=basis).delete()
    IndicatorFigure.objects.bulk_create(
        IndicatorFigure(
            application=application,
            campaign_id=application.campaign_id,
            unit_id=application.unit_id,
            basis=basis,
            code=code,
            points=value,
        )
        for code, value in points.items()
    )


def record_self(version: ApplicationVersion) -> None:
    """A submission: the self figures become those of this (the latest) version."""
    result = version.result or {}
    _write(version.application, Basis.SELF, version.total, result.get("level") or "", self_points(result))


def record_final(result: ReviewOutcome) -> None:
    """A computed review result: its final score, level and per-indicator points."""
    application = Application.objects.only("pk", "campaign_id", "unit_id").get(pk=result.application_id)
    latest = (
        ApplicationVersion.objects.filter(application_id=result.application_id)
        .order_by("-number")
        .values_list("result", flat=True)
        .first()
    )
    points = final_points(result.indicators or {}, not_chosen(latest or {}))
    _write(application, Basis.FINAL, result.final, result.level or "", points)


#: results whose figures `record_finals` writes at a time: each needs its latest version's
#: stored result (tens of KB of JSON decoded) for the chosen directions
FINALS_CHUNK = 250


def record_finals(results: Sequence[ReviewOutcome]) -> None:
    """Many computed results at once (a campaign's `compute_results`): per chunk of
    FINALS_CHUNK results, the applications and their latest versions' chosen directions read in
    two queries, the old rows deleted and the new ones inserted in batches. Per result it cost
    five queries, ten thousand for a province's two thousand finalists; all at once, the
    versions' decoded results alone took over a gigabyte."""
    for start in range(0, len(results), FINALS_CHUNK):
        _record_finals_chunk(results[start : start + FINALS_CHUNK])


def _record_finals_chunk(results: Sequence[ReviewOutcome]) -> None:
    if not results:
        return
    ids = [r.application_id for r in results]
    applications = Application.objects.only("pk", "campaign_id", "unit_id").in_bulk(ids)
    latest_number = (
        ApplicationVersion.objects.filter(application=OuterRef("application")).order_by("-number").values("number")[:1]
    )
    latest = dict(
        ApplicationVersion.objects.filter(application_id__in=ids, number=Subquery(latest_number)).values_list(
            "application_id", "result"
        )
    )
    scores: list[ScoreFigure] = []
    points: list[IndicatorFigure] = []
    for outcome in results:
        app = applications[outcome.application_id]
        scores.append(
            ScoreFigure(
                application_id=app.pk,
                campaign_id=app.campaign_id,
                unit_id=app.unit_id,
                basis=Basis.FINAL,
                total=outcome.final,
                level=(outcome.level or "")[:40],
            )
        )
        skipped = not_chosen(latest.pop(app.pk, None) or {})
        points.extend(
            IndicatorFigure(
                application_id=app.pk,
                campaign_id=app.campaign_id,
                unit_id=app.unit_id,
                basis=Basis.FINAL,
                code=code,
                points=value,
            )
            for code, value in final_points(outcome.indicators or {}, skipped).items()
        )
    ScoreFigure.objects.filter(application_id__in=ids, basis=Basis.FINAL).delete()
    IndicatorFigure.objects.filter(application_id__in=ids, basis=Basis.FINAL).delete()
    ScoreFigure.objects.bulk_create(scores, batch_size=500)
    IndicatorFigure.objects.bulk_create(points, batch_size=500)


def backfill(versions: Iterable[ApplicationVersion], results: Iterable[ReviewOutcome]) -> int:
    """Rebuilds figures from the given latest versions and results (the backfill command);
    returns how many applications were written."""
    done = 0
    for version in versions:
        record_self(version)
        done += 1
    for outcome in results:
        record_final(outcome)
        done += 1
    return done


def figures_stamp(campaign_id: int) -> str:
    """Changes whenever a figure of the campaign is written or removed (latest write time and
    row count, one indexed query): the version part of every dashboard cache key. Read from
    the database, so every server process agrees without a shared cache."""
    row = ScoreFigure.objects.filter(campaign_id=campaign_id).aggregate(at=Max("updated_at"), n=Count("pk"))
    at = row["at"].isoformat() if row["at"] else "-"
    return f"{at}:{row['n']}"
