"""The organizer's pages: the review desk of one campaign (one GET page and one small POST view
per action), the expert pool and the audit log. Exports are the reports app's (`reports:export`)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from campuseval.access.rules import Actor, organizer_scope
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.accounts.models import User
from campuseval.applications import drafts
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.audit.services import client_ip
from campuseval.campaigns.models import Campaign
from campuseval.engine.text import clean_search, id_param
from campuseval.listing import Sort, paginate
from campuseval.orgs.models import Subtree, Unit

from .. import queries, services, tasks
from ..forms import (
    AnswerForm,
    AssignForm,
    BatchAssignForm,
    CloseReconsiderationForm,
    ConfirmForm,
    ConflictForm,
    DeskForm,
    DivergenceForm,
    ExpertAddForm,
    ExpertUpdateForm,
    OverrideForm,
    PanelActionForm,
    PanelForm,
    PanelMembersForm,
    PublishForm,
    ReasonForm,
    ReconsiderationForm,
    ReviewForm,
    ReviewSettingsForm,
    UnlockForm,
)
from ..models import (
    Assignment,
    Conflict,
    Expert,
    Operation,
    Publication,
    Reconsideration,
    Result,
    ReviewSettings,
)
from .common import actor, organizer_campaign, show_errors, unit_by_code

#: what a desk action does with the valid form's data; returns warnings to show
Run = Callable[[Campaign, dict[str, Any], User, str | None], list[str]]


def _is_organizer(user: Actor) -> bool:
    return bool(organizer_scope(user))


def _pool(request: AuthenticatedRequest) -> QuerySet[Expert]:
    return queries.expert_pool(request.user).filter(is_active=True)


def _desk(
    request: AuthenticatedRequest,
    campaign: Campaign,
    *,
    settings_form: ReviewSettingsForm | None = None,
    publish_form: PublishForm | None = None,
) -> HttpResponse:
    """The desk page; reads only (settings not yet saved show their defaults). Its three long
    lists (finalists, tasks, results) are each one page at a time, filtered and sorted on the
    server under their own prefix (`f_`, `t_`, `r_`), so a province's 2,000 finalists cost
    what 50 do; the forms that pick applications offer the finalists of the page shown."""
    conf = ReviewSettings.objects.filter(campaign=campaign).first() or ReviewSettings(campaign=campaign)
    post = request.POST if request.method == "POST" else {}
    publication = queries.current_publication(campaign)
    chosen_apps = [i for i in map(id_param, request.POST.getlist("applications")) if i is not None]
    chosen_experts = [i for i in map(id_param, request.POST.getlist("experts")) if i is not None]
    panels = list(campaign.panels.prefetch_related("members__user"))
    finalists = _finalist_list(request, campaign)
    tasks = _task_list(request, campaign, panels)
    results = _result_list(request, campaign)
    return render(
        request,
        "reviews/organizer.html",
        {
            "campaign": campaign,
            "conf": conf,
            "settings_form": settings_form or ReviewSettingsForm(instance=conf),
            "publish_form": publish_form or PublishForm(),
            "panels": panels,
            "experts": list(_pool(request)),
            "post": post,
            "chosen_apps": chosen_apps,
            "chosen_experts": chosen_experts,
            "finalists": finalists,
            "tasks": tasks,
            "results": results,
            "assignments": tasks["rows"],
            "recommended": finalists["rows"],
            "result_groups": queries.by_kind(results["rows"], (gettext("学校"), gettext("区县"))),
            "publication": publication,
            "publications": list(Publication.objects.filter(campaign=campaign).order_by("-number")),
            "blockers": services.finalize_blockers(campaign),
            "reconsiderations": list(
                Reconsideration.objects.filter(campaign=campaign)
                .select_related("application__unit", "objection", "publication")
                .prefetch_related("experts__user")
            ),
            "objections": queries.campaign_objections(campaign),
            # the background steps (auto-assignment, computing results) of this campaign: the
            # running one and the latest few, each a link to its progress page
            "operations": list(Operation.objects.filter(campaign=campaign).select_related("user")[:DESK_OPERATIONS]),
            # counted in the database: a province has hundreds of lists and thousands of rows
            "lists": campaign.recommendation_lists.select_related("unit")
            .annotate(row_count=Count("rows"))
            .order_by("unit__code"),
        },
    )


#: background operations listed on the desk, newest first
DESK_OPERATIONS = 5

#: what a desk row never shows: the answers, narratives and results as stored JSON, and the
#: framework's YAML (at province scale they made a page of 50 rows carry megabytes)
BIG_APPLICATION_FIELDS = ("form_data", "answers", "narratives", "result", "framework__source_yaml")
#: an expert sheet's content, read on the sheet's own page
SHEET_FIELDS = ("answers", "points", "comments", "agreed", "entered", "skipped", "result", "overall_comment")

FINALIST_SORTS = (
    Sort("code", gettext_lazy("单位代码"), ("unit__code",)),
    Sort("name", gettext_lazy("申报单位"), ("unit__name",)),
    Sort("county", gettext_lazy("所属区县"), ("unit__parent__code", "unit__code")),
    Sort("tasks", gettext_lazy("已分配任务"), ("task_count", "unit__code")),
)
TASK_SORTS = (
    Sort("code", gettext_lazy("申报单位"), ("application__unit__code",)),
    Sort("expert", gettext_lazy("专家"), ("expert__user__display_name", "expert__user__username")),
    Sort("status", gettext_lazy("状态"), ("status", "application__unit__code")),
    Sort("total", gettext_lazy("评分"), ("total", "application__unit__code")),
)
RESULT_SORTS = (
    # schools before districts (they are ranked apart), then by rank
    Sort("rank", gettext_lazy("名次"), ("-kind", "rank", "application__unit__code")),
    Sort("final", gettext_lazy("最终得分"), ("-kind", "final", "application__unit__code")),
    Sort("name", gettext_lazy("申报单位"), ("application__unit__name",)),
)


def _desk_list(
    request: AuthenticatedRequest,
    prefix: str,
    queryset: QuerySet[Any],
    sorts: tuple[Sort, ...],
    default: str,
    filters: dict[str, str],
    anchor: str,
) -> dict[str, Any]:
    """One of the desk's lists: its page (`rows`, `listing`), the filters as typed, the pager's
    links (built here: the listing templates name `page` and `sort` without a prefix) and the
    other lists' parameters, which its filter form carries as hidden fields so filtering one
    list keeps the others where they were."""
    listing = paginate(request, queryset, sorts=sorts, default=default, prefix=prefix)
    page = listing.page

    def link(number: int) -> str:
        params = request.GET.copy()
        params[f"{prefix}page"] = str(number)
        return f"?{params.urlencode()}#{anchor}"

    pages = [
        {"number": n, "url": link(n) if isinstance(n, int) else "", "current": n == page.number}
        for n in listing.page_numbers
    ]
    return {
        "prefix": prefix,
        "anchor": anchor,
        "listing": listing,
        "rows": listing.rows,
        "total": listing.total,
        "filters": filters,
        "pages": pages if page.paginator.num_pages > 1 else [],
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
        "others": [
            (key, value) for key in request.GET if not key.startswith(prefix) for value in request.GET.getlist(key)
        ],
    }


def _finalist_list(request: AuthenticatedRequest, campaign: Campaign) -> dict[str, Any]:
    """The finalists, filterable by name or code, county (or city), status and "no task yet"."""
    get = request.GET
    qs = (
        queries.finalists(campaign)
        .defer(*BIG_APPLICATION_FIELDS)
        .annotate(task_count=Count("assignments", distinct=True))
    )
    q, q_typed, q_problem = clean_search(get.get("f_q", ""), gettext("学校名称或代码"))
    if q_problem and request.method == "GET":
        messages.warning(request, q_problem)
    if q:
        qs = qs.filter(Q(unit__name__icontains=q) | Q(unit__code__icontains=q))
    # the counties the finalists come from and their cities (a 市直 school's parent is its city)
    parents = queries.finalists(campaign).values("unit__parent_id")
    grandparents = Unit.objects.filter(pk__in=parents).values("parent_id")
    regions = list(
        Unit.objects.filter(kind__in=[Unit.Kind.COUNTY, Unit.Kind.CITY])
        .filter(Q(pk__in=parents) | Q(pk__in=grandparents))
        .order_by("code")
    )
    wanted = id_param(get.get("f_region", ""))
    chosen = next((u for u in regions if u.pk == wanted), None)
    region = None if chosen is None else chosen.pk
    if chosen is not None:
        # a county or a city: everything under it, one indexed prefix match
        qs = qs.filter(Subtree.of([chosen]).q("unit"))
    status = get.get("f_status", "")
    if status in Application.Status.values:
        qs = qs.filter(status=status)
    unassigned = get.get("f_unassigned", "") == "1"
    if unassigned:
        qs = qs.filter(task_count=0)
    filters = {
        "q": q_typed,
        "region": "" if region is None else str(region),
        "status": status if status in Application.Status.values else "",
        "unassigned": "1" if unassigned else "",
    }
    data = _desk_list(request, "f_", qs, FINALIST_SORTS, "code", filters, "desk-finalists")
    data["regions"] = regions
    data["statuses"] = [
        (value, label)
        for value, label in Application.Status.choices
        if value in queries.REVIEWED_STATUSES or value == Application.Status.ACCEPTED
    ]
    return data


def _task_list(request: AuthenticatedRequest, campaign: Campaign, panels: list[Any]) -> dict[str, Any]:
    """The review tasks, filterable by school, expert, panel and status."""
    get = request.GET
    qs = (
        Assignment.objects.filter(panel__campaign=campaign)
        .select_related("expert__user", "application__unit", "panel")
        .defer(*SHEET_FIELDS, *(f"application__{name}" for name in BIG_APPLICATION_FIELDS))
    )
    q, q_typed, q_problem = clean_search(get.get("t_q", ""), gettext("学校或专家"))
    if q_problem and request.method == "GET":
        messages.warning(request, q_problem)
    if q:
        qs = qs.filter(
            Q(application__unit__name__icontains=q)
            | Q(application__unit__code__icontains=q)
            | Q(expert__user__display_name__icontains=q)
            | Q(expert__user__username__icontains=q)
        )
    status = get.get("t_status", "")
    if status in Assignment.Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    panel = id_param(get.get("t_panel", ""))
    if panel is not None:
        qs = qs.filter(panel_id=panel)
    filters = {"q": q_typed, "status": status, "panel": "" if panel is None else str(panel)}
    data = _desk_list(request, "t_", qs, TASK_SORTS, "code", filters, "desk-tasks")
    data["statuses"] = Assignment.Status.choices
    return data


def _result_list(request: AuthenticatedRequest, campaign: Campaign) -> dict[str, Any]:
    """The results, filterable by school, kind, divergence still open and selection."""
    get = request.GET
    qs = campaign.results.select_related("application__unit")
    q, q_typed, q_problem = clean_search(get.get("r_q", ""), gettext("学校名称或代码"))
    if q_problem and request.method == "GET":
        messages.warning(request, q_problem)
    if q:
        qs = qs.filter(Q(application__unit__name__icontains=q) | Q(application__unit__code__icontains=q))
    kind = get.get("r_kind", "")
    if kind in ("school", "district"):
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    divergent = get.get("r_divergent", "") == "1"
    if divergent:
        qs = qs.filter(divergent=True, divergence_resolution="")
    selected = get.get("r_selected", "")
    if selected in ("1", "0"):
        qs = qs.filter(selected=selected == "1")
    else:
        selected = ""
    filters = {"q": q_typed, "kind": kind, "divergent": "1" if divergent else "", "selected": selected}
    return _desk_list(request, "r_", qs, RESULT_SORTS, "rank", filters, "desk-results")


@require_GET
@require(_is_organizer)
def organizer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The organizer's review desk for one campaign: settings, panels, assignments, results,
    publication, objections. Nothing is written on GET."""
    return _desk(request, organizer_campaign(request, pk))


