"""Publication (公示), objections, the final list and applicant feedback.

A publication freezes the results as they stand into numbered `PublishedEntry` rows: the
public list, the applicant's result page and the notice print those, never the live sheets.
After the first publication a result changes only through a recorded 复议
(`reconsideration.py`), which makes the next publication; the final list changes no more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from campuseval.access.rules import is_organizer_for
from campuseval.accounts.models import Role, User
from campuseval.applications.models import Application
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign
from campuseval.engine.numbers import fmt
from campuseval.notifications.services import notify

from .. import aggregation
from ..models import (
    Assignment,
    Objection,
    Publication,
    PublishedEntry,
    Reconsideration,
    Result,
    ReviewSettings,
)
from ..queries import current_publication
from .common import (
    OBJECTIONS_PER_HOUR,
    clean_text,
    unit_users,
)


def entry_state(entry: PublishedEntry | None) -> dict[str, Any]:
    """What the audit keeps of one application's published result (before and after)."""
    if entry is None:
        return {}
    return {
        "publication": entry.publication.number,
        "rank": entry.rank,
        "selected": entry.selected,
        "final": fmt(entry.final),
        "materials": fmt(entry.materials),
        "level": entry.level,
    }


def feedback_for(result: Result) -> dict[str, Any]:
    """What an applicant sees of its review: the experts' comments per indicator and overall,
    with the experts numbered, never named. Read once, when a publication freezes it."""
    sheets = list(
        Assignment.objects.filter(application=result.application, status=Assignment.Status.SUBMITTED).order_by("pk")
    )
    comments: dict[str, list[tuple[str, str]]] = {}
    overall: list[tuple[str, str]] = []
    for number, sheet in enumerate(sheets, start=1):
        for code, text in sheet.comments.items():
            if text:
                comments.setdefault(code, []).append((f"专家{number}", text))
        if sheet.overall_comment.strip():
            overall.append((f"专家{number}", sheet.overall_comment.strip()))
    return {"indicators": comments, "overall": overall}


def _snapshot(publication: Publication) -> list[PublishedEntry]:
    """Freeze every result of the campaign into the publication."""
    results = Result.objects.filter(campaign_id=publication.campaign_id).select_related("application__unit__parent")
    entries = []
    for r in results:
        unit = r.application.unit
        entries.append(
            PublishedEntry(
                publication=publication,
                application=r.application,
                kind=r.kind,
                unit_name=unit.name,
                county_name=unit.parent.name if unit.parent_id and unit.parent else "",
                area=unit.get_area_display() if unit.area else "",
                rank=r.rank,
                selected=r.selected,
                materials=r.materials,
                site=r.site,
                final=r.final,
                level=r.level,
                method=r.method,
                note=r.note,
                override_reason=r.override_reason,
                indicators=r.indicators,
                comments=feedback_for(r),
            )
        )
    return PublishedEntry.objects.bulk_create(entries)


def _check_dates(starts_on: dt.date, ends_on: dt.date, today: dt.date) -> None:
    errors = {}
    if starts_on < today:
        errors["starts_on"] = f"公示开始日期不能早于今天（{today}）"
    if ends_on < starts_on:
        errors["ends_on"] = "公示结束日期不能早于开始日期"
    if errors:
        raise ValidationError(errors)


def make_publication(
    *,
    actor: User,
    campaign: Campaign,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str = "",
    status: str = Publication.Status.PUBLICITY,
) -> Publication:
    """Supersede the current publication (if any) and freeze the next numbered one. The
    caller holds the campaign row lock and has checked the permission."""
    previous = current_publication(campaign)
    if previous is not None:
        previous.status = Publication.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    publication = Publication.objects.create(
        campaign=campaign,
        number=(previous.number + 1) if previous else 1,
        starts_on=starts_on,
        ends_on=ends_on,
        tie_rule=aggregation.TIE_RULE,
        reason=reason,
        status=status,
        published_by=actor,
    )
    _snapshot(publication)
    return publication


