"""What the review services share: the stale-revision error, scoring an application's
answers, number and text cleaning, and who hears about a unit's outcome."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import InvalidAnswers, ScoreResult, score
from campuseval.engine.numbers import to_decimal as read_decimal
from campuseval.orgs.models import Unit

OBJECTIONS_PER_HOUR = 5


class StaleRevision(ValidationError):
    """A save carried an older revision than the stored one: someone else saved first."""


def latest_version(application: Application) -> ApplicationVersion:
    version = application.versions.order_by("-number").first()
    if version is None:
        raise ValidationError("该申报尚未提交，没有可审核的版本")
    return version


def score_answers(
    application: Application, answers: Mapping[str, Any], overrides: Mapping[str, Decimal] | None = None
) -> ScoreResult:
    fw = framework_for(application.framework)
    try:
        return score(fw, answers, as_of=application.campaign.as_of, overrides=overrides)
    except InvalidAnswers as exc:
        raise ValidationError([f"{p.code} {p.field}：{p.message_zh}".strip() for p in exc.problems]) from exc


def to_decimal(value: Any, label: str) -> Decimal:
    """A finite number in ASCII digits (the engine's reading): NaN, Infinity and unicode digits
    are refused here, naming the field, before any comparison could signal InvalidOperation."""
    try:
        return read_decimal(str(value).strip())
    except ValueError:
        shown = str(value) if len(str(value)) <= 30 else str(value)[:30] + "…"
        raise ValidationError(f"{label}应为数字，收到「{shown}」") from None


def unit_users(unit: Unit, roles: Sequence[str] = (Role.APPLICANT, Role.HEAD, Role.COUNTY_REVIEWER)) -> list[User]:
    return [m.user for m in Membership.objects.filter(unit=unit, role__in=roles).select_related("user")]


def clean_text(value: str, label: str, *, required: bool = False, max_length: int = 200) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({label: "内容含有不可见的空字符，请删除后重试"})
    if required and not value:
        raise ValidationError({label: "此项必填"})
    if len(value) > max_length:
        raise ValidationError({label: f"不能超过 {max_length} 个字"})
    return value
