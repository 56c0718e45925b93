"""County first review (县级初审): the decision with its adjustments, and version diffs."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from campuseval.access.rules import is_county_reviewer_for
from campuseval.accounts.models import Role, User
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.applications.services import display, mark_returned
from campuseval.audit.services import record
from campuseval.campaigns import stages
from campuseval.campaigns.scoring import framework_for
from campuseval.campaigns.services import form_definition as form_by_key  # a form file or one stored with its framework
from campuseval.engine import ScoreResult, formdefs
from campuseval.engine.numbers import fmt
from campuseval.notifications.services import notify

from ..models import (
    Adjustment,
    CountyReview,
)
from .common import (
    latest_version,
    score_answers,
    to_decimal,
    unit_users,
)

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
    actor: User,
    application: Application,
    decision: str,
    reason: str = "",
    opinion: str = "",
    adjustments: Sequence[AdjustmentInput] = (),
    fix_deadline: dt.date | None = None,
    ip: str | None = None,
) -> CountyReview:
    """The county's decision on the latest submitted version: accept with a county score
    (adjusted inputs or points, each with its reason, the self-score kept beside it) and an
    opinion; reject with reasons; or return for more information with reasons and a 补正截止
    (the chosen day, else the campaign's `fix_days` from now). Only while the county review
    stage runs."""
    application = Application.objects.select_for_update().select_related("campaign").get(pk=application.pk)
    if not is_county_reviewer_for(actor, application.unit):
        raise PermissionDenied
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(
            gettext("申报当前状态为“%(status)s”，只有已提交的申报可以初审")
            % {"status": application.get_status_display()}
        )
    stages.check_open(application.campaign, stages.Action.COUNTY_REVIEW)
    if decision not in CountyReview.Decision.values:
        raise ValidationError(gettext("请选择初审结论"))
    reason = reason.strip()
    if decision in (CountyReview.Decision.REJECTED, CountyReview.Decision.RETURNED) and not reason:
        raise ValidationError(gettext("退回或不予推荐时必须填写理由"))
    version = latest_version(application)
    answers = copy.deepcopy(version.answers)
    overrides: dict[str, Decimal] = {}
    fw = framework_for(application.framework)
    for adj in adjustments:
        node = fw.by_code.get(adj.code)
        if node is None or not node.is_leaf:
            raise ValidationError(gettext("指标 %(code)s 不存在或不是末级指标") % {"code": adj.code})
        if not adj.reason.strip():
            raise ValidationError(gettext("指标 %(code)s 的调整必须说明理由") % {"code": adj.code})
        if adj.field == "points":
            overrides[adj.code] = to_decimal(adj.value, f"指标 {adj.code} 的调整分值")
        elif adj.field in node.inputs:
            answers.setdefault("answers", {}).setdefault(adj.code, {})[adj.field] = adj.value
        else:
            raise ValidationError(gettext("指标 %(code)s 没有字段 %(field)s") % {"code": adj.code, "field": adj.field})
    deadline = (
        stages.fix_deadline_of(application.campaign, fix_deadline)
        if decision == CountyReview.Decision.RETURNED
        else None
    )
    result: ScoreResult | None = None
    if decision == CountyReview.Decision.ACCEPTED:
        result = score_answers(application, answers, overrides)
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
    if deadline is not None:
        mark_returned(application, reason=reason, fix_deadline=deadline)
    else:
        if decision == CountyReview.Decision.REJECTED:
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
            **({"fix_deadline": stages.when(deadline)} if deadline is not None else {}),
        },
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    texts: dict[str, str] = {
        CountyReview.Decision.RETURNED: f"您的申报《{application.campaign}》被退回补充材料"
        + (f"，请于 {stages.when(deadline)} 前修改并重新提交" if deadline is not None else "")
        + f"：{reason}",
        CountyReview.Decision.REJECTED: f"您的申报《{application.campaign}》未通过县级初审：{reason}",
        CountyReview.Decision.ACCEPTED: f"您的申报《{application.campaign}》已通过县级初审",
    }
    notify(
        users=unit_users(application.unit, (Role.APPLICANT, Role.HEAD)),
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


#: how the version diff names the parts of an application that are not indicators
SECTION_NAMES = {
    "context": "基本情况",
    "choices": "方向选择",
    "declarations": "否决情形声明",
    "form": "申报书",
    "evidence": "佐证材料",
}


def _shown(value: Any) -> str | None:
    """A stored value as the reviewer reads it (是/否, lists joined), None for nothing."""
    if value is None or value == "" or value == []:
        return None
    return display(value)


def labelled_version_diff(
    application: Application, older: ApplicationVersion, newer: ApplicationVersion
) -> list[tuple[str, str, str | None, str | None]]:
    """What changed between two versions, in the words the reviewer reads on the forms:
    (where, what, before, after) with the indicator's code and title, the input's label, the
    application form's field labels, 是/否 for yes/no answers, the 自评说明 of each indicator and
    the evidence files added or removed."""
    fw = framework_for(application.framework)
    definition = form_by_key(application.form_key)
    fields = {f.key: f for f in definition.fields()}
    exclusions = {e.key: e.label for e in (fw.eligibility.exclusions if fw.eligibility else ())}

    def where(code: str) -> str:
        node = fw.by_code.get(code)
        return f"{node.code} {node.title}" if node is not None else code

    rows: list[tuple[str, str, str | None, str | None]] = []
    for code, key, old, new in version_diff(older.answers, newer.answers):
        node = fw.by_code.get(code)
        if code == "context":
            spec = fw.context.get(key)
            rows.append((SECTION_NAMES[code], spec.label if spec else key, _shown(old), _shown(new)))
        elif code == "choices":
            rows.append(
                (
                    SECTION_NAMES[code],
                    where(key),
                    _shown(where(old) if old else old),
                    _shown(where(new) if new else new),
                )
            )
        elif code == "declarations":
            rows.append((SECTION_NAMES[code], exclusions.get(key, key), _shown(old), _shown(new)))
        else:
            spec = node.inputs.get(key) if node is not None else None
            rows.append((where(code), spec.label if spec else key, _shown(old), _shown(new)))
    old_notes, new_notes = older.narratives or {}, newer.narratives or {}
    for code in sorted(set(old_notes) | set(new_notes)):
        if (old_notes.get(code) or "").strip() != (new_notes.get(code) or "").strip():
            rows.append((where(code), "自评说明", _shown(old_notes.get(code)), _shown(new_notes.get(code))))
    old_form, new_form = older.form_data or {}, newer.form_data or {}
    for key in sorted(set(old_form) | set(new_form)):
        if old_form.get(key) != new_form.get(key):
            f = fields.get(key)
            if f is None:
                rows.append((SECTION_NAMES["form"], key, _shown(old_form.get(key)), _shown(new_form.get(key))))
                continue
            before, after = formdefs.display_value(f, old_form.get(key)), formdefs.display_value(f, new_form.get(key))
            rows.append((SECTION_NAMES["form"], f.label, before or None, after or None))

    def files(version: ApplicationVersion) -> dict[Any, dict[str, Any]]:
        return {item.get("id") or item.get("sha256"): item for item in version.evidence or []}

    old_files, new_files = files(older), files(newer)
    for key, item in new_files.items():
        if key not in old_files:
            code = item.get("indicator") or ""
            rows.append(
                (SECTION_NAMES["evidence"], where(code) if code else "申报书", None, f"新增：{item.get('name')}")
            )
    for key, item in old_files.items():
        if key not in new_files:
            code = item.get("indicator") or ""
            rows.append(
                (SECTION_NAMES["evidence"], where(code) if code else "申报书", f"删除：{item.get('name')}", None)
            )
    return rows
