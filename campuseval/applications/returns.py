"""What a returned application (退回修改) tells the school on its workspace: who returned it and
when, the reason, the 补正截止 with the days left, and the parts of the application the reason
names, so the officer goes straight to them instead of looking the reason up in 消息通知.

A return is written by two paths that both end in `services.mark_returned`: the plain return
(`services.return_application`, audited as `application.return`) and the county's first-review
decision 退回补充 (`reviews`, audited as `county_review.returned`). The application keeps the
reason, the moment and the deadline; the audit entry keeps who decided it (and, for a county
decision, the indicators the county adjusted). This module reads the newest such entry, so it
needs nothing from the apps above."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from campuseval.access.rules import first_review_unit
from campuseval.audit.models import AuditEntry
from campuseval.campaigns import stages
from campuseval.engine import Framework, formdefs

from .models import Application

#: the audit actions that return an application to the school
RETURN_ACTIONS = ("application.return", "county_review.returned")
#: a title or label shorter than this is too common a word to be taken as a mention
MIN_MENTION = 3
#: what in a reason means the signed and stamped scan is to be redone
SCAN_WORDS = ("扫描件", "盖章", "签字")


@dataclass(frozen=True)
class Mention:
    """An indicator the reason names (by its code or its title) or the county adjusted."""

    code: str
    title: str


@dataclass(frozen=True)
class ReturnNotice:
    reason: str
    returned_at: dt.datetime | None
    #: the person who returned it, and the unit that does the county step for this applicant
    returned_by: str
    reviewing_unit: str
    fix_deadline: dt.datetime | None
    days_left: int | None
    overdue: bool
    indicators: tuple[Mention, ...]
    #: the 申报书 fields the reason names (or ("申报书",) when it names the form itself)
    form_fields: tuple[str, ...]
    names_scan: bool


def _code_pattern(code: str) -> re.Pattern[str]:
    """A dotted code (1.1, 12.3) standing alone: not part of a longer number (21.1, 1.10)."""
    return re.compile(rf"(?<![\d.]){re.escape(code)}(?![\d.])")


def mentioned_indicators(fw: Framework, reason: str, adjusted: list[str]) -> tuple[Mention, ...]:
    """The leaves the reason names, in the framework's order: by a dotted code (a bare "3" is
    any number, so only codes with a dot count), by a title of at least MIN_MENTION characters,
    or because the county adjusted them in the decision that returned the application."""
    found = []
    for leaf in fw.leaves():
        by_code = "." in leaf.code and _code_pattern(leaf.code).search(reason) is not None
        by_title = len(leaf.title) >= MIN_MENTION and leaf.title in reason
        if by_code or by_title or leaf.code in adjusted:
            found.append(Mention(leaf.code, leaf.title))
    return tuple(found)


def mentioned_form_fields(definition: formdefs.FormDefinition, reason: str) -> tuple[str, ...]:
    labels = tuple(f.label for f in definition.fields() if len(f.label) >= MIN_MENTION and f.label in reason)
    if labels:
        return labels
    return ("申报书",) if "申报书" in reason else ()


def _adjusted_codes(after: object) -> list[str]:
    adjustments = after.get("adjustments") if isinstance(after, dict) else None
    if not isinstance(adjustments, list):
        return []
    return [str(a["code"]) for a in adjustments if isinstance(a, dict) and "code" in a]


def return_notice(
    application: Application,
    fw: Framework,
    definition: formdefs.FormDefinition,
    now: dt.datetime | None = None,
) -> ReturnNotice | None:
    """The notice of a returned application (None for any other status): one query for the
    audit entry of the return, and at most one for the reviewing unit's name."""
    if application.status != Application.Status.RETURNED:
        return None
    now = now or timezone.now()
    entry = (
        AuditEntry.objects.filter(action__in=RETURN_ACTIONS, object_type="Application", object_id=str(application.pk))
        .only("actor_name", "after")
        .order_by("-at", "-pk")
        .first()
    )
    reviewer = first_review_unit(application.unit)
    reason = application.return_reason or ""
    deadline = application.fix_deadline
    return ReturnNotice(
        reason=reason,
        returned_at=application.returned_at,
        returned_by=entry.actor_name if entry is not None else "",
        reviewing_unit=reviewer.name if reviewer is not None else "",
        fix_deadline=deadline,
        days_left=stages.days_until(deadline, now) if deadline is not None else None,
        overdue=deadline is not None and deadline < now,
        indicators=mentioned_indicators(fw, reason, _adjusted_codes(entry.after if entry is not None else None)),
        form_fields=mentioned_form_fields(definition, reason),
        names_scan=any(word in reason for word in SCAN_WORDS),
    )