@transaction.atomic
def publish_results(
    *,
    actor: User,
    campaign: Campaign,
    starts_on: dt.date,
    ends_on: dt.date,
    ip: str | None = None,
    today: dt.date | None = None,
) -> Publication:
    """Put the proposed list up for public notice (公示), frozen as it stands. Two organizers
    publishing at once: the campaign row is locked and the second is refused."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    if Publication.objects.filter(campaign=campaign).exists():
        raise ValidationError("该活动已发布公示；公示后的结果变更须通过复议，并重新公示")
    _check_dates(starts_on, ends_on, today or timezone.localdate())
    if not Result.objects.filter(campaign=campaign).exists():
        raise ValidationError("尚无评审结果，请先计算结果")
    publication = make_publication(actor=actor, campaign=campaign, starts_on=starts_on, ends_on=ends_on)
    campaign.status = Campaign.Status.PUBLICITY
    campaign.save(update_fields=["status"])
    record(
        actor=actor,
        action="publication.publish",
        obj=publication,
        ip=ip,
        summary=f"发布第{publication.number}次公示 {starts_on} 至 {ends_on}",
        after={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "number": publication.number},
        campaign_id=campaign.pk,
    )
    for result in Result.objects.filter(campaign=campaign).select_related("application__unit"):
        notify(
            users=unit_users(result.application.unit, (Role.APPLICANT, Role.HEAD)),
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
    """Anyone may object during the publication period, naming the published application it
    concerns (name and contact required, a few per hour per address)."""
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
    publication = current_publication(campaign)
    if application is None:
        errors["application"] = "请选择异议涉及的申报单位"
    elif publication is not None and not publication.entries.filter(application=application).exists():
        errors["application"] = "所选申报单位不在本次公示名单中"
    if errors:
        raise ValidationError(errors)
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
def answer_objection(
    *, actor: User, objection: Objection, outcome: str, answer: str, ip: str | None = None
) -> Objection:
    """Answer an objection upheld (异议成立: a 复议 follows) or rejected, always with a reason.
    The final list, once published, closes the objections."""
    objection = Objection.objects.select_for_update().select_related("campaign").get(pk=objection.pk)
    if not is_organizer_for(actor, objection.campaign):
        raise PermissionDenied
    publication = current_publication(objection.campaign)
    if publication is not None and publication.status == Publication.Status.FINAL:
        raise ValidationError("最终名单已发布，不能再处理异议")
    errors = {}
    if outcome not in Objection.Outcome.values:
        errors["outcome"] = "请选择处理结果（异议成立或不成立）"
    text = answer.strip()
    if not text:
        errors["answer"] = "请填写答复理由"
    if errors:
        raise ValidationError(errors)
    before = {"status": objection.status, "outcome": objection.outcome, "answer": objection.answer}
    objection.answer, objection.outcome, objection.status = text, outcome, Objection.Status.ANSWERED
    objection.answered_by, objection.answered_at = actor, timezone.now()
    objection.save()
    record(
        actor=actor,
        action="objection.answer",
        obj=objection,
        ip=ip,
        summary=f"答复异议：{objection.get_outcome_display()}",
        before=before,
        after={"status": objection.status, "outcome": outcome, "answer": text},
        campaign_id=objection.campaign_id,
        unit_id=objection.application.unit_id if objection.application else None,
    )
    return objection


def finalize_blockers(campaign: Campaign, *, today: dt.date | None = None) -> list[str]:
    """Why the final list cannot be published yet (empty when it can): the 公示 must have
    ended, every objection have an outcome, every 复议 be closed and every divergent result
    be re-scored or explained. Read by the desk (the disabled button says why) and enforced
    by `finalize_results`."""
    today = today or timezone.localdate()
    conf = ReviewSettings.objects.filter(campaign=campaign).first()
    publication = current_publication(campaign)
    problems = []
    if publication is not None and publication.status == Publication.Status.FINAL:
        return ["最终名单已发布"]
    if publication is None:
        if conf is None or conf.publicity:
            return ["尚未发布公示"]
        if not Result.objects.filter(campaign=campaign).exists():
            return ["尚无评审结果，请先计算结果"]
    elif today <= publication.ends_on:
        problems.append(
            f"第{publication.number}次公示期至 {publication.ends_on} 结束，"
            f"{publication.ends_on + dt.timedelta(days=1)} 起方可发布最终名单"
        )
    unanswered = campaign.objections.filter(status=Objection.Status.OPEN).count()
    if unanswered:
        problems.append(f"尚有 {unanswered} 条异议未答复")
    upheld_without = (
        campaign.objections.filter(outcome=Objection.Outcome.UPHELD).exclude(reconsiderations__isnull=False).count()
    )
    if upheld_without:
        problems.append(f"{upheld_without} 条成立的异议尚未启动复议")
    open_reconsiderations = Reconsideration.objects.filter(campaign=campaign, status=Reconsideration.Status.OPEN)
    if open_reconsiderations.exists():
        names = "、".join(r.application.unit.name for r in open_reconsiderations.select_related("application__unit"))
        problems.append(f"复议尚未完成：{names}")
    divergent = _unresolved_divergence(campaign)
    if divergent:
        problems.append(f"需复议（专家评分分歧超过阈值）且未处理：{'、'.join(divergent)}")
    return problems


def _unresolved_divergence(campaign: Campaign) -> list[str]:
    reconsidered = set(
        Reconsideration.objects.filter(campaign=campaign, status=Reconsideration.Status.CLOSED).values_list(
            "application_id", flat=True
        )
    )
    return [
        r.application.unit.name
        for r in Result.objects.filter(campaign=campaign, divergent=True, divergence_resolution="").select_related(
            "application__unit"
        )
        if r.application_id not in reconsidered
    ]


def _close_statuses(entries: Iterable[PublishedEntry]) -> None:
    """The applicants' status reads the final outcome from now on."""
    selected = [e.application_id for e in entries if e.selected]
    others = [e.application_id for e in entries if not e.selected]
    Application.objects.filter(pk__in=selected).update(status=Application.Status.SELECTED)
    Application.objects.filter(pk__in=others).update(status=Application.Status.NOT_SELECTED)