def _desk_action(
    request: AuthenticatedRequest, pk: int, form_class: type[DeskForm], run: Run, done: str | Callable[[], str]
) -> HttpResponse:
    """Validate the action's form against the campaign's own panels, finalists, pool,
    assignments and objections; run it; back to the desk, or the desk with the reasons."""
    campaign = organizer_campaign(request, pk)
    form = form_class(
        request.POST,
        panels=campaign.panels.all(),
        applications=queries.finalists(campaign),
        experts=_pool(request),
        assignments=Assignment.objects.filter(panel__campaign=campaign),
        objections=queries.campaign_objections(campaign),
        results=Result.objects.filter(campaign=campaign),
        reconsiderations=Reconsideration.objects.filter(campaign=campaign),
    )
    try:
        if not form.is_valid():
            raise ValidationError(form.problems())
        warnings = run(campaign, form.cleaned_data, actor(request), client_ip(request))
    except ValidationError as exc:
        show_errors(request, exc)
        return _desk(request, campaign)
    except PermissionDenied:
        raise Http404 from None
    for warning in warnings:
        messages.warning(request, warning)
    messages.success(request, done if isinstance(done, str) else done())
    return redirect("reviews:organizer", pk=pk)


@require_POST
@require(_is_organizer)
def organizer_settings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save the review settings (created here on first save)."""
    campaign = organizer_campaign(request, pk)
    current = ReviewSettings.objects.filter(campaign=campaign).first() or ReviewSettings(campaign=campaign)
    form = ReviewSettingsForm(request.POST, instance=current)
    if form.is_valid():
        try:
            services.configure_review(
                actor=actor(request), campaign=campaign, values=form.cleaned_data, ip=client_ip(request)
            )
        except ValidationError as exc:
            show_errors(request, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, gettext("评审设置已保存"))
            return redirect("reviews:organizer", pk=pk)
    return _desk(request, campaign, settings_form=form)


@require_POST
@require(_is_organizer)
def panel_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        services.create_panel(
            actor=user, campaign=campaign, name=data["name"], kind=data["kind"], experts=list(data["experts"]), ip=ip
        )
        return []

    return _desk_action(request, pk, PanelForm, run, gettext("专家组已创建"))


@require_POST
@require(_is_organizer)
def panel_members(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        services.set_panel_members(actor=user, panel=data["panel"], experts=list(data["experts"]), ip=ip)
        return []

    return _desk_action(request, pk, PanelMembersForm, run, gettext("专家组成员已更新"))


@require_POST
@require(_is_organizer)
def assign_batch(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    made: list[Any] = []

    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        created, skipped = services.assign_batch(
            actor=user,
            panel=data["panel"],
            applications=list(data["applications"]),
            experts=list(data["experts"]),
            ip=ip,
        )
        made.extend(created)
        return list(skipped)

    return _desk_action(
        request, pk, BatchAssignForm, run, lambda: gettext("批量分配完成：新增 %(n)s 项任务") % {"n": len(made)}
    )


@require_POST
@require(_is_organizer)
def auto_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Assign automatically and say how many tasks were made, or why none were. A campaign of
    at least REVIEW_INLINE_FINALISTS finalists is assigned by the worker (reviews.tasks): the
    organizer follows it on the operation's page. A second one while one runs is refused."""
    done: list[str] = []
    started: list[Operation] = []

    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        if queries.finalists(campaign).count() >= tasks.inline_finalists():
            started.append(
                tasks.start_operation(
                    actor=user,
                    campaign=campaign,
                    kind=Operation.Kind.AUTO_ASSIGN,
                    params={"panel": data["panel"].pk},
                    ip=ip,
                )
            )
            done.append(gettext("自动分配已交由后台执行，完成后本页显示结果"))
            return []
        tasks.refuse_if_busy(campaign, Operation.Kind.AUTO_ASSIGN)
        outcome = services.auto_assign(actor=user, panel=data["panel"], ip=ip)
        if outcome.made:
            done.append(outcome.message)
            return list(outcome.problems)
        done.append(gettext("未新增评审任务"))
        return [outcome.message, *outcome.problems]

    response = _desk_action(request, pk, PanelActionForm, run, lambda: done[0])
    if started:
        return redirect("reviews:operation", pk=pk, op_pk=started[0].pk)
    return response


