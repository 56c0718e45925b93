"""Review and selection, as domain functions. Each checks permission, validates, writes and
audits, so "谁受理、谁负责、谁签字" can always be answered from the audit log."""

from __future__ import annotations

import copy
import datetime as dt
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from campuseval.access.rules import county_of, is_county_reviewer_for, is_organizer_for, manages_unit, organizer_scope
from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import InvalidAnswers, ScoreResult, score
from campuseval.engine.numbers import fmt
from campuseval.notifications.services import notify
from campuseval.orgs.models import Unit

from . import aggregation
from .models import (
    Adjustment,
    Assignment,
    Conflict,
    CountyReview,
    Expert,
    Objection,
    Panel,
    Publication,
    RecommendationEntry,
    RecommendationList,
    Result,
    ReviewSettings,
)
from .queries import county_recommended_ids, expert_profile, finalists

OBJECTIONS_PER_HOUR = 5


class StaleRevision(ValidationError):
    """A save carried an older revision than the stored one: someone else saved first."""


def _latest_version(application: Application) -> ApplicationVersion:
    version = application.versions.order_by("-number").first()
    if version is None:
        raise ValidationError("该申报尚未提交，没有可审核的版本")
    return version


def _score_answers(
    application: Application, answers: Mapping[str, Any], overrides: Mapping[str, Decimal] | None = None
) -> ScoreResult:
    fw = framework_for(application.framework)
    try:
        return score(fw, answers, as_of=application.campaign.as_of, overrides=overrides)
    except InvalidAnswers as exc:
        raise ValidationError([f"{p.code} {p.field}：{p.message_zh}".strip() for p in exc.problems]) from exc


def _decimal(value: Any, label: str) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}应为数字，收到「{value}」") from None


def _unit_users(unit: Unit, roles: Sequence[str] = (Role.APPLICANT, Role.HEAD, Role.COUNTY_REVIEWER)) -> list[Any]:
    return [m.user for m in Membership.objects.filter(unit=unit, role__in=roles).select_related("user")]


# --- county first review ----------------------------------------------------------------


@dataclass(frozen=True)
class AdjustmentInput:
    """A county change to one indicator: an input's value, or the points directly ("points")."""

    code: str
    field: str
    value: Any
    reason: str


@transaction.atomic
def decide_county_review(
    *,
    actor: Any,
    application: Application,
    decision: str,
    reason: str = "",
    opinion: str = "",
    adjustments: Sequence[AdjustmentInput] = (),
    ip: str | None = None,
) -> CountyReview:
    """The county's decision on the latest submitted version: accept with a county score
    (adjusted inputs or points, each with its reason, the self-score kept beside it) and an
    opinion; reject with reasons; or return for more information with reasons."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not is_county_reviewer_for(actor, application.unit):
        raise PermissionDenied
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(f"申报当前状态为“{application.get_status_display()}”，只有已提交的申报可以初审")
    if decision not in CountyReview.Decision.values:
        raise ValidationError("请选择初审结论")
    reason = reason.strip()
    if decision in (CountyReview.Decision.REJECTED, CountyReview.Decision.RETURNED) and not reason:
        raise ValidationError("退回或不予推荐时必须填写理由")
    version = _latest_version(application)
    answers = copy.deepcopy(version.answers)
    overrides: dict[str, Decimal] = {}
    fw = framework_for(application.framework)
    for adj in adjustments:
        node = fw.by_code.get(adj.code)
        if node is None or not node.is_leaf:
            raise ValidationError(f"指标 {adj.code} 不存在或不是末级指标")
        if not adj.reason.strip():
            raise ValidationError(f"指标 {adj.code} 的调整必须说明理由")
        if adj.field == "points":
            overrides[adj.code] = _decimal(adj.value, f"指标 {adj.code} 的调整分值")
        elif adj.field in node.inputs:
            answers.setdefault("answers", {}).setdefault(adj.code, {})[adj.field] = adj.value
        else:
            raise ValidationError(f"指标 {adj.code} 没有字段 {adj.field}")
    result: ScoreResult | None = None
    if decision == CountyReview.Decision.ACCEPTED:
        result = _score_answers(application, answers, overrides)
    review = CountyReview.objects.create(
        application=application,
        version_number=version.number,
        decision=decision,
        reason=reason,
        opinion=opinion.strip(),
        answers=answers,
        result=result.to_dict() if result else {},
        total=result.total if result else None,
        reviewer=actor,
    )
    for adj in adjustments:
        self_value = (
            version.result.get("indicators", {}).get(adj.code, {}).get("points")
            if adj.field == "points"
            else version.answers.get("answers", {}).get(adj.code, {}).get(adj.field)
        )
        Adjustment.objects.create(
            review=review,
            indicator_code=adj.code,
            field=adj.field,
            self_value=self_value,
            new_value=str(adj.value) if adj.field == "points" else adj.value,
            reason=adj.reason.strip(),
        )
    before = application.status
    if decision == CountyReview.Decision.RETURNED:
        application.status = Application.Status.RETURNED
    elif decision == CountyReview.Decision.REJECTED:
        application.status = Application.Status.REJECTED
    else:
        application.status = Application.Status.ACCEPTED
    application.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action=f"county_review.{decision}",
        obj=application,
        ip=ip,
        summary=f"县级初审：{review.get_decision_display()}" + (f"（{reason}）" if reason else ""),
        before={"status": before},
        after={
            "status": application.status,
            "county_total": fmt(result.total) if result else None,
            "adjustments": [adj.__dict__ for adj in adjustments],
        },
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    texts = {
        CountyReview.Decision.RETURNED: f"您的申报《{application.campaign}》被退回补充材料：{reason}",
        CountyReview.Decision.REJECTED: f"您的申报《{application.campaign}》未通过县级初审：{reason}",
        CountyReview.Decision.ACCEPTED: f"您的申报《{application.campaign}》已通过县级初审",
    }
    notify(
        users=_unit_users(application.unit, (Role.APPLICANT, Role.HEAD)),
        text=texts[decision],
        link=f"/applications/{application.pk}/",
    )
    return review


def version_diff(older: Mapping[str, Any], newer: Mapping[str, Any]) -> list[tuple[str, str, Any, Any]]:
    """Field-by-field differences between two versions' answers: (code, field, old, new)."""
    changes: list[tuple[str, str, Any, Any]] = []
    old_answers = older.get("answers", {})
    new_answers = newer.get("answers", {})
    for code in sorted(set(old_answers) | set(new_answers)):
        old_fields = old_answers.get(code, {}) or {}
        new_fields = new_answers.get(code, {}) or {}
        for key in sorted(set(old_fields) | set(new_fields)):
            if old_fields.get(key) != new_fields.get(key):
                changes.append((code, key, old_fields.get(key), new_fields.get(key)))
    for section in ("context", "choices", "declarations"):
        old_s, new_s = older.get(section, {}) or {}, newer.get(section, {}) or {}
        for key in sorted(set(old_s) | set(new_s)):
            if old_s.get(key) != new_s.get(key):
                changes.append((section, key, old_s.get(key), new_s.get(key)))
    return changes