@transaction.atomic
def finalize_results(
    *, actor: User, campaign: Campaign, ip: str | None = None, today: dt.date | None = None
) -> Publication:
    """Publish the final list: the last publication becomes final and immutable, each
    applicant's status reads 入选 / 未入选 and each is told its frozen scores. A campaign
    without 公示 (an evaluation that skips it) freezes its results straight into the final list."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    today = today or timezone.localdate()
    problems = finalize_blockers(campaign, today=today)
    if problems:
        raise ValidationError(problems)
    publication = current_publication(campaign)
    if publication is None:
        publication = make_publication(
            actor=actor, campaign=campaign, starts_on=today, ends_on=today, status=Publication.Status.FINAL
        )
    publication.status, publication.finalized_at = Publication.Status.FINAL, timezone.now()
    publication.save()
    campaign.results.update(status=Result.Status.FINAL)
    campaign.status = Campaign.Status.CLOSED
    campaign.save(update_fields=["status"])
    entries = list(publication.entries.select_related("application__unit"))
    _close_statuses(entries)
    results = {r.application_id: r.pk for r in campaign.results.all()}
    for entry in entries:
        verdict = "入选" if entry.selected else "未入选"
        level = f"，等级：{entry.level}" if entry.level else ""
        notify(
            users=unit_users(entry.application.unit, (Role.APPLICANT, Role.HEAD)),
            text=f"《{campaign}》最终结果：{verdict}，得分 {fmt(entry.final)}{level}",
            link=f"/reviews/results/{results.get(entry.application_id, 0)}/",
        )
    record(
        actor=actor,
        action="publication.finalize",
        obj=publication,
        ip=ip,
        summary=f"发布最终名单（以第{publication.number}次公示为准）",
        after={"selected": [e.unit_name for e in entries if e.selected]},
        campaign_id=campaign.pk,
    )
    return publication


def _locked_result(actor: User, result: Result) -> Result:
    result = Result.objects.select_for_update().select_related("campaign", "application__unit").get(pk=result.pk)
    if not is_organizer_for(actor, result.campaign):
        raise PermissionDenied
    return result


@transaction.atomic
def override_selection(
    *, actor: User, result: Result, selected: bool | None, reason: str, ip: str | None = None
) -> Result:
    """The organizer decides 入选 against the computed ranking, with a recorded reason (e.g.
    "综合考虑城乡等因素进行评选"); `None` returns to the computed outcome. Before the first
    publication only: afterwards, only a 复议 changes a result."""
    result = _locked_result(actor, result)
    if Publication.objects.filter(campaign=result.campaign).exists():
        raise ValidationError("已发布公示，入选调整须通过复议")
    text = clean_text(reason, "调整理由", required=selected is not None, max_length=1000)
    before = {"selected": result.selected, "override": result.selection_override, "reason": result.override_reason}
    if result.selection_override is None and selected is not None and selected == result.selected:
        raise ValidationError({"selected": f"该单位按排名已{'入选' if selected else '未入选'}，无需调整"})
    computed = result.selected if result.selection_override is None else _computed_selected(result)
    result.selection_override = selected
    result.override_reason = text if selected is not None else ""
    result.selected = computed if selected is None else selected
    result.save(update_fields=["selection_override", "override_reason", "selected"])
    record(
        actor=actor,
        action="result.override",
        obj=result,
        ip=ip,
        summary=(
            f"撤销入选调整：{result.application.unit.name}"
            if selected is None
            else f"调整为{'入选' if selected else '未入选'}：{result.application.unit.name}（{text}）"
        ),
        before=before,
        after={"selected": result.selected, "override": selected, "reason": result.override_reason},
        campaign_id=result.campaign_id,
        unit_id=result.application.unit_id,
    )
    return result


def _computed_selected(result: Result) -> bool:
    """The ranking's own outcome for a result the organizer overrode (kept in `spread`)."""
    return bool((result.spread or {}).get("computed_selected", result.selected))


@transaction.atomic
def resolve_divergence(*, actor: User, result: Result, reason: str, ip: str | None = None) -> Result:
    """Record why a divergent result stands (the experts' differing views were checked), so
    the final list need not wait for a 复议 on it."""
    result = _locked_result(actor, result)
    publication = current_publication(result.campaign)
    if publication is not None and publication.status == Publication.Status.FINAL:
        raise ValidationError("最终名单已发布，不能再修改")
    if not result.divergent:
        raise ValidationError("该结果没有超过阈值的评分分歧")
    text = clean_text(reason, "分歧处理说明", required=True, max_length=1000)
    result.divergence_resolution = text
    result.save(update_fields=["divergence_resolution"])
    record(
        actor=actor,
        action="result.divergence_resolved",
        obj=result,
        ip=ip,
        summary=f"分歧已核实：{result.application.unit.name}（{text}）",
        after={"resolution": text, "spread": result.spread},
        campaign_id=result.campaign_id,
        unit_id=result.application.unit_id,
    )
    return result
