"""A campaign's stages as they gate what may be done: which stage runs now, how many days are
left, and whether an action (申报、补正、县级初评、推荐、专家评审) is open at a given moment.

The one place the dates are read. Services call `check_open` before writing, pages call
`action_problem` to explain why a button is missing; both say the same Chinese sentence
("县级初评阶段尚未开始（2026-12-10 开始）"). A stage the organizer did not set gates nothing
by date; a campaign in preparation or closed refuses everything."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import F, Func, Model, QuerySet, TextField
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy

from .models import Campaign, Stage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_M = TypeVar("_M", bound=Model)


class Action(StrEnum):
    """What people do in a campaign, each run in one stage."""

    APPLY = "apply"  # start, save and submit an application
    COUNTY_REVIEW = "county_review"  # the county's decision and its return for 补正
    RECOMMEND = "recommend"  # the county's recommendation list: save, upload, confirm
    CITY_RECOMMEND = "city_recommend"  # the city's list, from the counties' confirmed lists
    EXPERT_REVIEW = "expert_review"  # experts score


#: the stage each action runs in
ACTION_STAGE: dict[Action, str] = {
    Action.APPLY: Stage.Kind.APPLY,
    Action.COUNTY_REVIEW: Stage.Kind.COUNTY_REVIEW,
    Action.RECOMMEND: Stage.Kind.COUNTY_REVIEW,
    Action.CITY_RECOMMEND: Stage.Kind.COUNTY_REVIEW,
    Action.EXPERT_REVIEW: Stage.Kind.EXPERT_REVIEW,
}

#: how the refusal names the action ("不能再{verb}")
VERBS: dict[Action, StrOrPromise] = {
    Action.APPLY: pgettext_lazy("action", "申报或修改申报"),
    Action.COUNTY_REVIEW: pgettext_lazy("action", "进行县级初评"),
    Action.RECOMMEND: pgettext_lazy("action", "修改或确认推荐名单"),
    Action.CITY_RECOMMEND: pgettext_lazy("action", "修改或确认市级推荐名单"),
    Action.EXPERT_REVIEW: pgettext_lazy("action", "评分"),
}

#: how a stage's closing is said ("申报已于 … 截止"), translated where it is said
CLOSED_NAMES: dict[str, str] = {
    Stage.Kind.APPLY: gettext_noop("申报"),
    Stage.Kind.COUNTY_REVIEW: gettext_noop("县级初评"),
    Stage.Kind.EXPERT_REVIEW: gettext_noop("市/省级评审"),
    Stage.Kind.PUBLICITY: gettext_noop("公示"),
}


def when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def day(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


#: where `attach_stages` keeps the stages read with the row that brought the campaign
_ATTACHED = "_stages_read_with_row"


def stages_of(campaign: Campaign) -> list[Stage]:
    """The campaign's stages in time order (stages read with the application by `with_stage_rows`,
    or prefetched `stages`, are used without a query)."""
    attached: list[Stage] | None = getattr(campaign, _ATTACHED, None)
    if attached is not None:
        return attached
    return sorted(campaign.stages.all(), key=lambda s: s.starts_at)


class _StageRows(Func):
    """The stages of the campaign whose id is the expression, as one JSON text
    `[[id, kind, starts_at, deadline], …]`, read in the same statement as the outer row.

    Why not a cache: an autosave checks the apply stage's dates on every request, and on
    PostgreSQL each query is a round trip costing more than the whole check. A cache in each
    server process would keep a changed deadline from the other processes; a shared cache
    (Redis) is still a round trip and needs invalidating. Read with the application row, the
    dates cost nothing extra and are never older than the row itself."""

    output_field = TextField()
    _SELECT = (
        "(SELECT COALESCE({agg}({row}(s.id, s.kind, s.starts_at, s.deadline)){cast}, '[]') "
        'FROM "{table}" s WHERE s.campaign_id = %(expressions)s)'
    )

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        table = Stage._meta.db_table
        if connection.vendor == "postgresql":
            template = self._SELECT.format(agg="json_agg", row="json_build_array", cast="::text", table=table)
        elif connection.vendor == "sqlite":
            template = self._SELECT.format(agg="json_group_array", row="json_array", cast="", table=table)
        else:  # another database: no folded read, stages_of queries as before
            return super().as_sql(compiler, connection, template="NULL", **extra)
        return super().as_sql(compiler, connection, template=template, **extra)


STAGE_ROWS = "stage_rows"


def with_stage_rows(qs: QuerySet[_M], campaign_field: str = "campaign_id") -> QuerySet[_M]:
    """`qs` with each row's campaign stages folded into the same statement (`attach_stages`
    puts them on the campaign after reading)."""
    annotated: QuerySet[_M] = qs.annotate(**{STAGE_ROWS: _StageRows(F(campaign_field))})
    return annotated


def _moment(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)  # SQLite keeps UTC


def attach_stages(campaign: Campaign, rows: str | None) -> Campaign:
    """Give `campaign` the stages read by `with_stage_rows` (JSON text); None (not read) leaves it
    to query as before."""
    if rows is None:
        return campaign
    stages = [
        Stage(pk=pk, campaign=campaign, kind=kind, starts_at=_moment(starts_at), deadline=_moment(deadline))
        for pk, kind, starts_at, deadline in json.loads(rows)
    ]
    setattr(campaign, _ATTACHED, sorted(stages, key=lambda s: s.starts_at))
    return campaign


def stage_of(campaign: Campaign, kind: str) -> Stage | None:
    return next((s for s in stages_of(campaign) if s.kind == kind), None)


def current_stage(campaign: Campaign, now: dt.datetime | None = None) -> Stage | None:
    """The stage running now, else the next one to start, else None (all are over)."""
    now = now or timezone.now()
    stages = stages_of(campaign)
    running = [s for s in stages if s.starts_at <= now <= s.deadline]
    upcoming = [s for s in stages if s.starts_at > now]
    return next(iter(running or upcoming), None)


def days_until(moment: dt.datetime, now: dt.datetime | None = None) -> int:
    """Whole days from now until `moment`, rounded up (a deadline later today is 1 day away);
    0 once it has passed."""
    now = now or timezone.now()
    seconds = (moment - now).total_seconds()
    return max(math.ceil(seconds / 86400), 0)


@dataclass(frozen=True)
class StageState:
    """What a page says about a campaign's stage: its name, whether it runs now, and the days
    left until it closes (running) or starts (upcoming)."""

    stage: Stage | None
    running: bool
    days: int

    @property
    def label(self) -> str:
        return str(self.stage.get_kind_display()) if self.stage is not None else gettext("各阶段已结束")

    @property
    def text(self) -> str:
        if self.stage is None:
            return gettext("各阶段已结束")
        if self.running:
            return ngettext(
                "%(stage)s进行中，剩余 %(days)s 天（%(deadline)s 截止）",
                "%(stage)s进行中，剩余 %(days)s 天（%(deadline)s 截止）",
                self.days,
            ) % {"stage": self.label, "days": self.days, "deadline": when(self.stage.deadline)}
        return ngettext(
            "%(stage)s将于 %(start)s 开始（还有 %(days)s 天）",
            "%(stage)s将于 %(start)s 开始（还有 %(days)s 天）",
            self.days,
        ) % {"stage": self.label, "start": day(self.stage.starts_at), "days": self.days}


def stage_state(campaign: Campaign, now: dt.datetime | None = None) -> StageState:
    now = now or timezone.now()
    stage = current_stage(campaign, now)
    if stage is None:
        return StageState(None, False, 0)
    running = stage.starts_at <= now
    return StageState(stage, running, days_until(stage.deadline if running else stage.starts_at, now))


def with_stage_state(campaigns: Iterable[Campaign], now: dt.datetime | None = None) -> list[Campaign]:
    """Set `stage_state` (and `current_stage`) on each campaign, for list pages (prefetch the
    stages to keep it at one query)."""
    out = []
    for campaign in campaigns:
        state = stage_state(campaign, now)
        campaign.stage_state = state  # type: ignore[attr-defined]
        campaign.current_stage = state.stage  # type: ignore[attr-defined]
        out.append(campaign)
    return out


def _status_problem(campaign: Campaign, action: Action) -> str | None:
    if campaign.status == Campaign.Status.CLOSED:
        return gettext("活动已结束，不能再%(verb)s") % {"verb": VERBS[action]}
    if campaign.status == Campaign.Status.DRAFT:
        return gettext("活动尚在筹备中，不能%(verb)s") % {"verb": VERBS[action]}
    return None


def _window_problem(stage: Stage | None, now: dt.datetime) -> str | None:
    if stage is None:
        return None
    if now < stage.starts_at:
        return gettext("%(stage)s阶段尚未开始（%(start)s 开始）") % {
            "stage": stage.get_kind_display(),
            "start": day(stage.starts_at),
        }
    if now > stage.deadline:
        return gettext("%(name)s已于 %(deadline)s 截止") % {
            "name": gettext(CLOSED_NAMES[stage.kind]),
            "deadline": when(stage.deadline),
        }
    return None


def action_problem(
    campaign: Campaign, action: Action | str, *, application: Any = None, now: dt.datetime | None = None
) -> str | None:
    """Why `action` is not open in `campaign` now, in Chinese, or None when it is. For a
    returned application (`application`, status returned, with a 补正截止) the applicant may
    correct and resubmit until that date, even after the apply stage has closed."""
    action = Action(action)
    now = now or timezone.now()
    problem = _status_problem(campaign, action)
    if problem is not None:
        return problem
    stage = stage_of(campaign, ACTION_STAGE[action])
    if action == Action.CITY_RECOMMEND:
        # the city screens the counties' lists once the counties' stage has begun, also after it closed
        if stage is not None and now < stage.starts_at:
            return _window_problem(stage, now)
        return None
    window = _window_problem(stage, now)
    if action == Action.APPLY and application is not None and application.status == "returned":
        deadline = application.fix_deadline
        if deadline is None and application.returned_at is not None:  # returned before 补正 deadlines were kept
            deadline = default_fix_deadline(campaign, application.returned_at)
        if deadline is not None and window is not None:
            if now <= deadline:
                return None
            return gettext("补正已于 %(deadline)s 截止，不能再修改或提交") % {"deadline": when(deadline)}
    return window


def is_open(
    campaign: Campaign, action: Action | str, *, application: Any = None, now: dt.datetime | None = None
) -> bool:
    return action_problem(campaign, action, application=application, now=now) is None


def check_open(
    campaign: Campaign, action: Action | str, *, application: Any = None, now: dt.datetime | None = None
) -> None:
    """Refuse (ValidationError with the Chinese reason) when `action` is not open now."""
    problem = action_problem(campaign, action, application=application, now=now)
    if problem is not None:
        raise ValidationError(problem)


def default_fix_deadline(campaign: Campaign, now: dt.datetime | None = None) -> dt.datetime:
    """The 补正截止 of a return when the county sets none: the end of the day `fix_days` from now."""
    now = timezone.localtime(now or timezone.now())
    last = (now + dt.timedelta(days=campaign.fix_days or 0)).date()
    return timezone.make_aware(dt.datetime.combine(last, dt.time(23, 59)))


def fix_deadline_of(campaign: Campaign, chosen: dt.date | None, now: dt.datetime | None = None) -> dt.datetime:
    """The 补正截止 of a return: the end of the chosen day, or the campaign's default. A day
    already past is refused."""
    if chosen is None:
        return default_fix_deadline(campaign, now)
    now = now or timezone.now()
    deadline = timezone.make_aware(dt.datetime.combine(chosen, dt.time(23, 59)))
    if deadline < now:
        raise ValidationError(
            {
                "fix_deadline": gettext("补正截止日期 %(day)s 已过，请选择今天或以后的日期")
                % {"day": f"{chosen:%Y-%m-%d}"}
            }
        )
    return deadline