# --- recommendation lists and quotas ---------------------------------------------------------


def check_quota(campaign: Campaign, applications: Sequence[Application]) -> list[str]:
    """The quota problems of a county's list, in Chinese (Bozhou: at most 10 schools per
    county, at least 2 rural). Only school applicants count toward school quotas."""
    problems = []
    schools = [a for a in applications if a.unit.kind == Unit.Kind.SCHOOL]
    if campaign.max_schools_per_county is not None and len(schools) > campaign.max_schools_per_county:
        problems.append(f"推荐学校 {len(schools)} 所，超过每县（区）最多 {campaign.max_schools_per_county} 所的名额")
    rural = sum(1 for a in schools if a.unit.area == Unit.Area.RURAL)
    if campaign.min_rural_per_county and schools and rural < campaign.min_rural_per_county:
        problems.append(f"推荐名单中乡村学校 {rural} 所，少于至少 {campaign.min_rural_per_county} 所的要求")
    return problems


def _store_rows(
    *,
    rec: RecommendationList,
    applications: Sequence[Application],
    highlights: Mapping[int, str] | None,
    filled_by: str,
    phone: str,
    actor: Any,
    ip: str | None,
    action: str,
    summary: str,
    campaign: Campaign,
    unit: Unit,
) -> RecommendationList:
    """Replace a list's rows in the chosen order and audit before/after: the same step at
    county and at city level, so that 谁推荐、推荐了谁 reads the same in both logs."""
    before = list(rec.rows.values_list("application_id", flat=True))
    rec.rows.all().delete()
    for position, app in enumerate(applications, start=1):
        RecommendationEntry.objects.create(
            recommendation=rec, application=app, position=position, highlights=(highlights or {}).get(app.pk, "")
        )
    rec.filled_by, rec.phone = filled_by.strip(), phone.strip()
    rec.save()
    record(
        actor=actor,
        action=action,
        obj=rec,
        ip=ip,
        summary=f"{summary} {len(applications)} 个",
        before={"applications": before},
        after={"applications": [a.pk for a in applications]},
        campaign_id=campaign.pk,
        unit_id=unit.pk,
    )
    return rec


@transaction.atomic
def recommend_applications(
    *,
    actor: Any,
    campaign: Campaign,
    county: Unit,
    applications: Sequence[Application],
    filled_by: str = "",
    phone: str = "",
    highlights: Mapping[int, str] | None = None,
    ip: str | None = None,
) -> RecommendationList:
    """Save the county's recommendation list (in order). Quotas are enforced here with a clear
    message; only applications the county accepted can be recommended; a confirmed list is
    frozen."""
    if not Membership.objects.filter(user=actor, unit=county, role=Role.COUNTY_REVIEWER).exists():
        raise PermissionDenied
    rec, _ = RecommendationList.objects.select_for_update().get_or_create(campaign=campaign, unit=county)
    if rec.is_confirmed:
        raise ValidationError("推荐名单已确认，不能再修改")
    fresh = Application.objects.select_related("unit__parent").in_bulk([a.pk for a in applications])
    applications = [fresh[a.pk] for a in applications]
    problems = []
    for app in applications:
        if app.campaign_id != campaign.pk or county_of(app.unit) != county:
            raise PermissionDenied
        if app.status not in (Application.Status.ACCEPTED, Application.Status.RECOMMENDED):
            problems.append(f"{app.unit.name}尚未通过县级初审，不能推荐")
    problems += check_quota(campaign, applications)
    if problems:
        raise ValidationError(problems)
    return _store_rows(
        rec=rec,
        applications=applications,
        highlights=highlights,
        filled_by=filled_by,
        phone=phone,
        actor=actor,
        ip=ip,
        action="recommendation.save",
        summary="保存推荐名单",
        campaign=campaign,
        unit=county,
    )


