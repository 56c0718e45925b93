"""Cultivation pages: the organizer's view of all projects with status and risk, a project's
progress across its evaluations with the actions on it, and a unit's level history."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from campuseval.access.rules import is_project_organizer, is_project_unit, may_see_unit_history
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Unit
from campuseval.reviews import ladder as levels
from campuseval.reviews.queries import organizer_campaigns

from . import services
from .models import Evaluation, Project
from .queries import overview_projects, visible_projects

RISK_LABELS = {"high": _("高"), "medium": _("中"), "": _("无")}


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """All visible projects with status, latest score, next due evaluation and risk."""
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
    form = {"start_date": today.isoformat()}
    if request.method == "POST":
        form = {"start_date": request.POST.get("start_date", ""), "campaign": request.POST.get("campaign", "")}
        campaign = get_object_or_404(campaigns, pk=request.POST.get("campaign"))
        try:
            start = dt.date.fromisoformat(form["start_date"])
            created = services.create_projects(actor=request.user, selection=campaign, start_date=start)
        except ValueError:
            messages.error(request, _("请填写开始日期（如 2024-01-01）"))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("已创建 %(n)d 个培育项目") % {"n": len(created)})
            return redirect("cultivation:list")
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
    )


def _points(request: HttpRequest, leaves: list[Any]) -> dict[str, Decimal]:
    points = {}
    for leaf in leaves:
        raw = request.POST.get(f"p_{leaf.code}", "").strip()
        if not raw:
            continue
        try:
            points[leaf.code] = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(f"{leaf.code} 的得分应为数字，收到「{raw}」") from None
        if not points[leaf.code].is_finite() or not Decimal(0) <= points[leaf.code] <= leaf.points:
            raise ValidationError(f"{leaf.code} 的得分应在 0–{leaf.points} 分之间")
    return points


def _district_school(project: Project, raw: str | None) -> Unit | None:
    if not raw:
        return None
    return get_object_or_404(Unit, pk=raw, kind=Unit.Kind.SCHOOL, pk__in=project.unit.descendant_ids())


def _act(request: HttpRequest, project: Project, leaves: list[Any]) -> str:
    """Run the posted action through the services; returns the success message."""
    post, action = request.POST, request.POST.get("action")
    user = request.user
    evaluation = None
    if post.get("evaluation"):
        evaluation = get_object_or_404(project.evaluations, pk=post.get("evaluation"))
    if action == "submit_plan":
        if not request.FILES.get("plan"):
            raise ValidationError(_("请选择实施方案文件"))
        services.submit_plan(actor=user, project=project, plan=request.FILES["plan"])
        return _("实施方案已提交，等待受理")
    if action == "accept_plan":
        services.accept_plan(actor=user, project=project, plan=request.FILES.get("plan"))
        return _("实施方案已受理，培育建设开始")
    if action == "return_plan":
        services.return_plan(actor=user, project=project, reason=post.get("reason", ""))
        return _("实施方案已退回")
    if action == "open" and evaluation is not None:
        try:
            deadline = dt.date.fromisoformat(post.get("deadline", ""))
        except ValueError:
            raise ValidationError(_("请填写提交截止日期（如 2025-01-01）")) from None
        campaign = services.open_evaluation(actor=user, evaluation=evaluation, deadline=deadline)
        return _("已开启评估活动《%(name)s》") % {"name": campaign.name}
    if action == "conclude" and evaluation is not None:
        services.conclude_evaluation(
            actor=user,
            evaluation=evaluation,
            outcome=post.get("outcome", ""),
            notes=post.get("notes", ""),
            sampled_school=_district_school(project, post.get("sampled_school")),
        )
        return _("已按专家评审结果作出结论")
    if action == "evaluate" and evaluation is not None:
        sampled = post.get("sampled_score", "").strip()
        try:
            sampled_score = Decimal(sampled) if sampled else None
        except InvalidOperation:
            raise ValidationError(f"抽检学校得分应为数字，收到「{sampled}」") from None
        services.record_evaluation(
            actor=user,
            evaluation=evaluation,
            indicators=_points(request, leaves),
            outcome=post.get("outcome", ""),
            notes=post.get("notes", ""),
            sampled_school=_district_school(project, post.get("sampled_school")),
            sampled_score=sampled_score,
        )
        return _("评估结果已保存")
    if action == "terminate":
        services.terminate_project(actor=user, project=project, reason=post.get("reason", ""))
        return _("项目已终止")
    if action == "exclude":
        school = _district_school(project, post.get("school"))
        if school is None:
            raise ValidationError(_("请选择学校"))
        services.exclude_school(actor=user, project=project, school=school, reason=post.get("reason", ""))
        return _("已标记，区域统计已重新计算")
    raise ValidationError(_("请选择操作"))


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    fw = framework_for(project.application.framework)
    leaves = fw.leaves()
    errors: list[str] = []
    if request.method == "POST":
        try:
            done = _act(request, project, leaves)
        except ValidationError as exc:
            errors = exc.messages
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, done)
            return redirect("cultivation:detail", pk=pk)
    today = timezone.localdate()
    sections, rows = services.progress(project)
    evaluations = list(project.evaluations.select_related("campaign", "sampled_school").order_by("due_date"))
    undecided = [e for e in evaluations if e.outcome == Evaluation.Outcome.PENDING]
    # the evaluation being run (its campaign opened), else the next one due
    pending = next((e for e in undecided if e.campaign_id), undecided[0] if undecided else None)
    district = project.unit.kind == Unit.Kind.COUNTY
    excluded = list(project.excluded_schools.select_related("school"))
    schools = (
        list(Unit.objects.filter(pk__in=project.unit.descendant_ids(), kind=Unit.Kind.SCHOOL).order_by("code"))
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
            "errors": errors,
            "post": request.POST,
            "evaluations": evaluations,
            "pending": pending,
            "pending_result": services.evaluation_result(pending) if pending else None,
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
    )


@login_required
def plan_download(request: HttpRequest, pk: int) -> FileResponse:
    """The implementation plan, to the unit and those who may see its project."""
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    if not project.plan:
        raise Http404
    return FileResponse(project.plan.open("rb"), as_attachment=True, filename=project.plan_name or "实施方案")


@login_required
def ladder(request: HttpRequest, pk: int) -> HttpResponse:
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
