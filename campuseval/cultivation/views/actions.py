"""Every POST action on cultivation, one small view each: its form checks the input (Chinese
messages naming the field), the service decides, and a refusal shows the page again with what
was typed. Organizer actions: create projects, accept or return a plan, open, conclude or
record an evaluation, terminate, leave a closed school out. Unit action: submit the plan."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from campuseval.access.rules import is_organizer, is_project_organizer, is_project_unit
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.campaigns.queries import organizer_campaigns
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Unit

from .. import forms, services
from ..models import Project
from ..queries import visible_projects
from .pages import detail_page, list_page

Run = Callable[[forms.ActionForm], str]


def _schools(project: Project) -> QuerySet[Unit]:
    return project.unit.subtree().units().filter(kind=Unit.Kind.SCHOOL).order_by("code")


def _project(request: AuthenticatedRequest, pk: int) -> Project:
    return get_object_or_404(visible_projects(request.user), pk=pk)


def _organized_project(request: AuthenticatedRequest, pk: int) -> Project:
    """A project the user decides on as organizer; anyone else (the unit itself, its county)
    gets 404 before any input is read."""
    project = _project(request, pk)
    if not is_project_organizer(request.user, project):
        raise Http404
    return project


def _perform(request: AuthenticatedRequest, project: Project, form: forms.ActionForm, run: Run) -> HttpResponse:
    """Validate, run the service, and go back to the project (or show it again with errors)."""
    if not form.is_valid():
        return detail_page(request, project, form.error_lines(), status_code=400)
    try:
        done = run(form)
    except ValidationError as exc:
        return detail_page(request, project, exc.messages, status_code=400)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, done)
    return redirect("cultivation:detail", pk=project.pk)


@require(is_organizer)
@require_POST
def create_projects(request: AuthenticatedRequest) -> HttpResponse:
    """Organizer: a project for every unit on a campaign's final list."""
    campaigns = organizer_campaigns(request.user).filter(results__status="final", results__selected=True).distinct()
    form = forms.CreateProjectsForm(request.POST, campaigns=campaigns)
    kept = {"start_date": request.POST.get("start_date", ""), "campaign": request.POST.get("campaign", "")}
    if not form.is_valid():
        for line in form.error_lines():
            messages.error(request, line)
        return list_page(request, kept, status_code=400)
    try:
        created = services.create_projects(
            actor=request.user, selection=form.cleaned_data["campaign"], start_date=form.cleaned_data["start_date"]
        )
    except ValidationError as exc:
        for line in exc.messages:
            messages.error(request, line)
        return list_page(request, kept, status_code=400)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, gettext("已创建 %(n)s 个培育项目") % {"n": len(created)})
    return redirect("cultivation:list")


@require()
@require_POST
def submit_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Unit: upload the implementation plan."""
    project = _project(request, pk)
    if not is_project_unit(request.user, project):
        raise Http404
    form = forms.PlanForm(request.POST, request.FILES)

    def run(f: forms.ActionForm) -> str:
        services.submit_plan(actor=request.user, project=project, plan=f.cleaned_data["plan"])
        return "实施方案已提交，等待受理"

    return _perform(request, project, form, run)


@require()
@require_POST
def accept_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Organizer: accept the plan (a paper plan may be uploaded here); construction starts."""
    project = _organized_project(request, pk)

    def run(f: forms.ActionForm) -> str:
        services.accept_plan(actor=request.user, project=project, plan=f.cleaned_data.get("plan"))
        return "实施方案已受理，培育建设开始"

    return _perform(request, project, forms.AcceptPlanForm(request.POST, request.FILES), run)


@require()
@require_POST
def return_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Organizer: send the plan back with what to change."""
    project = _organized_project(request, pk)

    def run(f: forms.ActionForm) -> str:
        services.return_plan(actor=request.user, project=project, reason=f.cleaned_data["reason"])
        return "实施方案已退回"

    return _perform(request, project, forms.ReturnPlanForm(request.POST), run)


@require()
@require_POST
def open_evaluation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Organizer: open an evaluation as a campaign of its own."""
    project = _organized_project(request, pk)
    form = forms.OpenEvaluationForm(request.POST, evaluations=project.evaluations.all())

    def run(f: forms.ActionForm) -> str:
        data = f.cleaned_data
        campaign = services.open_evaluation(
            actor=request.user,
            evaluation=data["evaluation"],
            deadline=data["deadline"],
            county_list=data["county_list"],
            publicity=data["publicity"],
            site_weight=data["site_weight"] or Decimal(0),
        )
        return f"已开启评估活动《{campaign.name}》：{services.steps_text(campaign.review_settings)}"

    return _perform(request, project, form, run)


@require()
@require_POST
def conclude_evaluation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Organizer: decide an evaluation on its campaign's aggregated expert result."""
    project = _organized_project(request, pk)
    form = forms.ConcludeForm(request.POST, evaluations=project.evaluations.all(), schools=_schools(project))

    def run(f: forms.ActionForm) -> str:
        services.conclude_evaluation(
            actor=request.user,
            evaluation=f.cleaned_data["evaluation"],
            outcome=f.cleaned_data["outcome"],
            notes=f.cleaned_data["notes"],
            sampled_school=f.cleaned_data.get("sampled_school"),
        )
        return "已按专家评审结果作出结论"

    return _perform(request, project, form, run)


@require()
@require_POST
def record_evaluation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Organizer: record an offline review's indicator points and the outcome."""
    project = _organized_project(request, pk)
    form = forms.EvaluateForm(
        request.POST,
        leaves=framework_for(project.application.framework).leaves(),
        evaluations=project.evaluations.all(),
        schools=_schools(project),
    )

    def run(f: forms.ActionForm) -> str:
        assert isinstance(f, forms.EvaluateForm)
        services.record_evaluation(
            actor=request.user,
            evaluation=f.cleaned_data["evaluation"],
            indicators=f.indicators(),
            outcome=f.cleaned_data["outcome"],
            notes=f.cleaned_data["notes"],
            sampled_school=f.cleaned_data.get("sampled_school"),
            sampled_score=f.cleaned_data.get("sampled_score"),
        )
        return "评估结果已保存"

    return _perform(request, project, form, run)


@require()
@require_POST
def terminate_project(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Organizer: terminate the project at once, with the reason."""
    project = _organized_project(request, pk)

    def run(f: forms.ActionForm) -> str:
        services.terminate_project(actor=request.user, project=project, reason=f.cleaned_data["reason"])
        return "项目已终止"

    return _perform(request, project, forms.ReasonForm(request.POST), run)


@require()
@require_POST
def exclude_school(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Organizer (district project): leave a closed school out of the statistics."""
    project = _organized_project(request, pk)
    form = forms.ExcludeSchoolForm(request.POST, schools=_schools(project))

    def run(f: forms.ActionForm) -> str:
        services.exclude_school(
            actor=request.user, project=project, school=f.cleaned_data["school"], reason=f.cleaned_data["reason"]
        )
        return "已标记，区域统计已重新计算"

    return _perform(request, project, form, run)