@transaction.atomic
def confirm_recommendation(
    *, actor: Any, recommendation: RecommendationList, confirmed_name: str, ip: str | None = None
) -> RecommendationList:
    """A named person confirms the list; it is frozen and its applications become recommended."""
    rec = (
        RecommendationList.objects.select_for_update(of=("self",))
        .select_related("unit", "campaign")
        .get(pk=recommendation.pk)
    )
    at_city = rec.unit.kind == Unit.Kind.CITY
    roles = [Role.COUNTY_REVIEWER, Role.ORGANIZER] if at_city else [Role.COUNTY_REVIEWER]
    if not Membership.objects.filter(user=actor, unit=rec.unit, role__in=roles).exists():
        raise PermissionDenied
    if rec.is_confirmed:
        raise ValidationError("推荐名单已确认")
    if not confirmed_name.strip():
        raise ValidationError("请填写确认人姓名")
    if "\x00" in confirmed_name:
        raise ValidationError("确认人姓名含有不可见的空字符，请删除后重试")
    apps = [row.application for row in rec.rows.select_related("application__unit")]
    if not apps:
        raise ValidationError("推荐名单为空")
    problems = check_city_quota(rec.campaign, apps) if at_city else check_quota(rec.campaign, apps)
    if problems:
        raise ValidationError(problems)
    rec.confirmed_by, rec.confirmed_name, rec.confirmed_at = actor, confirmed_name.strip(), timezone.now()
    rec.save()
    if not at_city:
        Application.objects.filter(pk__in=[a.pk for a in apps]).update(status=Application.Status.RECOMMENDED)
    record(
        actor=actor,
        action="recommendation.confirm",
        obj=rec,
        ip=ip,
        summary=f"{rec.confirmed_name} 确认推荐名单（{len(apps)} 个）",
        after={"applications": [a.pk for a in apps]},
        campaign_id=rec.campaign_id,
        unit_id=rec.unit_id,
    )
    return rec


def check_city_quota(campaign: Campaign, applications: Sequence[Application]) -> list[str]:
    """The quota problems of a city's list (the campaign's per-city limit, when set)."""
    conf = ReviewSettings.objects.filter(campaign=campaign).first()
    if conf is not None and conf.city_quota is not None and len(applications) > conf.city_quota:
        return [f"推荐 {len(applications)} 个，超过每市最多 {conf.city_quota} 个的名额"]
    return []


@transaction.atomic
def recommend_from_city(
    *,
    actor: Any,
    campaign: Campaign,
    city: Unit,
    applications: Sequence[Application],
    filled_by: str = "",
    phone: str = "",
    highlights: Mapping[int, str] | None = None,
    ip: str | None = None,
) -> RecommendationList:
    """The city's step in a school → county → city → province campaign: pick, from what its
    counties recommended (confirmed lists only), the list it sends on; the city quota is
    enforced here and again at confirmation."""
    if (
        city.kind != Unit.Kind.CITY
        or not Membership.objects.filter(
            user=actor, unit=city, role__in=[Role.COUNTY_REVIEWER, Role.ORGANIZER]
        ).exists()
    ):
        raise PermissionDenied
    conf = ReviewSettings.objects.filter(campaign=campaign).first()
    if conf is None or not conf.city_review:
        raise ValidationError("该活动没有市级推荐环节")
    rec, _ = RecommendationList.objects.select_for_update().get_or_create(campaign=campaign, unit=city)
    if rec.is_confirmed:
        raise ValidationError("推荐名单已确认，不能再修改")
    eligible = set(county_recommended_ids(campaign).values_list("application_id", flat=True))
    fresh = Application.objects.select_related("unit__parent").in_bulk([a.pk for a in applications])
    applications = [fresh[a.pk] for a in applications]
    problems = []
    for app in applications:
        if app.campaign_id != campaign.pk or app.unit.ancestor_of_kind(Unit.Kind.CITY) != city:
            raise PermissionDenied
        if app.pk not in eligible:
            problems.append(f"{app.unit.name}不在已确认的区县推荐名单中，不能推荐")
    problems += check_city_quota(campaign, applications)
    if problems:
        raise ValidationError(problems)
    return _store_rows(
        rec=rec,
        applications=applications,
        highlights=highlights,
        filled_by=filled_by,
        phone=phone,
        actor=actor,
        ip=ip,
        action="recommendation.city_save",
        summary="保存市级推荐名单",
        campaign=campaign,
        unit=city,
    )


# --- experts, panels, assignments ------------------------------------------------------------


USERNAME_RE = re.compile(r"^[\w.@+-]{3,150}$", re.ASCII)


def _clean_text(value: str, label: str, *, required: bool = False, max_length: int = 200) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({label: "内容含有不可见的空字符，请删除后重试"})
    if required and not value:
        raise ValidationError({label: "此项必填"})
    if len(value) > max_length:
        raise ValidationError({label: f"不能超过 {max_length} 个字"})
    return value


