"""Publication (公示), objections, the final list and applicant feedback."""

from __future__ import annotations

import datetime as dt
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
    Result,
)
from .common import (
    OBJECTIONS_PER_HOUR,
    unit_users,
)


@transaction.atomic
def publish_results(
    *, actor: User, campaign: Campaign, starts_on: dt.date, ends_on: dt.date, ip: str | None = None
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
def answer_objection(*, actor: User, objection: Objection, answer: str, ip: str | None = None) -> Objection:
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
def finalize_results(*, actor: User, campaign: Campaign, ip: str | None = None) -> Publication:
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
            users=unit_users(result.application.unit, (Role.APPLICANT, Role.HEAD)),
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
