"""复议 (reconsideration): after publication, the only way a result changes.

The organizer opens one for a published application with a reason (often an upheld
objection) and names the experts who re-score it: their submitted sheets reopen, or a new
expert gets a fresh assignment. Closing it, once every named expert has submitted again,
recomputes the list and makes the next numbered publication with a new 公示 period; the
audit keeps the result before and after, and every unit whose published result moved is told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from campuseval.access.rules import is_organizer_for
from campuseval.accounts.models import Role, User
from campuseval.applications.models import Application
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign
from campuseval.notifications.services import notify

from ..models import (
    Assignment,
    Expert,
    Objection,
    Panel,
    Publication,
    PublishedEntry,
    Reconsideration,
)
from ..queries import current_publication
from .assignments import conflict_reason
from .common import clean_text, unit_users
from .publication import _check_dates, entry_state, make_publication
from .results import recompute_results


def _publicity(campaign: Campaign) -> Publication:
    publication = current_publication(campaign)
    if publication is None:
        raise ValidationError("尚未发布公示：公示前可直接解锁评分并重新计算")
    if publication.status == Publication.Status.FINAL:
        raise ValidationError("最终名单已发布，结果不再变更")
    return publication


@transaction.atomic
def open_reconsideration(
    *,
    actor: User,
    campaign: Campaign,
    application: Application,
    reason: str,
    experts: Sequence[Expert],
    objection: Objection | None = None,
    ip: str | None = None,
) -> Reconsideration:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    publication = _publicity(campaign)
    errors: dict[str, str] = {}
    if objection is not None:
        objection = Objection.objects.get(pk=objection.pk)
    entry = publication.entries.filter(application=application).first()
    if entry is None:
        errors["application"] = "所选申报不在当前公示名单中"
    if objection is not None and (
        objection.campaign_id != campaign.pk
        or objection.outcome != Objection.Outcome.UPHELD
        or objection.application_id != application.pk
    ):
        errors["objection"] = "只有针对该申报且已认定成立的异议可以据此启动复议"
    text = reason.strip()
    if not text:
        errors["reason"] = "请填写复议理由"
    if not experts:
        errors["experts"] = "请至少指定一位复议专家"
    for expert in experts:
        why = conflict_reason(expert, application)
        if why:
            errors["experts"] = f"{expert} 须回避：{why}"
    if Reconsideration.objects.filter(application=application, status=Reconsideration.Status.OPEN).exists():
        errors["application"] = "该申报已有进行中的复议"
    if errors:
        raise ValidationError(errors)
    text = clean_text(text, "复议理由", required=True, max_length=2000)
    reconsideration = Reconsideration.objects.create(
        campaign=campaign,
        application=application,
        objection=objection,
        reason=text,
        before=entry_state(entry),
        opened_by=actor,
    )
    reconsideration.experts.set(experts)
    panel = (
        Panel.objects.filter(campaign=campaign, kind=Panel.Kind.MATERIALS, assignments__application=application).first()
        or Panel.objects.filter(campaign=campaign, kind=Panel.Kind.MATERIALS).first()
    )
    if panel is None:
        raise ValidationError("本活动没有材料评审专家组，无法启动复议")
    for expert in experts:
        sheet = Assignment.objects.filter(
            application=application, expert=expert, panel__kind=Panel.Kind.MATERIALS
        ).first()
        if sheet is None:
            sheet = Assignment.objects.create(panel=panel, application=application, expert=expert)
        elif sheet.status == Assignment.Status.SUBMITTED:
            sheet.status, sheet.submitted_at = Assignment.Status.CONFIRMED, None
        elif sheet.status == Assignment.Status.ABSTAINED:
            raise ValidationError({"experts": f"{expert} 已对该申报回避，不能担任复议专家"})
        sheet.reconsideration = reconsideration
        sheet.save()
        notify(users=[expert.user], text=f"《{campaign}》复议任务：请重新评审（{text}）", link="/reviews/expert/")
    record(
        actor=actor,
        action="reconsideration.open",
        obj=reconsideration,
        ip=ip,
        summary=f"启动复议：{application.unit.name}（{text}）；复议专家：{'、'.join(str(e) for e in experts)}",
        before=reconsideration.before,
        campaign_id=campaign.pk,
        unit_id=application.unit_id,
    )
    return reconsideration


@transaction.atomic
def close_reconsideration(
    *,
    actor: User,
    reconsideration: Reconsideration,
    starts_on: dt.date,
    ends_on: dt.date,
    ip: str | None = None,
    today: dt.date | None = None,
) -> Publication:
    """Recompute with the re-scored sheets and publish the corrected list for a new 公示."""
    campaign = Campaign.objects.select_for_update().get(pk=reconsideration.campaign_id)
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    reconsideration = Reconsideration.objects.select_for_update().get(pk=reconsideration.pk)
    if reconsideration.status != Reconsideration.Status.OPEN:
        raise ValidationError("该复议已完成")
    previous = _publicity(campaign)
    _check_dates(starts_on, ends_on, today or timezone.localdate())
    waiting = [
        str(a.expert)
        for a in reconsideration.assignments.select_related("expert__user")
        if a.status != Assignment.Status.SUBMITTED
    ]
    if waiting:
        raise ValidationError(f"复议专家尚未提交评分：{'、'.join(waiting)}")
    before_entries = {e.application_id: e for e in previous.entries.select_related("publication")}
    recompute_results(actor=actor, campaign=campaign, ip=ip)
    application = reconsideration.application
    publication = make_publication(
        actor=actor,
        campaign=campaign,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=f"复议更正（{application.unit.name}）：{reconsideration.reason}",
    )
    after_entries = {e.application_id: e for e in publication.entries.select_related("publication")}
    reconsideration.status, reconsideration.closed_at = Reconsideration.Status.CLOSED, timezone.now()
    reconsideration.after = entry_state(after_entries.get(application.pk))
    reconsideration.publication = publication
    reconsideration.save()
    moved = _moved(before_entries, after_entries)
    for entry in moved:
        notify(
            users=unit_users(entry.application.unit, (Role.APPLICANT, Role.HEAD)),
            text=(
                f"《{campaign}》经复议更正后重新公示（第{publication.number}次，{starts_on} 至 {ends_on}），"
                "您单位的公示结果有变化"
            ),
            link=f"/reviews/public/{campaign.pk}/",
        )
    record(
        actor=actor,
        action="reconsideration.close",
        obj=reconsideration,
        ip=ip,
        summary=f"完成复议并发布第{publication.number}次公示：{application.unit.name}",
        before={str(k): entry_state(v) for k, v in before_entries.items()},
        after={str(k): entry_state(v) for k, v in after_entries.items()},
        campaign_id=campaign.pk,
        unit_id=application.unit_id,
    )
    return publication


def _moved(before: dict[int, PublishedEntry], after: dict[int, PublishedEntry]) -> list[PublishedEntry]:
    """Entries whose published rank, outcome, score or level differ between two publications."""
    moved = []
    for app_id, entry in after.items():
        old = before.get(app_id)
        state, old_state = entry_state(entry), entry_state(old)
        state.pop("publication", None)
        old_state.pop("publication", None)
        if state != old_state:
            moved.append(entry)
    return moved
