"""Cultivation pages: the organizer's view of all projects with status and risk, and a
project's progress across its evaluations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from campuseval.accounts.models import Membership, Role
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Unit
from campuseval.reviews.permissions import is_organizer_for
from campuseval.reviews.queries import organizer_campaigns

from . import services
from .models import Evaluation, Project


def _visible_projects(user: object):  # type: ignore[no-untyped-def]
    """Organizers see projects of their campaigns; a unit sees its own project."""
    own_units = Membership.objects.filter(user=user).values("unit_id")
    return Project.objects.filter(Q(selection__in=organizer_campaigns(user)) | Q(unit_id__in=own_units)).select_related(
        "unit", "selection"
    )


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    projects = _visible_projects(request.user).annotate(
        overdue=Count("evaluations", filter=Q(evaluations__outcome="pending", evaluations__due_date__lt=today))
    )
    campaigns = organizer_campaigns(request.user).filter(results__status="final", results__selected=True).distinct()
    if request.method == "POST":
        campaign = get_object_or_404(campaigns, pk=request.POST.get("campaign"))
        try:
            start = dt.date.fromisoformat(request.POST.get("start_date", ""))
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
    return render(request, "cultivation/list.html", {"projects": projects, "campaigns": campaigns, "today": today})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(_visible_projects(request.user), pk=pk)
    fw = framework_for(project.application.framework)
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "plan" and request.FILES.get("plan"):
                services.accept_plan(actor=request.user, project=project, plan=request.FILES["plan"])
            elif action == "terminate":
                services.terminate_project(actor=request.user, project=project, reason=request.POST.get("reason", ""))
            elif action == "exclude":
                school = get_object_or_404(Unit, pk=request.POST.get("school"), kind=Unit.Kind.SCHOOL)
                services.exclude_school(
                    actor=request.user, project=project, school=school, reason=request.POST.get("reason", "")
                )
            elif action == "evaluate":
                evaluation = get_object_or_404(project.evaluations, pk=request.POST.get("evaluation"))
                points = {}
                for leaf in fw.leaves():
                    raw = request.POST.get(f"p_{leaf.code}", "").strip()
                    if raw:
                        try:
                            points[leaf.code] = Decimal(raw)
                        except InvalidOperation:
                            raise ValidationError(f"{leaf.code} 的得分应为数字，收到「{raw}」") from None
                        if not Decimal(0) <= points[leaf.code] <= leaf.points:
                            raise ValidationError(f"{leaf.code} 的得分应在 0–{leaf.points} 分之间")
                sampled = request.POST.get("sampled_score", "").strip()
                services.record_evaluation(
                    actor=request.user,
                    evaluation=evaluation,
                    indicators=points,
                    outcome=request.POST.get("outcome", ""),
                    notes=request.POST.get("notes", ""),
                    sampled_score=Decimal(sampled) if sampled else None,
                )
            else:
                raise ValidationError(_("请选择操作"))
        except ValidationError as exc:
            errors = exc.messages
        except (PermissionDenied, InvalidOperation):
            raise Http404 from None
        else:
            messages.success(request, _("已保存"))
            return redirect("cultivation:detail", pk=pk)
    sections, rows = services.progress(project)
    pending = project.evaluations.filter(outcome=Evaluation.Outcome.PENDING).order_by("due_date").first()
    return render(
        request,
        "cultivation/detail.html",
        {
            "project": project,
            "sections": sections,
            "rows": rows,
            "errors": errors,
            "post": request.POST,
            "evaluations": project.evaluations.order_by("due_date"),
            "pending": pending,
            "leaves": fw.leaves(),
            "overdue": services.overdue(project),
            "figures": services.district_figures(project) if project.unit.kind == Unit.Kind.COUNTY else None,
            "schools": Unit.objects.filter(pk__in=project.unit.descendant_ids(), kind=Unit.Kind.SCHOOL)
            if project.unit.kind == Unit.Kind.COUNTY
            else [],
            "is_organizer": is_organizer_for(request.user, project.selection),
            "outcomes": [
                (v, label) for v, label in Evaluation.Outcome.choices if v in ("continue", "warning", "terminate")
            ],
        },
    )


@login_required
def ladder(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's level history across campaigns (合格 → 优秀 → 示范)."""
    units = set(Membership.objects.filter(user=request.user).values_list("unit_id", flat=True))
    unit = get_object_or_404(Unit, pk=pk)
    organizer_units = set(
        Membership.objects.filter(user=request.user, role=Role.ORGANIZER).values_list("unit_id", flat=True)
    )
    visible = unit.pk in units or any(a.pk in organizer_units for a in unit.ancestors())
    if not visible:
        raise Http404
    return render(request, "cultivation/ladder.html", {"unit": unit, "history": services.level_history(unit)})