@require_POST
@require(_is_organizer)
def assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        services.assign_expert(
            actor=user, panel=data["panel"], application=data["application"], expert=data["expert"], ip=ip
        )
        return []

    return _desk_action(request, pk, AssignForm, run, gettext("已分配"))


@require_POST
@require(_is_organizer)
def unlock(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        services.unlock_assignment(actor=user, assignment=data["assignment"], reason=data["reason"], ip=ip)
        return []

    return _desk_action(request, pk, UnlockForm, run, gettext("已解锁"))


@require_POST
@require(_is_organizer)
def compute(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Compute the results: within the request for a small campaign, by the worker (followed on
    the operation's page) from REVIEW_INLINE_FINALISTS finalists on."""
    started: list[Operation] = []

    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        if queries.finalists(campaign).count() >= tasks.inline_finalists():
            started.append(
                tasks.start_operation(
                    actor=user, campaign=campaign, kind=Operation.Kind.COMPUTE_RESULTS, params={}, ip=ip
                )
            )
            return []
        tasks.refuse_if_busy(campaign, Operation.Kind.COMPUTE_RESULTS)
        services.compute_results(actor=user, campaign=campaign, ip=ip)
        return []

    response = _desk_action(
        request,
        pk,
        ConfirmForm,
        run,
        lambda: gettext("计算评审结果已交由后台执行") if started else gettext("评审结果已计算"),
    )
    if started:
        return redirect("reviews:operation", pk=pk, op_pk=started[0].pk)
    return response


@require_POST
@require(_is_organizer)
def publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Put the proposed list up for public notice; bad dates re-render the desk's form."""
    campaign = organizer_campaign(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.publish_results(
                actor=actor(request), campaign=campaign, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(request, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, gettext("已发布公示"))
            return redirect("reviews:organizer", pk=pk)
    return _desk(request, campaign, publish_form=form)


@require_POST
@require(_is_organizer)
def answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        services.answer_objection(
            actor=user, objection=data["objection"], outcome=data["outcome"], answer=data["answer"], ip=ip
        )
        if data["outcome"] == "upheld":
            return [gettext("异议成立：请为该申报启动复议，指定复议专家")]
        return []

    return _desk_action(request, pk, AnswerForm, run, gettext("已答复"))


@require_POST
@require(_is_organizer)
def override(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        selected = {"selected": True, "not_selected": False}.get(data["decision"])
        services.override_selection(actor=user, result=data["result"], selected=selected, reason=data["reason"], ip=ip)
        return []

    return _desk_action(request, pk, OverrideForm, run, gettext("入选决定已记录"))


@require_POST
@require(_is_organizer)
def divergence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        services.resolve_divergence(actor=user, result=data["result"], reason=data["reason"], ip=ip)
        return []

    return _desk_action(request, pk, DivergenceForm, run, gettext("分歧处理说明已记录"))


@require_POST
@require(_is_organizer)
def reconsider(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        services.open_reconsideration(
            actor=user,
            campaign=campaign,
            application=data["application"],
            objection=data["objection"],
            reason=data["reason"],
            experts=list(data["experts"]),
            ip=ip,
        )
        return []

    return _desk_action(request, pk, ReconsiderationForm, run, gettext("已启动复议，复议专家已收到通知"))


@require_POST
@require(_is_organizer)
def reconsider_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    made: list[Publication] = []

    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        made.append(
            services.close_reconsideration(
                actor=user,
                reconsideration=data["reconsideration"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                ip=ip,
            )
        )
        return []

    return _desk_action(
        request,
        pk,
        CloseReconsiderationForm,
        run,
        lambda: gettext("复议已完成，已发布第%(n)s次公示（更正）") % {"n": made[0].number},
    )


@require_POST
@require(_is_organizer)
def finalize(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(campaign: Campaign, data: dict[str, Any], user: User, ip: str | None) -> list[str]:
        services.finalize_results(actor=user, campaign=campaign, ip=ip)
        return []

    return _desk_action(request, pk, ConfirmForm, run, gettext("最终名单已发布"))


# --- audit log -----------------------------------------------------------------------------------


#: the columns the campaign's audit log may be sorted by; newest first by default
AUDIT_SORTS = [
    Sort("at", gettext_lazy("时间"), ["at"]),
    Sort("actor", gettext_lazy("操作人"), ["actor_name", "at"]),
    Sort("action", gettext_lazy("操作"), ["action", "at"]),
]


@require_GET
@require(_is_organizer)
def audit_log(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The campaign's audit trail (read-only), a page at a time with its total, optionally for
    one application (`?application=`, or a school typed by code or name): entries about the
    application itself and about anything done for its unit in this campaign. What a school
    typed before submitting is shown as draft content, not its values; the submission windows
    are read for the units on the page only, so a province's campaign costs the same."""
    campaign = organizer_campaign(request, pk)
    entries = AuditEntry.objects.filter(campaign_id=campaign.pk)
    school, typed, problem = clean_search(request.GET.get("school", ""), gettext("学校代码或名称"))
    application: Application | None = None
    if "application" in request.GET and not typed:
        selected_pk = id_param(request.GET["application"])
        if selected_pk is not None:
            application = get_object_or_404(
                Application.objects.select_related("unit"), pk=selected_pk, campaign=campaign
            )
    elif school:
        application = (
            campaign.applications.filter(Q(unit__code=school) | Q(unit__name=school)).select_related("unit").first()
        )
        if application is None:
            problem = gettext("学校代码或名称「%(school)s」不在本活动的申报中，请核对") % {"school": school}
    if problem:
        messages.error(request, problem)
    if application is not None:
        entries = entries.filter(
            Q(object_type="Application", object_id=str(application.pk)) | Q(unit_id=application.unit_id)
        )
    elif typed:
        entries = entries.none()
    actor, actor_typed, actor_problem = clean_search(request.GET.get("actor", ""), gettext("操作人"))
    action, action_typed, action_problem = clean_search(request.GET.get("action", ""), gettext("操作代码"))
    for found in (actor_problem, action_problem):
        if found:
            messages.error(request, found)
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if action:
        entries = entries.filter(action__startswith=action)
    if (actor_typed and not actor) or (action_typed and not action):
        entries = entries.none()  # a filter that could not be applied shows nothing, not everything
    listing = paginate(request, entries, sorts=AUDIT_SORTS, default="-at")
    rows = listing.rows
    # one query for any page, even one without a draft save (an empty IN would skip it)
    unit_ids = {e.unit_id for e in rows if e.unit_id and e.action in drafts.DRAFT_ACTIONS} or {0}
    windows = {
        unit_id: (first, latest if status != Application.Status.DRAFT else None)
        for unit_id, first, latest, status in campaign.applications.filter(unit_id__in=unit_ids)
        .annotate(first=Min("versions__submitted_at"))
        .values_list("unit_id", "first", "submitted_at", "status")
    }
    return render(
        request,
        "reviews/audit_log.html",
        {
            "campaign": campaign,
            "listing": listing,
            "entries": [drafts.shown(entry, windows) for entry in rows],
            "application": application,
            "school": typed or (application.unit.code if application is not None else ""),
            "actor": actor_typed,
            "action": action_typed,
            "export_query": urlencode(
                {
                    k: v
                    for k, v in (
                        ("application", str(application.pk) if application is not None else ""),
                        ("actor", actor),
                        ("action", action),
                    )
                    if v
                }
            ),
        },
    )


# --- expert pool (专家库) ------------------------------------------------------------------------


def _scope(request: AuthenticatedRequest) -> Subtree:
    """The organizer's scope, computed once per request; 404 for anyone who organizes nothing."""
    scope = organizer_scope(request.user)
    if not scope:
        raise Http404
    return scope


def _back(request: AuthenticatedRequest) -> str:
    """Where a pool action returns to: the pool with the filters the user had (the form's
    hidden `next`), when that is a safe link to the pool itself; else the bare pool."""
    pool = reverse("reviews:expert_pool")
    wanted = request.POST.get("next", "")
    if (
        wanted
        and urlsplit(wanted).path == pool
        and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return wanted
    return pool


#: the pool's sorts; by work unit (those in the pool first) unless the organizer chooses
POOL_SORTS = (
    Sort("unit", gettext_lazy("工作单位"), ("-is_active", "unit__code", "user__username")),
    Sort("name", gettext_lazy("专家"), ("user__display_name", "user__username")),
    Sort("region", gettext_lazy("所在区县"), ("region__code", "user__username")),
    Sort("open", gettext_lazy("未完成任务"), ("open_tasks", "user__username")),
)


def _with_params(request: AuthenticatedRequest, params: QueryDict) -> AuthenticatedRequest:
    """The request as the list reads it: after a refused POST the page, sort and filters are
    those of the page the form was on (its `next`), not of the action's URL."""
    if params is request.GET:
        return request
    shown = copy.copy(request)
    shown.GET = params  # type: ignore[assignment]  # read-only here, as the request's own
    return shown


def _pool_page(request: AuthenticatedRequest, scope: Subtree) -> HttpResponse:
    # after a refused POST the filters are those of the page the form was on (its `next`)
    params = QueryDict(urlsplit(_back(request)).query) if request.method == "POST" else request.GET
    pool = queries.expert_pool(request.user, scope)
    q, q_typed, q_problem = clean_search(params.get("q", ""), "姓名、单位或专业领域")
    if q_problem and request.method == "GET":
        messages.warning(request, q_problem)
    region_id = params.get("region", "")
    active = params.get("active", "1")
    experts = pool
    if q:
        experts = experts.filter(
            Q(user__display_name__icontains=q)
            | Q(user__username__icontains=q)
            | Q(fields__icontains=q)
            | Q(unit__name__icontains=q)
        )
    region_pk = id_param(region_id)
    if region_pk is None:
        region_id = ""
    else:
        experts = experts.filter(region_id=region_pk)
    if active in ("0", "1"):
        experts = experts.filter(is_active=active == "1")
    experts = experts.prefetch_related(
        Prefetch("conflicts", queryset=Conflict.objects.select_related("unit").order_by("unit__code"))
    ).annotate(open_tasks=Count("assignments", filter=Q(assignments__status__in=["assigned", "confirmed"])))
    listing = paginate(_with_params(request, params), experts, sorts=POOL_SORTS, default="unit")
    regions = scope.units().filter(kind=Unit.Kind.COUNTY).order_by("code")
    return render(
        request,
        "reviews/expert_pool.html",
        {
            "experts": listing,
            "listing": listing,
            "regions": regions,
            "filters": {"q": q_typed, "region": region_id, "active": active},
            "back": _back(request) if request.method == "POST" else request.get_full_path(),
            "post": request.POST if request.method == "POST" else {},
        },
    )


@require_GET
@require()
def expert_pool(request: AuthenticatedRequest) -> HttpResponse:
    """The organizer's expert pool: who is in it (unit, region, fields), filters, and the
    conflicts of interest (回避) on record."""
    return _pool_page(request, _scope(request))


PoolRun = Callable[[dict[str, Any], User, str | None], str]


def _pool_action(request: AuthenticatedRequest, scope: Subtree, form: ReviewForm, run: PoolRun) -> HttpResponse:
    try:
        if not form.is_valid():
            raise ValidationError(form.problems())
        done = run(form.cleaned_data, request.user, client_ip(request))
    except ValidationError as exc:
        show_errors(request, exc)
        return _pool_page(request, scope)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, done)
    return redirect(_back(request))


def _managed_expert(request: AuthenticatedRequest, scope: Subtree, expert_pk: int) -> Expert:
    return get_object_or_404(queries.expert_pool(request.user, scope), pk=expert_pk)


@require_POST
@require()
def expert_add(request: AuthenticatedRequest) -> HttpResponse:
    """Add one expert by hand (an account is made when there is none)."""
    scope = _scope(request)

    def run(data: dict[str, Any], user: User, ip: str | None) -> str:
        expert, password = services.add_expert(
            actor=user,
            username=data["username"],
            display_name=data["display_name"],
            email=data["email"],
            # an unknown work unit is refused by the service, with the units one may choose
            unit=Unit.objects.filter(code=data["unit"].strip()).first() if data["unit"].strip() else None,
            region=unit_by_code(data["region"], "region", "区县代码"),
            title=data["title"],
            fields=data["fields"],
            ip=ip,
        )
        text = gettext("专家 %(expert)s 已入库") % {"expert": expert}
        if password:
            text += gettext("；初始密码 %(password)s（仅显示一次，请转交本人并提醒修改）") % {"password": password}
        return text

    return _pool_action(request, scope, ExpertAddForm(request.POST), run)


@require_POST
@require()
def expert_update(request: AuthenticatedRequest, expert_pk: int) -> HttpResponse:
    scope = _scope(request)
    expert = _managed_expert(request, scope, expert_pk)

    def run(data: dict[str, Any], user: User, ip: str | None) -> str:
        services.update_expert(
            actor=user,
            expert=expert,
            title=data["title"],
            fields=data["fields"],
            region=unit_by_code(data["region"], "region", "区县代码"),
            is_active=data["is_active"],
            ip=ip,
        )
        return gettext("专家信息已保存")

    return _pool_action(request, scope, ExpertUpdateForm(request.POST), run)


@require_POST
@require()
def expert_conflict(request: AuthenticatedRequest, expert_pk: int) -> HttpResponse:
    scope = _scope(request)
    expert = _managed_expert(request, scope, expert_pk)

    def run(data: dict[str, Any], user: User, ip: str | None) -> str:
        unit = unit_by_code(data["unit"], "unit", "单位代码")
        services.add_conflict(actor=user, expert=expert, unit=unit, reason=data["reason"], ip=ip)
        return gettext("回避已登记")

    return _pool_action(request, scope, ConflictForm(request.POST), run)


@require_POST
@require()
def expert_conflict_remove(request: AuthenticatedRequest, expert_pk: int, conflict_pk: int) -> HttpResponse:
    scope = _scope(request)
    expert = _managed_expert(request, scope, expert_pk)
    conflict = get_object_or_404(Conflict, pk=conflict_pk, expert=expert)

    def run(data: dict[str, Any], user: User, ip: str | None) -> str:
        services.remove_conflict(actor=user, conflict=conflict, reason=data["reason"], ip=ip)
        return gettext("回避已撤销")

    return _pool_action(request, scope, ReasonForm(request.POST), run)