@transaction.atomic
def add_expert(
    *,
    actor: Any,
    username: str,
    display_name: str,
    email: str = "",
    unit: Unit | None,
    region: Unit | None = None,
    title: str = "",
    fields: str = "",
    ip: str | None = None,
) -> tuple[Expert, str | None]:
    """Put one person into the expert pool (专家库) by hand: an account when there is none
    (its one-time password is returned, to be handed over), the expert role at the work unit,
    and the profile whose unit and region drive 回避. Only units in the organizer's scope."""
    if not organizer_scope(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        errors["username"] = "用户名只能包含字母、数字和 _ . @ + -，长度 3–150"
    try:
        display_name = _clean_text(display_name, "display_name", required=True, max_length=60)
        email = _clean_text(email, "email", max_length=254)
        title = _clean_text(title, "title", max_length=60)
        fields = _clean_text(fields, "fields", max_length=200)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if email and "@" not in email:
        errors["email"] = "邮箱格式不正确"
    if not manages_unit(actor, unit):
        errors["unit"] = "请选择本级或下级的工作单位"
    if region is not None and (region.kind != Unit.Kind.COUNTY or not manages_unit(actor, region)):
        errors["region"] = "所在区县须为本辖区内的区县"
    if errors:
        raise ValidationError(errors)
    user = User.objects.filter(username=username).first()
    password = None
    if user is None:
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(username=username, password=password, email=email, display_name=display_name)
    elif Expert.objects.filter(user=user).exists():
        raise ValidationError({"username": f"{username} 已在专家库中"})
    Membership.objects.get_or_create(user=user, unit=unit, role=Role.EXPERT)
    expert = Expert.objects.create(
        user=user,
        unit=unit,
        region=region or county_of(unit),
        title=title,
        fields=fields,  # type: ignore[arg-type]
    )
    record(
        actor=actor,
        action="expert.add",
        obj=expert,
        ip=ip,
        summary=f"专家入库：{display_name}（{unit}）",
        after={"unit": unit.code, "region": expert.region.code if expert.region else None, "fields": fields},  # type: ignore[union-attr]
    )
    return expert, password


@transaction.atomic
def update_expert(
    *,
    actor: Any,
    expert: Expert,
    title: str,
    fields: str,
    region: Unit | None,
    is_active: bool,
    ip: str | None = None,
) -> Expert:
    """Change an expert's title, fields, region (which drives 回避) or take them out of the
    pool; open assignments stay and are listed on the desk for reassignment."""
    expert = Expert.objects.select_for_update(of=("self",)).select_related("unit", "region").get(pk=expert.pk)
    if not manages_unit(actor, expert.unit):
        raise PermissionDenied
    title = _clean_text(title, "title", max_length=60)
    fields = _clean_text(fields, "fields", max_length=200)
    if region is not None and (region.kind != Unit.Kind.COUNTY or not manages_unit(actor, region)):
        raise ValidationError({"region": "所在区县须为本辖区内的区县"})
    before = {
        "title": expert.title,
        "fields": expert.fields,
        "region": expert.region.code if expert.region else None,
        "is_active": expert.is_active,
    }
    expert.title, expert.fields, expert.region, expert.is_active = title, fields, region, is_active
    expert.save()
    after = {"title": title, "fields": fields, "region": region.code if region else None, "is_active": is_active}
    record(
        actor=actor,
        action="expert.update",
        obj=expert,
        ip=ip,
        summary=f"修改专家信息：{expert}" + ("" if is_active else "（移出专家库）"),
        before=before,
        after=after,
    )
    return expert


def _save_conflict(
    *, actor: Any, expert: Expert, unit: Unit | None, reason: str, by_expert: bool, ip: str | None
) -> Conflict:
    if unit is None:
        raise ValidationError({"unit": "请选择需要回避的单位"})
    reason = _clean_text(reason, "reason", required=True, max_length=200)
    conflict, created = Conflict.objects.get_or_create(
        expert=expert, unit=unit, defaults={"reason": reason, "declared_by_expert": by_expert}
    )
    if not created:
        raise ValidationError({"unit": f"已登记回避 {unit.name}"})
    open_ids = [
        a.pk
        for a in Assignment.objects.filter(
            expert=expert, status__in=[Assignment.Status.ASSIGNED, Assignment.Status.CONFIRMED]
        ).select_related("application__unit")
        if a.application.unit_id == unit.pk or unit in a.application.unit.ancestors()
    ]
    record(
        actor=actor,
        action="conflict.declare" if by_expert else "conflict.add",
        obj=conflict,
        ip=ip,
        summary=f"{'专家申报' if by_expert else '组织单位登记'}回避：{expert} ⟂ {unit.name}（{reason}）",
        after={"unit": unit.code, "reason": reason, "open_assignments": open_ids},
    )
    return conflict


@transaction.atomic
def add_conflict(*, actor: Any, expert: Expert, unit: Unit | None, reason: str, ip: str | None = None) -> Conflict:
    """The organizer records a conflict of interest (回避) it knows of: the expert will never be
    assigned to that unit or any school below it."""
    if not manages_unit(actor, expert.unit):
        raise PermissionDenied
    return _save_conflict(actor=actor, expert=expert, unit=unit, reason=reason, by_expert=False, ip=ip)


@transaction.atomic
def declare_conflict(*, actor: Any, unit: Unit | None, reason: str, ip: str | None = None) -> Conflict:
    """An expert declares, ahead of any assignment, a unit they must not review (a former
    employer, a relative's school, a school they coached)."""
    expert = expert_profile(actor)
    if expert is None:
        raise PermissionDenied
    return _save_conflict(actor=actor, expert=expert, unit=unit, reason=reason, by_expert=True, ip=ip)


@transaction.atomic
def remove_conflict(*, actor: Any, conflict: Conflict, reason: str, ip: str | None = None) -> None:
    """The organizer withdraws a conflict entered in error, with a reason (kept in the log)."""
    conflict = Conflict.objects.select_related("expert__unit", "unit").get(pk=conflict.pk)
    if not manages_unit(actor, conflict.expert.unit):
        raise PermissionDenied
    reason = _clean_text(reason, "reason", required=True, max_length=200)
    record(
        actor=actor,
        action="conflict.remove",
        obj=conflict,
        ip=ip,
        summary=f"撤销回避：{conflict.expert} ⟂ {conflict.unit.name}（{reason}）",
        before={"unit": conflict.unit.code, "reason": conflict.reason, "by_expert": conflict.declared_by_expert},
    )
    conflict.delete()


@transaction.atomic
def configure_review(
    *, actor: Any, campaign: Campaign, values: Mapping[str, Any], ip: str | None = None
) -> ReviewSettings:
    """Save the campaign's review settings (method, weights, visibility, places, chain);
    every change is logged with its old value."""
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    conf, _ = ReviewSettings.objects.select_for_update().get_or_create(campaign=campaign)
    if values.get("city_review") and campaign.organizer.kind != Unit.Kind.PROVINCE:
        raise ValidationError({"city_review": "只有省级组织的活动可以增加市级推荐环节"})
    if values.get("city_review") != conf.city_review and Assignment.objects.filter(panel__campaign=campaign).exists():
        raise ValidationError({"city_review": "已分配专家后不能更改推荐层级"})
    before, after = {}, {}
    for key, value in values.items():
        old = getattr(conf, key)
        if old != value:
            before[key], after[key] = str(old) if old is not None else None, str(value) if value is not None else None
            setattr(conf, key, value)
    conf.save()
    if after:
        record(
            actor=actor,
            action="review_settings.update",
            obj=conf,
            ip=ip,
            summary="修改评审设置：" + "、".join(str(ReviewSettings._meta.get_field(k).verbose_name) for k in after),
            before=before,
            after=after,
            campaign_id=campaign.pk,
        )
    return conf


@transaction.atomic
def create_panel(
    *, actor: Any, campaign: Campaign, name: str, kind: str, experts: Sequence[Expert], ip: str | None = None
) -> Panel:
    """Form a panel (专家组) for the campaign: materials review or site visit / defence."""
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    name = _clean_text(name, "name", required=True, max_length=100)
    if kind not in Panel.Kind.values:
        raise ValidationError({"kind": "请选择专家组类型"})
    panel = Panel.objects.create(campaign=campaign, name=name, kind=kind)
    members = _pool_members(actor, experts)
    panel.members.set(members)
    record(
        actor=actor,
        action="panel.create",
        obj=panel,
        ip=ip,
        summary=f"组建专家组「{name}」（{panel.get_kind_display()}，{len(members)} 人）",
        after={"members": [e.pk for e in members]},
        campaign_id=campaign.pk,
    )
    return panel


def _pool_members(actor: Any, experts: Sequence[Expert]) -> list[Expert]:
    scope = organizer_scope(actor)
    members = [e for e in experts if e.is_active and e.unit_id in scope]
    if len(members) != len(experts):
        raise ValidationError({"experts": "所选专家不在本级专家库中或已移出专家库"})
    return members


@transaction.atomic
def set_panel_members(*, actor: Any, panel: Panel, experts: Sequence[Expert], ip: str | None = None) -> Panel:
    """Change who sits on a panel. Experts removed keep their existing assignments (listed on
    the desk); they simply receive no new ones."""
    if not is_organizer_for(actor, panel.campaign):
        raise PermissionDenied
    before = sorted(panel.members.values_list("pk", flat=True))
    members = _pool_members(actor, experts)
    panel.members.set(members)
    record(
        actor=actor,
        action="panel.members",
        obj=panel,
        ip=ip,
        summary=f"调整专家组「{panel.name}」成员（{len(members)} 人）",
        before={"members": before},
        after={"members": sorted(e.pk for e in members)},
        campaign_id=panel.campaign_id,
    )
    return panel


def conflict_reason(expert: Expert, application: Application) -> str | None:
    """Why an expert must not review an application (回避), or None: the expert's own unit, the
    applicant's county, or a declared or recorded conflict."""
    unit = application.unit
    if expert.unit_id == unit.pk:
        return "专家与申报单位为同一单位"
    applicant_county = county_of(unit)
    expert_county = expert.region or county_of(expert.unit)
    if applicant_county is not None and expert_county is not None and applicant_county.pk == expert_county.pk:
        return "专家与申报单位属同一区县"
    conflict = Conflict.objects.filter(expert=expert, unit__in=[unit, *unit.ancestors()]).first()
    if conflict is not None:
        return f"已登记回避：{conflict.reason}"
    return None


@transaction.atomic
def assign_expert(
    *, actor: Any, panel: Panel, application: Application, expert: Expert, ip: str | None = None
) -> Assignment:
    """Assign one expert to one application (by hand), refusing conflicts of interest."""
    if not is_organizer_for(actor, panel.campaign):
        raise PermissionDenied
    if application.campaign_id != panel.campaign_id:
        raise ValidationError("申报不属于该活动")
    if not finalists(panel.campaign).filter(pk=application.pk).exists():
        raise ValidationError(f"{application.unit.name}尚未进入专家评审（未被推荐），不能分配")
    if not expert.is_active:
        raise ValidationError(f"{expert} 已不在专家库中")
    reason = conflict_reason(expert, application)
    if reason:
        raise ValidationError(f"{expert} 不能评审 {application.unit.name}：{reason}")
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(panel=panel, application=application, expert=expert)
    except IntegrityError:
        raise ValidationError(f"{expert} 已分配评审 {application.unit.name}") from None
    record(
        actor=actor,
        action="assignment.create",
        obj=assignment,
        ip=ip,
        summary=f"分配 {expert} 评审 {application.unit.name}",
        campaign_id=panel.campaign_id,
        unit_id=application.unit_id,
    )
    notify(users=[expert.user], text=f"新的评审任务：{panel.campaign}", link="/reviews/expert/")
    return assignment


@transaction.atomic
def auto_assign(*, actor: Any, panel: Panel, per_application: int | None = None, ip: str | None = None) -> list[str]:
    """Give every application in the panel's scope its N experts, balancing workloads (fewest
    assignments first) and never breaking 回避. Returns the problems (applications that could
    not get enough experts)."""
    if not is_organizer_for(actor, panel.campaign):
        raise PermissionDenied
    settings_obj, _ = ReviewSettings.objects.get_or_create(campaign=panel.campaign)
    wanted = per_application or settings_obj.experts_per_application
    experts = list(panel.members.filter(is_active=True).select_related("unit", "region", "user"))
    load = Counter(
        dict(Assignment.objects.filter(panel__campaign=panel.campaign).values_list("expert_id").annotate(n=Count("pk")))
    )
    problems = []
    given: Counter[int] = Counter()
    for application in finalists(panel.campaign).order_by("unit__code"):
        have = set(Assignment.objects.filter(panel=panel, application=application).values_list("expert_id", flat=True))
        candidates = sorted(
            (e for e in experts if e.pk not in have and conflict_reason(e, application) is None),
            key=lambda e: (load[e.pk], e.pk),
        )
        for expert in candidates[: max(0, wanted - len(have))]:
            Assignment.objects.create(panel=panel, application=application, expert=expert)
            load[expert.pk] += 1
            given[expert.pk] += 1
            have.add(expert.pk)
        if len(have) < wanted:
            problems.append(f"{application.unit.name}：可分配专家不足（需要 {wanted} 位，仅 {len(have)} 位无需回避）")
    record(
        actor=actor,
        action="assignment.auto",
        obj=panel,
        ip=ip,
        summary=f"自动分配，每份 {wanted} 位专家，新增 {sum(given.values())} 项任务",
        after={"problems": problems, "given": {str(k): v for k, v in given.items()}},
        campaign_id=panel.campaign_id,
    )
    for expert in experts:
        if given[expert.pk]:
            notify(
                users=[expert.user],
                text=f"新的评审任务：{panel.campaign}（{given[expert.pk]} 份申报）",
                link="/reviews/expert/",
            )
    return problems


@transaction.atomic
def assign_batch(
    *,
    actor: Any,
    panel: Panel,
    applications: Sequence[Application],
    experts: Sequence[Expert],
    ip: str | None = None,
) -> tuple[list[Assignment], list[str]]:
    """Assign every chosen expert to every chosen application in one go (批量分配). Pairs that
    break 回避 or already exist are skipped and reported; the rest are made."""
    if not is_organizer_for(actor, panel.campaign):
        raise PermissionDenied
    if not applications or not experts:
        raise ValidationError("请至少选择一份申报和一位专家")
    allowed = set(finalists(panel.campaign).values_list("pk", flat=True))
    made: list[Assignment] = []
    skipped: list[str] = []
    for application in applications:
        if application.campaign_id != panel.campaign_id or application.pk not in allowed:
            skipped.append(f"{application.unit.name}：尚未进入专家评审，未分配")
            continue
        for expert in experts:
            reason = None if expert.is_active else "已不在专家库中"
            reason = reason or conflict_reason(expert, application)
            if (
                reason is None
                and Assignment.objects.filter(panel=panel, application=application, expert=expert).exists()
            ):
                reason = "已分配"
            if reason:
                skipped.append(f"{expert} → {application.unit.name}：{reason}")
                continue
            made.append(Assignment.objects.create(panel=panel, application=application, expert=expert))
    record(
        actor=actor,
        action="assignment.batch",
        obj=panel,
        ip=ip,
        summary=f"批量分配 {len(made)} 项，跳过 {len(skipped)} 项",
        after={"assignments": [[a.application_id, a.expert_id] for a in made], "skipped": skipped},
        campaign_id=panel.campaign_id,
    )
    counts = Counter(a.expert_id for a in made)
    for expert in experts:
        if counts[expert.pk]:
            notify(
                users=[expert.user],
                text=f"新的评审任务：{panel.campaign}（{counts[expert.pk]} 份申报）",
                link="/reviews/expert/",
            )
    return made, skipped


def _own_assignment(actor: Any, assignment: Assignment) -> Assignment:
    fresh = Assignment.objects.select_for_update().select_related("expert", "application__unit").get(pk=assignment.pk)
    if fresh.expert.user_id != getattr(actor, "pk", None):
        raise PermissionDenied
    return fresh


@transaction.atomic
def confirm_no_conflict(*, actor: Any, assignment: Assignment, ip: str | None = None) -> Assignment:
    """The expert confirms no conflict of interest; only then may they see the application."""
    assignment = _own_assignment(actor, assignment)
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("已确认或已结束的评审任务")
    assignment.status = Assignment.Status.CONFIRMED
    assignment.no_conflict_at = timezone.now()
    assignment.save()
    record(
        actor=actor,
        action="assignment.no_conflict",
        obj=assignment,
        ip=ip,
        summary="专家确认无利益冲突",
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    return assignment


@transaction.atomic
def abstain(*, actor: Any, assignment: Assignment, reason: str, ip: str | None = None) -> Assignment:
    """The expert withdraws (回避 or 弃评) with a reason; the conflict is recorded for later."""
    assignment = _own_assignment(actor, assignment)
    if assignment.status == Assignment.Status.SUBMITTED:
        raise ValidationError("已提交的评分不能弃评")
    if not reason.strip():
        raise ValidationError("请填写回避或弃评理由")
    assignment.status = Assignment.Status.ABSTAINED
    assignment.abstain_reason = reason.strip()
    assignment.save()
    Conflict.objects.get_or_create(
        expert=assignment.expert,
        unit=assignment.application.unit,
        defaults={"reason": reason.strip()[:200], "declared_by_expert": True},
    )
    record(
        actor=actor,
        action="assignment.abstain",
        obj=assignment,
        ip=ip,
        summary=f"专家回避/弃评：{reason}",
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    return assignment


@transaction.atomic
def record_expert_score(
    *,
    actor: Any,
    assignment: Assignment,
    revision: int,
    answers: Mapping[str, Any] | None = None,
    points: Mapping[str, Any] | None = None,
    comments: Mapping[str, str] | None = None,
    skipped: Sequence[str] = (),
    ip: str | None = None,
) -> Assignment:
    """Save an expert's sheet: rule inputs and/or points within each indicator's range, a
    comment per indicator, indicators skipped for later. The same engine scores it; a save
    from a stale revision is refused (two tabs never overwrite each other)."""
    assignment = _own_assignment(actor, assignment)
    if assignment.status == Assignment.Status.ASSIGNED:
        raise ValidationError("请先确认无利益冲突")
    if assignment.status in (Assignment.Status.SUBMITTED, Assignment.Status.ABSTAINED):
        raise ValidationError("评分已提交或已弃评，不能修改")
    if revision != assignment.revision:
        raise StaleRevision("评分表已在其他窗口更新，请刷新后再保存")
    doc = copy.deepcopy(assignment.answers or _latest_version(assignment.application).answers)
    for code, fields in (answers or {}).items():
        doc.setdefault("answers", {})[code] = fields
    merged_points = dict(assignment.points)
    for code, value in (points or {}).items():
        if value in (None, ""):
            merged_points.pop(code, None)
        else:
            merged_points[code] = str(_decimal(value, f"指标 {code} 的评分"))
    result = _score_answers(assignment.application, doc, {c: Decimal(v) for c, v in merged_points.items()})
    before = {"total": str(assignment.total) if assignment.total is not None else None}
    assignment.answers = doc
    assignment.points = merged_points
    assignment.comments = {**assignment.comments, **{k: v.strip() for k, v in (comments or {}).items()}}
    assignment.skipped = sorted(set(skipped))
    assignment.result = result.to_dict()
    assignment.total = result.total
    assignment.revision += 1
    assignment.save()
    record(
        actor=actor,
        action="expert_score.save",
        obj=assignment,
        ip=ip,
        summary=f"专家评分保存：{fmt(result.total)} 分",
        before=before,
        after={"total": fmt(result.total), "points": merged_points},
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    return assignment


@transaction.atomic
def submit_expert_score(*, actor: Any, assignment: Assignment, ip: str | None = None) -> Assignment:
    """Submit and lock the sheet: every indicator scored, none left skipped."""
    assignment = _own_assignment(actor, assignment)
    if assignment.status != Assignment.Status.CONFIRMED:
        raise ValidationError("只有已确认无利益冲突且未提交的评分可以提交")
    missing = list(assignment.skipped) + [
        c for c in assignment.result.get("unanswered", []) if c not in assignment.points
    ]
    if not assignment.result or missing:
        raise ValidationError(f"尚有指标未评分：{'、'.join(sorted(set(missing))) or '全部'}")
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save()
    record(
        actor=actor,
        action="expert_score.submit",
        obj=assignment,
        ip=ip,
        summary=f"专家提交评分 {fmt(assignment.total or Decimal(0))} 分",
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    return assignment


@transaction.atomic
def unlock_assignment(*, actor: Any, assignment: Assignment, reason: str, ip: str | None = None) -> Assignment:
    """The organizer reopens a submitted sheet, with a reason (e.g. reconciliation, 复议)."""
    assignment = Assignment.objects.select_for_update().select_related("panel__campaign").get(pk=assignment.pk)
    if not is_organizer_for(actor, assignment.panel.campaign):
        raise PermissionDenied
    if assignment.status != Assignment.Status.SUBMITTED:
        raise ValidationError("只有已提交的评分可以解锁")
    if not reason.strip():
        raise ValidationError("解锁必须说明理由")
    assignment.status = Assignment.Status.CONFIRMED
    assignment.submitted_at = None
    assignment.save()
    record(
        actor=actor,
        action="expert_score.unlock",
        obj=assignment,
        ip=ip,
        summary=f"解锁专家评分：{reason}",
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    notify(users=[assignment.expert.user], text=f"您的评分已被解锁：{reason}", link="/reviews/expert/")
    return assignment


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


@transaction.atomic
def compute_results(*, actor: Any, campaign: Campaign, ip: str | None = None) -> list[Result]:
    """Aggregate every recommended application's submitted sheets by the campaign's method,
    flag divergence, decide eligibility and level from the framework, rank with the tie rule
    and the rural reservation, and store proposed results."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    if hasattr(campaign, "publication") and campaign.publication.status == Publication.Status.FINAL:
        raise ValidationError("最终名单已发布，不能重新计算")
    conf, _ = ReviewSettings.objects.get_or_create(campaign=campaign)
    agg_settings = aggregation.Settings(
        method=conf.method,
        level=conf.level,
        site_weight=conf.site_weight,
        divergence_total=conf.divergence_total,
        divergence_indicator=conf.divergence_indicator,
    )
    apps = finalists(campaign)
    results: list[Result] = []
    candidates: dict[str, list[aggregation.Candidate]] = {"school": [], "district": []}
    problems = []
    for application in apps:
        submitted = list(
            Assignment.objects.filter(application=application, status=Assignment.Status.SUBMITTED).select_related(
                "panel"
            )
        )
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
        result, _ = Result.objects.update_or_create(
            application=application,
            defaults={
                "campaign": campaign,
                "materials": agg.materials,
                "site": agg.site,
                "final": agg.score,
                "indicators": {k: str(v) for k, v in agg.indicators.items()},
                "method": agg.method,
                "divergent": agg.divergent,
                "spread": {
                    "total": str(agg.spread_total),
                    "indicators": {k: str(v) for k, v in agg.spread_indicators.items()},
                },
                "level": level,
                "note": "；".join(reasons)[:200],
                "status": Result.Status.PROPOSED,
            },
        )
        results.append(result)
        kind = "district" if application.unit.kind == Unit.Kind.COUNTY else "school"
        candidates[kind].append(
            aggregation.Candidate(
                key=str(result.pk),
                name=application.unit.name,
                score=agg.score,
                rural=application.unit.area == Unit.Area.RURAL,
                eligible=not reasons,
                tiebreak=(agg.materials, application.self_total),
                code=application.unit.code,
            )
        )
    by_pk = {str(r.pk): r for r in results}
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
            res.rank, res.selected = item.rank, item.selected
            if item.note:
                res.note = (f"{res.note}；{item.note}" if res.note else item.note)[:200]
            res.save()
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


@transaction.atomic
def publish_results(
    *, actor: Any, campaign: Campaign, starts_on: dt.date, ends_on: dt.date, ip: str | None = None
) -> Publication:
    """Put the proposed list up for public notice (公示). Two organizers publishing at once:
    the campaign row is locked and the second is refused."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    if Publication.objects.filter(campaign=campaign).exists():
        raise ValidationError("该活动已发布公示")
    if ends_on < starts_on:
        raise ValidationError("公示结束日期不能早于开始日期")
    if not Result.objects.filter(campaign=campaign).exists():
        raise ValidationError("尚无评审结果，请先计算结果")
    publication = Publication.objects.create(
        campaign=campaign, starts_on=starts_on, ends_on=ends_on, tie_rule=aggregation.TIE_RULE, published_by=actor
    )
    campaign.status = Campaign.Status.PUBLICITY
    campaign.save(update_fields=["status"])
    record(
        actor=actor,
        action="publication.publish",
        obj=publication,
        ip=ip,
        summary=f"发布公示 {starts_on} 至 {ends_on}",
        after={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        campaign_id=campaign.pk,
    )
    for result in Result.objects.filter(campaign=campaign).select_related("application__unit"):
        notify(
            users=_unit_users(result.application.unit, (Role.APPLICANT, Role.HEAD)),
            text=f"《{campaign}》拟定名单已公示（{starts_on} 至 {ends_on}），公示结束后发布最终结果",
            link=f"/reviews/public/{campaign.pk}/",
        )
    return publication


def lodge_objection(
    *,
    campaign: Campaign,
    name: str,
    contact: str,
    text: str,
    ip: str | None,
    application: Application | None = None,
    today: dt.date | None = None,
) -> Objection:
    """Anyone may object during the publication period (name and contact required, a few per
    hour per address)."""
    errors = {}
    if not name.strip():
        errors["name"] = "请填写姓名"
    if not contact.strip():
        errors["contact"] = "请填写联系方式"
    if not text.strip():
        errors["text"] = "请填写异议内容"
    for key, value in (("name", name), ("contact", contact), ("text", text)):
        if "\x00" in value:
            errors[key] = "内容含有不可见的空字符，请删除后重试"
    if errors:
        raise ValidationError(errors)
    publication = Publication.objects.filter(campaign=campaign).first()
    today = today or timezone.localdate()
    if (
        publication is None
        or publication.status != Publication.Status.PUBLICITY
        or not (publication.starts_on <= today <= publication.ends_on)
    ):
        raise ValidationError("当前不在公示期内，不能提出异议")
    since = timezone.now() - dt.timedelta(hours=1)
    if ip and Objection.objects.filter(ip=ip, created_at__gte=since).count() >= OBJECTIONS_PER_HOUR:
        raise ValidationError("提交过于频繁，请一小时后再试")
    objection = Objection.objects.create(
        campaign=campaign, application=application, name=name.strip(), contact=contact.strip(), text=text.strip(), ip=ip
    )
    record(
        actor=None,
        action="objection.lodge",
        obj=objection,
        ip=ip,
        summary=f"收到异议（{name.strip()}）",
        campaign_id=campaign.pk,
        unit_id=application.unit_id if application else None,
    )
    return objection


@transaction.atomic
def answer_objection(*, actor: Any, objection: Objection, answer: str, ip: str | None = None) -> Objection:
    objection = Objection.objects.select_for_update().select_related("campaign").get(pk=objection.pk)
    if not is_organizer_for(actor, objection.campaign):
        raise PermissionDenied
    if not answer.strip():
        raise ValidationError("请填写答复")
    objection.answer, objection.status = answer.strip(), Objection.Status.ANSWERED
    objection.answered_by, objection.answered_at = actor, timezone.now()
    objection.save()
    record(
        actor=actor,
        action="objection.answer",
        obj=objection,
        ip=ip,
        summary="答复异议",
        after={"answer": objection.answer},
        campaign_id=objection.campaign_id,
    )
    return objection


@transaction.atomic
def finalize_results(*, actor: Any, campaign: Campaign, ip: str | None = None) -> Publication:
    """Close the publication: results become final, each applicant is told its scores per
    indicator and the experts' comments (experts stay anonymous)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    publication = Publication.objects.filter(campaign=campaign).first()
    if publication is None or publication.status == Publication.Status.FINAL:
        raise ValidationError("没有待确认的公示")
    open_objections = campaign.objections.filter(status=Objection.Status.OPEN).count()
    if open_objections:
        raise ValidationError(f"尚有 {open_objections} 条异议未答复")
    publication.status, publication.finalized_at = Publication.Status.FINAL, timezone.now()
    publication.save()
    campaign.results.update(status=Result.Status.FINAL)
    campaign.status = Campaign.Status.CLOSED
    campaign.save(update_fields=["status"])
    for result in campaign.results.select_related("application__unit"):
        verdict = "入选" if result.selected else "未入选"
        level = f"，等级：{result.level}" if result.level else ""
        notify(
            users=_unit_users(result.application.unit, (Role.APPLICANT, Role.HEAD)),
            text=f"《{campaign}》最终结果：{verdict}，得分 {fmt(result.final)}{level}",
            link=f"/reviews/results/{result.pk}/",
        )
    record(
        actor=actor,
        action="publication.finalize",
        obj=publication,
        ip=ip,
        summary="发布最终名单",
        campaign_id=campaign.pk,
    )
    return publication


def feedback_for(result: Result) -> dict[str, Any]:
    """What an applicant sees of its review: final scores per indicator and the experts'
    comments, with the experts numbered, never named."""
    sheets = list(
        Assignment.objects.filter(application=result.application, status=Assignment.Status.SUBMITTED).order_by("pk")
    )
    comments: dict[str, list[tuple[str, str]]] = {}
    for number, sheet in enumerate(sheets, start=1):
        for code, text in sheet.comments.items():
            if text:
                comments.setdefault(code, []).append((f"专家{number}", text))
    return {"indicators": result.indicators, "comments": comments, "final": result.final, "method": result.method}

