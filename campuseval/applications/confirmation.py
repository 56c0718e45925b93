"""The head's confirmation (负责人确认提交) as the school's people see it: who the heads of a unit
are, when the officer last asked them to confirm and submit, and whether an application looks
ready for them.

Only the head confirms the authenticity promise and submits (`services.submit_application`);
the officer (学校填报员) prepares everything and then asks the head (`services.ask_head_to_submit`,
audited as ASK_HEAD). An ask counts for the application's current turn only: once the
application is submitted or returned again, the officer asks anew."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from campuseval.access import rules
from campuseval.access.rules import Actor
from campuseval.accounts.models import Membership, Role, User
from campuseval.audit.models import AuditEntry
from campuseval.campaigns.services import form_definition as form_by_key  # a form file or one stored with its framework
from campuseval.engine import formdefs
from campuseval.orgs.models import Unit

from .models import Application

#: the audit action of an officer's ask; the entry's object is the application
ASK_HEAD = "application.ask_head"
#: an application's heads are asked at most once in this interval (by any of its officers)
ASK_INTERVAL = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Ask:
    application_id: int
    at: dt.datetime
    by: str
    note: str = ""


@dataclass(frozen=True)
class AskState:
    """What the submit page shows the officer beside the ask button."""

    heads: list[User]
    #: the last ask of this turn, and until when another is refused
    last: Ask | None
    again_at: dt.datetime | None

    @property
    def head_names(self) -> str:
        return "、".join(str(h) for h in self.heads)


def is_officer(user: Actor, application: Application) -> bool:
    """The application's unit's own officer (填报员): who asks the head (`access.rules`)."""
    return rules.is_officer(user, application.unit)


def heads_of(unit: Unit) -> list[User]:
    """The active accounts holding the head role (负责人) at the unit; one query."""
    rows = Membership.objects.filter(unit=unit, role=Role.HEAD, user__is_active=True).select_related("user")
    return sorted((m.user for m in rows), key=lambda u: u.pk)


def _turn_started(application: Application) -> dt.datetime | None:
    """When the application's current turn began: its last submission or return."""
    moments = [m for m in (application.submitted_at, application.returned_at) if m is not None]
    return max(moments) if moments else None


def latest_asks(applications: Sequence[Application]) -> dict[int, Ask]:
    """The last ask of the current turn of each application that has one; one query however
    many applications (the interval keeps an application's asks few)."""
    if not applications:
        return {}
    by_pk = {str(a.pk): a for a in applications}
    rows = (
        AuditEntry.objects.filter(action=ASK_HEAD, object_type="Application", object_id__in=list(by_pk))
        .order_by("-at", "-pk")
        .values_list("object_id", "at", "actor_name", "after")
    )
    found: dict[int, Ask] = {}
    for object_id, at, actor_name, after in rows:
        application = by_pk[object_id]
        if application.pk in found:
            continue
        started = _turn_started(application)
        if started is not None and at < started:
            continue
        note = str(after.get("note") or "") if isinstance(after, dict) else ""
        found[application.pk] = Ask(application.pk, at, actor_name, note)
    return found


def last_ask_within(application: Application, now: dt.datetime) -> Ask | None:
    """The newest ask of any turn less than ASK_INTERVAL ago (an ask just before a submission
    still holds back the next one)."""
    row = (
        AuditEntry.objects.filter(
            action=ASK_HEAD,
            object_type="Application",
            object_id=str(application.pk),
            at__gt=now - ASK_INTERVAL,
        )
        .order_by("-at", "-pk")
        .values_list("at", "actor_name")
        .first()
    )
    return Ask(application.pk, row[0], row[1]) if row is not None else None


def ask_state(user: Actor, application: Application, now: dt.datetime | None = None) -> AskState | None:
    """For the officer of an application the school still prepares: its heads and the last
    ask; None for anyone else (the head submits, readers above only read)."""
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        return None
    if not is_officer(user, application):
        return None
    now = now or timezone.now()
    last = latest_asks([application]).get(application.pk)
    again_at = last.at + ASK_INTERVAL if last is not None and last.at + ASK_INTERVAL > now else None
    return AskState(heads=heads_of(application.unit), last=last, again_at=again_at)


def looks_complete(application: Application, result: dict[str, Any] | None = None) -> bool:
    """Whether the stored score says the application is complete: every indicator answered
    (the choose-one chosen), the eligibility met, the 申报书's required fields filled, the
    campaign's minimum self-score reached and the stamped scan there when asked for. A cheap
    reading of stored data for lists of many applications (no scoring, no query); the submit
    page's `services.submission_problems` remains the check that decides."""
    result = application.result if result is None else result
    if not result or result.get("unanswered"):
        return False
    eligibility = result.get("eligibility") or {}
    if eligibility.get("applies") and not eligibility.get("eligible"):
        return False
    if formdefs.missing_required(form_by_key(application.form_key), application.form_data or {}):
        return False
    minimum = application.campaign.min_self_score
    if minimum is not None and application.self_total < minimum:
        return False
    if application.campaign.requires_stamped_scans:
        if not application.stamped_scan:
            return False
        returned, scanned = application.returned_at, application.stamped_scan_at
        if returned is not None and scanned is not None and scanned < returned:
            return False
    return True
