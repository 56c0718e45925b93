"""Cultivation pages (GET only): the organizer's overview of all projects with status and risk,
a project's progress across its evaluations with the actions open to the visitor, the plan
download, and a unit's level history (for the unit, its county and the organizer)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from campuseval.access.rules import is_project_organizer, is_project_unit, may_see_unit_history
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.campaigns.queries import organizer_campaigns
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Unit
from campuseval.reviews import ladder as levels

from .. import services
from ..models import Evaluation, Project
from ..queries import evaluation_steps, overview_projects, visible_projects

RISK_LABELS = {"high": gettext_lazy("高"), "medium": gettext_lazy("中"), "": gettext_lazy("无")}


@require()
@require_GET
def project_list(request: AuthenticatedRequest) -> HttpResponse:
    """All visible projects with status, latest score, next due evaluation and risk."""
    return list_page(request)


def list_page(
    request: AuthenticatedRequest, form: Mapping[str, Any] | None = None, status_code: int = 200
) -> HttpResponse:
    """The overview; `form` keeps what was typed into the create form after an error."""
    today = timezone.localdate()
    projects = list(overview_projects(request.user))
    counts = Counter(p.status for p in projects)
    rows = [(p, services.risk_of(p, today)) for p in projects]
    status = request.GET.get("status", "")
    risk = request.GET.get("risk", "")
    if status:
        rows = [(p, r) for p, r in rows if p.status == status]
    if risk:
        rows = [(p, r) for p, r in rows if r.level == risk]
    campaigns = organizer_campaigns(request.user).filter(results__status="final", results__selected=True).distinct()
    form = form if form is not None else {"start_date": today.isoformat()}
    return render(
        request,
        "cultivation/list.html",
        {
            "rows": rows,
            "counts": [(v, label, counts.get(v, 0)) for v, label in Project.Status.choices],
            "total": len(projects),
            "status": status,
            "risk": risk,
            "campaigns": campaigns,
            "form": form,
            "today": today,
        },
        status=status_code,
    )


@require()
@require_GET
def project_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A project's progress, evaluations and the actions open to the visitor."""
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    return detail_page(request, project)


def detail_page(
    request: AuthenticatedRequest, project: Project, errors: Sequence[str] = (), status_code: int = 200
) -> HttpResponse:
    """The project page; after a refused action, with its errors and what was typed kept."""
    leaves = framework_for(project.application.framework).leaves()
    today = timezone.localdate()
    sections, rows = services.progress(project)
    evaluations = list(project.evaluations.select_related("campaign", "sampled_school").order_by("due_date"))
    undecided = [e for e in evaluations if e.outcome == Evaluation.Outcome.PENDING]
    # the evaluation being run (its campaign opened), else the next one due
    pending = next((e for e in undecided if e.campaign_id), undecided[0] if undecided else None)
    district = project.unit.kind == Unit.Kind.COUNTY
    excluded = list(project.excluded_schools.select_related("school"))
    schools = (
        list(project.unit.subtree().units().filter(kind=Unit.Kind.SCHOOL).order_by("code"))
        if district
        else []
    )
    return render(
        request,
        "cultivation/detail.html",
        {
            "project": project,
            "sections": sections,
            "rows": rows,
            "errors": list(errors),
            "post": request.POST,
            "evaluations": evaluations,
            "pending": pending,
            "pending_result": services.evaluation_result(pending) if pending else None,
            "pending_steps": evaluation_steps(pending) if pending else "",
            "leaves": leaves,
            "overdue": services.overdue(project, today),
            "risk": services.risk_of(project, today),
            "district": district,
            "figures": services.district_figures(project) if district else None,
            "excluded": excluded,
            "schools": [s for s in schools if s.pk not in {e.school_id for e in excluded}],
            "is_organizer": is_project_organizer(request.user, project),
            "is_unit": is_project_unit(request.user, project),
            "today": today,
            "outcomes": [
                (v, label) for v, label in Evaluation.Outcome.choices if v in ("continue", "warning", "terminate")
            ],
        },
        status=status_code,
    )


@login_required
@require_GET
def plan_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The implementation plan, to the unit and those who may see its project."""
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    if not project.plan:
        raise Http404
    return FileResponse(project.plan.open("rb"), as_attachment=True, filename=project.plan_name or "实施方案")


@require()
@require_GET
def ladder(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A unit's level history across campaigns (合格 → 优秀 → 示范) and the level it may apply
    for next."""
    unit = get_object_or_404(Unit, pk=pk)
    if not may_see_unit_history(request.user, unit):
        raise Http404
    history = levels.level_history(unit)
    ladders = []
    seen: set[str] = set()
    for result in reversed(history):
        family = levels.framework_family(result.application.framework)
        fw = framework_for(result.application.framework)
        names = [lvl.name for lvl in fw.levels]
        if family in seen or not names:
            continue
        seen.add(family)
        held = levels.held_level(unit, family, names)
        ladders.append(
            {
                "family": fw.title,
                "steps": [(n, held and names.index(n) >= names.index(held)) for n in reversed(names)],
                "held": held,
                "next": levels.next_level(unit, family, names),
            }
        )
    return render(request, "cultivation/ladder.html", {"unit": unit, "history": history, "ladders": ladders})
