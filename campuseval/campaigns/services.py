"""Campaigns and frameworks as domain functions. Every write checks permission, validates (Chinese
messages keyed by form field, so a page can show each next to what was typed), writes and audits.

- `load_framework_records`: the YAML files in campuseval/frameworks/ into FrameworkRecord.
- `create_campaign`, `update_campaign`: an organizer sets a campaign up.
- `open_campaign`, `advance_campaign`: draft → open → county review → expert review (publication
  and closing belong to the review app, which publishes results and finalizes them).
- `upload_framework`, `activate_framework`, `deactivate_framework`, `copy_framework`: a city or
  provincial bureau's own frameworks, authored as one workbook: uploaded as an inactive draft,
  previewed, activated (then campaigns may choose it), copied as the next edition of its family.
  A record's snapshot never changes once activated or used, so a running campaign keeps its edition."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campuseval.access.rules import is_organizer_for, may_author_frameworks, organizer_scope
from campuseval.accounts.models import User
from campuseval.audit.services import record
from campuseval.engine import FrameworkError, check_framework, formdefs, framework_paths, load_framework_text
from campuseval.engine.formdefs import FormDefinition, FormDefinitionError, parse_definition
from campuseval.engine.numbers import fmt
from campuseval.engine.yamlio import load_yaml
from campuseval.orgs.models import Unit
from campuseval.spreadsheets.framework_book import read_framework_book, write_framework_book

from .models import Campaign, FrameworkRecord, Stage

#: stages in the order they run
STAGE_ORDER: tuple[str, ...] = (
    Stage.Kind.APPLY,
    Stage.Kind.COUNTY_REVIEW,
    Stage.Kind.EXPERT_REVIEW,
    Stage.Kind.PUBLICITY,
)
#: the status each organizer step leads to; publicity and closing are the review app's steps
NEXT_STATUS: dict[str, str] = {
    Campaign.Status.DRAFT: Campaign.Status.OPEN,
    Campaign.Status.OPEN: Campaign.Status.COUNTY_REVIEW,
    Campaign.Status.COUNTY_REVIEW: Campaign.Status.EXPERT_REVIEW,
}
#: settings that cannot change once a unit has started an application (they fix what it fills in)
LOCKED_WHEN_STARTED = ("applicants", "school_framework", "district_framework", "school_form", "district_form")


# --- frameworks ---------------------------------------------------------------------------------


@dataclass
class FrameworkLoad:
    """What loading one file did: created, updated, archived (the old snapshot kept for the
    applications scored on it), unchanged, or refused (with the engine's messages)."""

    path: str
    key: str = ""
    status: str = ""
    messages: list[str] = field(default_factory=list)
    record: FrameworkRecord | None = None

    @property
    def ok(self) -> bool:
        return self.status != "refused"


def _record_fields(fw: Any, text: str, sha: str) -> dict[str, Any]:
    return {
        "family": fw.family,
        "title": fw.title,
        "subject": fw.subject,
        "total": fw.total,
        "bonus_total": fw.bonus_total,
        "source_yaml": text,
        "sha256": sha,
        "is_active": True,
    }


def load_framework_file_record(path: Path, seen: dict[str, str] | None = None) -> FrameworkLoad:
    """Load or refresh one framework file. A file the engine refuses (build errors or check
    errors) changes nothing. When the file changed and applications were already scored on the
    old snapshot, the old record is kept under `<key>@<pk>-<sha8>` (inactive) so those applications
    keep scoring exactly as before; campaigns without applications move to the new snapshot."""
    outcome = FrameworkLoad(path=str(path))
    text = path.read_text(encoding="utf-8")
    try:
        fw = load_framework_text(text, path.name)
        problems = fw.problems + check_framework(fw)
    except FrameworkError as exc:
        outcome.status = "refused"
        outcome.messages = [str(p) for p in exc.problems if p.severity == "error"]
        return outcome
    outcome.key = fw.id
    errors = [str(p) for p in problems if p.severity == "error"]
    if seen is not None and fw.id in seen:
        errors.append(_("框架编号 %(key)s 与 %(other)s 重复") % {"key": fw.id, "other": seen[fw.id]})
    if errors:
        outcome.status = "refused"
        outcome.messages = errors
        return outcome
    if seen is not None:
        seen[fw.id] = path.name
    outcome.messages = [str(p) for p in problems if p.severity == "warning"]
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    values = _record_fields(fw, text, sha)
    with transaction.atomic():
        current = FrameworkRecord.objects.select_for_update().filter(key=fw.id).first()
        if current is None:
            outcome.record = FrameworkRecord.objects.create(key=fw.id, **values)
            outcome.status = "created"
        elif all(getattr(current, name) == value for name, value in values.items()):
            outcome.record = current
            outcome.status = "unchanged"
            return outcome
        elif current.sha256 != sha and current.applications.exists():
            current.key = f"{fw.id}@{current.pk}-{current.sha256[:8]}"
            current.is_active = False
            current.save(update_fields=["key", "is_active"])
            fresh = FrameworkRecord.objects.create(key=fw.id, **values)
            started = current.applications.values("campaign_id")
            for name in ("school_framework", "district_framework"):
                Campaign.objects.filter(**{name: current}).exclude(pk__in=started).update(**{name: fresh})
            outcome.record = fresh
            outcome.status = "archived"
        else:
            for name, value in values.items():
                setattr(current, name, value)
            current.save()
            outcome.record = current
            outcome.status = "updated"
        record(
            actor=None,
            action="framework.load",
            obj=outcome.record,
            summary=f"载入指标框架 {fw.id}（{outcome.status}）",
            after={"key": fw.id, "sha256": sha, "total": fmt(fw.total), "bonus_total": fmt(fw.bonus_total)},
        )
    return outcome


def load_framework_records(*, paths: Sequence[Path] | None = None) -> list[FrameworkLoad]:
    """Load or refresh every framework file (default: all of campuseval/frameworks/*.yaml).
    Idempotent: an unchanged file leaves its record (and the audit log) untouched."""
    seen: dict[str, str] = {}
    return [load_framework_file_record(Path(p), seen) for p in (paths if paths is not None else framework_paths())]


# --- campaign settings --------------------------------------------------------------------------


def available_forms(subject: str | None = None) -> dict[str, str]:
    """Application form definitions campaigns may name (key → title), for one subject
    (school | district) or all: the form files, then the 申报书 stored with active frameworks
    (named by the framework's key). A definition that fails to load is left out."""
    out: dict[str, str] = {}
    for key in formdefs.available_keys():
        try:
            definition = formdefs.load_definition(key)
        except Exception:  # a broken form file must not break the campaign pages
            continue
        if definition.key == key and (subject is None or getattr(definition, "subject", "school") == subject):
            out[key] = definition.title
    stored = FrameworkRecord.objects.filter(is_active=True).exclude(form_yaml="").values_list("key", "form_yaml")
    for key, text in stored:
        found = _stored_definition(key, text)
        if found is not None and key not in out and (subject is None or found.subject == subject):
            out[key] = found.title
    return out


@functools.lru_cache(maxsize=64)
def _stored_definition(key: str, text: str) -> FormDefinition | None:
    """A stored 申报书 parsed once per text (the text is its own cache key: a new upload is a
    new record, never a changed one)."""
    try:
        data = load_yaml(text)
        return parse_definition(key, data, where=f"{key}（申报书）") if isinstance(data, Mapping) else None
    except (FormDefinitionError, KeyError, TypeError, ValueError, yaml.YAMLError):
        return None


def form_definition(key: str) -> FormDefinition:
    """The application form with this key: a form file, else the 申报书 stored with the
    framework of that key, else (as `formdefs.load_definition` does) the generic school form.
    Every page that shows or checks an application's form should ask this."""
    if key and key not in formdefs.available_keys():
        text = FrameworkRecord.objects.filter(key=key).exclude(form_yaml="").values_list("form_yaml", flat=True).first()
        found = _stored_definition(key, text) if text else None
        if found is not None:
            return found
    return formdefs.load_definition(key)


def default_form(subject: str, framework_key: str = "") -> str:
    """The form for a framework: the one named like it, else the generic school form."""
    forms = available_forms(subject)
    if framework_key in forms:
        return framework_key
    return "school" if subject == "school" and "school" in forms else ""


@dataclass
class CampaignData:
    """Everything an organizer sets on a campaign; `stages` maps a Stage.Kind to (start, deadline)."""

    name: str
    year: int
    kind: str
    organizer: Unit
    applicants: str
    as_of: dt.date | None
    covered_units: Sequence[Unit] = ()
    school_framework: FrameworkRecord | None = None
    district_framework: FrameworkRecord | None = None
    school_form: str = ""
    district_form: str = ""
    max_schools_per_county: int | None = None
    min_rural_per_county: int | None = None
    min_self_score: Decimal | None = None
    places_schools: int | None = None
    places_districts: int | None = None
    description: str = ""
    fix_days: int = 7
    requires_stamped_scans: bool = False
    stages: Mapping[str, tuple[dt.datetime | None, dt.datetime | None]] = field(default_factory=dict)

    @property
    def wants_schools(self) -> bool:
        return self.applicants in (Campaign.Applicants.SCHOOLS, Campaign.Applicants.BOTH)

    @property
    def wants_districts(self) -> bool:
        return self.applicants in (Campaign.Applicants.DISTRICTS, Campaign.Applicants.BOTH)


SCALARS = (
    "name",
    "year",
    "kind",
    "applicants",
    "as_of",
    "school_form",
    "district_form",
    "max_schools_per_county",
    "min_rural_per_county",
    "min_self_score",
    "places_schools",
    "places_districts",
    "description",
    "fix_days",
    "requires_stamped_scans",
)


def _normalized(data: CampaignData) -> CampaignData:
    """Text trimmed; the framework and form of an applicant kind the campaign does not take
    are dropped (switching 学校和区县 to 区县 should not fail on the school framework); a form
    left blank becomes the one made for the framework (or the generic school form)."""
    data.name = (data.name or "").strip()
    data.description = (data.description or "").strip()
    if not data.wants_schools:
        data.school_framework, data.school_form = None, ""
        data.max_schools_per_county = data.min_rural_per_county = data.places_schools = None
    if not data.wants_districts:
        data.district_framework, data.district_form, data.places_districts = None, "", None
    if data.school_framework is not None and not data.school_form:
        data.school_form = default_form("school", data.school_framework.key)
    if data.district_framework is not None and not data.district_form:
        data.district_form = default_form("district", data.district_framework.key)
    return data


def validate_campaign(data: CampaignData, *, campaign: Campaign | None = None) -> dict[str, list[str]]:
    """Every problem with the settings, in Chinese, keyed by form field ("__all__" for general)."""
    errors: dict[str, list[str]] = defaultdict(list)
    if not data.name:
        errors["name"].append(_("请填写活动名称"))
    for key in ("name", "description"):
        if "\x00" in getattr(data, key):
            errors[key].append(_("内容含有不可见的空字符，请删除后重试"))
    if not 2000 <= (data.year or 0) <= 2100:
        errors["year"].append(_("年度应在 2000 到 2100 之间"))
    if data.kind not in Campaign.Kind.values:
        errors["kind"].append(_("请选择活动类型"))
    if data.applicants not in Campaign.Applicants.values:
        errors["applicants"].append(_("请选择申报对象"))
    if data.organizer.kind not in (Unit.Kind.CITY, Unit.Kind.PROVINCE):
        errors["organizer"].append(_("组织单位应为市或省级教育行政部门"))
    if data.as_of is None:
        errors["as_of"].append(_("请填写评估基准日（“近三年”等时间窗口据此计算）"))
    scope = data.organizer.subtree()
    for unit in data.covered_units:
        if unit not in scope:
            errors["covered_units"].append(
                _("“%(unit)s”不在“%(org)s”的范围内") % {"unit": unit.name, "org": data.organizer.name}
            )
    for key, subject, wanted, label in (
        ("school_framework", "school", data.wants_schools, _("学校")),
        ("district_framework", "district", data.wants_districts, _("区县")),
    ):
        chosen = getattr(data, key)
        if wanted and chosen is None:
            errors[key].append(_("申报对象包括%(who)s，请选择%(who)s指标框架") % {"who": label})
        elif chosen is not None and chosen.subject != subject:
            errors[key].append(
                _("“%(fw)s”是%(their)s指标框架，不能用于%(who)s申报")
                % {"fw": chosen.title, "their": _("学校") if chosen.subject == "school" else _("区县"), "who": label}
            )
        elif chosen is not None and not chosen.is_active and getattr(campaign, f"{key}_id", None) != chosen.pk:
            errors[key].append(_("“%(fw)s”已停用，请选择其他指标框架") % {"fw": chosen.title})
        elif chosen is not None and data.as_of is not None and getattr(campaign, f"{key}_id", None) != chosen.pk:
            problem = _out_of_effect(chosen, data.as_of)
            if problem:
                errors[key].append(problem)
    every = available_forms()
    for key, subject, label in (("school_form", "school", _("学校")), ("district_form", "district", _("区县"))):
        chosen = getattr(data, key)
        if chosen and chosen == getattr(campaign, key, None):
            continue  # kept as saved (its framework may since have been retired)
        if chosen and chosen not in every:
            errors[key].append(_("申报书“%(key)s”不存在") % {"key": chosen})
        elif chosen and chosen not in available_forms(subject):
            errors[key].append(_("“%(title)s”不是%(who)s申报书") % {"title": every[chosen], "who": label})
    most, rural = data.max_schools_per_county, data.min_rural_per_county
    if most is not None and rural is not None and rural > most:
        errors["min_rural_per_county"].append(
            _("每县至少乡村学校数（%(rural)s）不能大于每县最多推荐学校数（%(most)s）") % {"rural": rural, "most": most}
        )
    if most == 0:
        errors["max_schools_per_county"].append(_("每县最多推荐学校数至少为 1；不限请留空"))
    if data.min_self_score is not None:
        ceilings = [
            Decimal(str(fw.total)) + Decimal(str(fw.bonus_total))
            for fw in (data.school_framework, data.district_framework)
            if fw
        ]
        if data.min_self_score < 0:
            errors["min_self_score"].append(_("申报最低自评分不能为负数"))
        elif ceilings and data.min_self_score > min(ceilings):
            errors["min_self_score"].append(
                _("申报最低自评分 %(score)s 超过了指标框架的满分 %(max)s")
                % {"score": fmt(data.min_self_score), "max": fmt(min(ceilings))}
            )
    _validate_stages(data, errors)
    if campaign is not None:
        _validate_against(campaign, data, errors)
    return dict(errors)


def _out_of_effect(framework: FrameworkRecord, as_of: dt.date) -> str | None:
    """Why an edition cannot be chosen for a campaign with this 评估基准日 (it takes effect
    later, or has ceased), or None. A campaign that already uses it keeps it."""
    label = f"{framework.title}{f'（{framework.edition}）' if framework.edition else ''}"
    start, end = framework.effective_from, framework.effective_until
    if start is not None and as_of < start:
        return _("“%(fw)s”自 %(start)s 起生效，评估基准日 %(as_of)s 早于生效日期") % {
            "fw": label,
            "start": start.isoformat(),
            "as_of": as_of.isoformat(),
        }
    if end is not None and as_of > end:
        return _("“%(fw)s”已于 %(end)s 失效，评估基准日 %(as_of)s 晚于失效日期") % {
            "fw": label,
            "end": end.isoformat(),
            "as_of": as_of.isoformat(),
        }
    return None


def _validate_stages(data: CampaignData, errors: dict[str, list[str]]) -> None:
    labels = dict(Stage.Kind.choices)
    previous: tuple[str, dt.datetime] | None = None
    for kind in STAGE_ORDER:
        starts, deadline = data.stages.get(kind, (None, None))
        label = labels[kind]
        if starts is None and deadline is None:
            if kind == Stage.Kind.APPLY:
                errors[f"{kind}_starts"].append(_("请填写申报阶段的开始时间和截止时间"))
            continue
        if starts is None:
            errors[f"{kind}_starts"].append(_("请填写%(stage)s的开始时间") % {"stage": label})
            continue
        if deadline is None:
            errors[f"{kind}_deadline"].append(_("请填写%(stage)s的截止时间") % {"stage": label})
            continue
        if deadline <= starts:
            errors[f"{kind}_deadline"].append(_("%(stage)s的截止时间应晚于开始时间") % {"stage": label})
        if previous is not None and starts < previous[1]:
            errors[f"{kind}_starts"].append(
                _("%(stage)s的开始时间不能早于%(prev)s的截止时间") % {"stage": label, "prev": labels[previous[0]]}
            )
        previous = (kind, deadline)


def _validate_against(campaign: Campaign, data: CampaignData, errors: dict[str, list[str]]) -> None:
    if campaign.status == Campaign.Status.CLOSED:
        errors["__all__"].append(_("活动已结束，不能修改"))
        return
    if campaign.organizer_id != data.organizer.pk and campaign.status != Campaign.Status.DRAFT:
        errors["organizer"].append(_("活动已发布，不能更改组织单位"))
    if campaign.applications.exists():
        for key in LOCKED_WHEN_STARTED:
            if _effective(key, getattr(data, key)) != _effective(key, getattr(campaign, key)):
                errors[key].append(_("已有单位开始申报，不能再更改申报对象、指标框架或申报书"))


def _effective(key: str, value: Any) -> Any:
    """What a locked setting means for an application: a framework by id, a blank form as the
    generic school form (what start_application falls back to)."""
    if isinstance(value, FrameworkRecord):
        return value.pk
    if key.endswith("_form"):
        return value or "school"
    return value


def _invalid(errors: Mapping[str, list[str]]) -> ValidationError:
    return ValidationError({key: [ValidationError(m) for m in messages] for key, messages in errors.items()})


def snapshot(campaign: Campaign) -> dict[str, Any]:
    """The campaign's settings as JSON for the audit log (before/after)."""
    out: dict[str, Any] = {}
    for key in SCALARS:
        value = getattr(campaign, key)
        out[key] = (
            fmt(value) if isinstance(value, Decimal) else value.isoformat() if isinstance(value, dt.date) else value
        )
    out["organizer"] = campaign.organizer.code
    out["school_framework"] = campaign.school_framework.key if campaign.school_framework else None
    out["district_framework"] = campaign.district_framework.key if campaign.district_framework else None
    out["covered_units"] = sorted(campaign.covered_units.values_list("code", flat=True))
    out["stages"] = {
        s.kind: [s.starts_at.isoformat(), s.deadline.isoformat()] for s in campaign.stages.order_by("starts_at")
    }
    out["status"] = campaign.status
    return out


def _write(campaign: Campaign, data: CampaignData) -> None:
    for key in SCALARS:
        setattr(campaign, key, getattr(data, key))
    campaign.organizer = data.organizer
    campaign.school_framework = data.school_framework
    campaign.district_framework = data.district_framework
    campaign.save()
    campaign.covered_units.set(data.covered_units)
    keep = []
    for kind in STAGE_ORDER:
        starts, deadline = data.stages.get(kind, (None, None))
        if starts is None or deadline is None:
            continue
        Stage.objects.update_or_create(
            campaign=campaign, kind=kind, defaults={"starts_at": starts, "deadline": deadline}
        )
        keep.append(kind)
    campaign.stages.exclude(kind__in=keep).delete()


@transaction.atomic
def create_campaign(*, actor: User, data: CampaignData, ip: str | None = None) -> Campaign:
    """A new campaign in preparation (筹备中): nobody outside the organizer sees it until it is
    opened, so settings can be got right first."""
    if data.organizer not in organizer_scope(actor):
        raise PermissionDenied
    data = _normalized(data)
    errors = validate_campaign(data)
    if errors:
        raise _invalid(errors)
    campaign = Campaign(organizer=data.organizer, created_by=actor)
    _write(campaign, data)
    record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        ip=ip,
        summary=f"创建活动：{campaign.name}",
        campaign_id=campaign.pk,
        unit_id=campaign.organizer_id,
        after=snapshot(campaign),
    )
    return campaign


@transaction.atomic
def update_campaign(*, actor: User, campaign: Campaign, data: CampaignData, ip: str | None = None) -> Campaign:
    """Change a campaign's settings. Once a unit has started an application, what it fills in
    (applicant kind, framework, form) is fixed; dates, quotas and places may still move.
    Saving unchanged settings writes nothing and adds no audit entry."""
    campaign = Campaign.objects.select_for_update().select_related("organizer").get(pk=campaign.pk)
    if not is_organizer_for(actor, campaign) or data.organizer not in organizer_scope(actor):
        raise PermissionDenied
    data = _normalized(data)
    errors = validate_campaign(data, campaign=campaign)
    if errors:
        raise _invalid(errors)
    before = snapshot(campaign)
    _write(campaign, data)
    after = snapshot(campaign)
    if before != after:
        changed = [key for key in after if before.get(key) != after[key]]
        record(
            actor=actor,
            action="campaign.update",
            obj=campaign,
            ip=ip,
            summary=f"修改活动设置：{campaign.name}（{'、'.join(changed)}）",
            campaign_id=campaign.pk,
            unit_id=campaign.organizer_id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return campaign


def readiness(campaign: Campaign) -> list[str]:
    """What keeps a campaign in preparation from opening, in Chinese (empty when ready)."""
    problems = []
    wants_schools = campaign.applicants in (Campaign.Applicants.SCHOOLS, Campaign.Applicants.BOTH)
    wants_districts = campaign.applicants in (Campaign.Applicants.DISTRICTS, Campaign.Applicants.BOTH)
    if wants_schools and campaign.school_framework is None:
        problems.append(_("尚未选择学校指标框架"))
    if wants_districts and campaign.district_framework is None:
        problems.append(_("尚未选择区县指标框架"))
    apply = next((s for s in campaign.stages.all() if s.kind == Stage.Kind.APPLY), None)
    if apply is None:
        problems.append(_("尚未设置申报阶段的时间"))
    elif apply.deadline <= timezone.now():
        problems.append(
            _("申报截止时间 %(when)s 已过，请先修改阶段时间")
            % {"when": f"{timezone.localtime(apply.deadline):%Y-%m-%d %H:%M}"}
        )
    return problems


def _step(
    actor: User, campaign: Campaign, expected: Sequence[str], from_status: str | None, ip: str | None, action: str
) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("organizer").get(pk=campaign.pk)
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    if from_status is not None and campaign.status != from_status:
        raise ValidationError(
            _("活动状态已变为“%(status)s”，请刷新页面后再操作") % {"status": campaign.get_status_display()}
        )
    if campaign.status not in expected:
        raise ValidationError(
            _("活动当前状态为“%(status)s”，不能进行此操作") % {"status": campaign.get_status_display()}
        )
    if campaign.status == Campaign.Status.DRAFT:
        problems = readiness(campaign)
        if problems:
            raise ValidationError(problems)
    before = campaign.status
    campaign.status = NEXT_STATUS[before]
    campaign.save(update_fields=["status"])
    record(
        actor=actor,
        action=action,
        obj=campaign,
        ip=ip,
        summary=f"{campaign.name}：{Campaign.Status(before).label} → {campaign.get_status_display()}",
        campaign_id=campaign.pk,
        unit_id=campaign.organizer_id,
        before={"status": before},
        after={"status": campaign.status},
    )
    return campaign


@transaction.atomic
def open_campaign(
    *, actor: User, campaign: Campaign, from_status: str | None = None, ip: str | None = None
) -> Campaign:
    """Publish a campaign for applications (筹备中 → 申报中): covered units see it and may start
    applying. Refused, with the reasons, until frameworks and the application stage are set.
    `from_status` (the status the page showed) stops a double click from skipping a stage."""
    return _step(actor, campaign, [Campaign.Status.DRAFT], from_status, ip, "campaign.open")


@transaction.atomic
def advance_campaign(
    *, actor: User, campaign: Campaign, from_status: str | None = None, ip: str | None = None
) -> Campaign:
    """Move a running campaign to its next stage: 申报中 → 县级初评 → 专家评审. Publicity and
    closing follow from publishing and finalizing results in the review app."""
    expected = [Campaign.Status.OPEN, Campaign.Status.COUNTY_REVIEW]
    return _step(actor, campaign, expected, from_status, ip, "campaign.advance")


# --- frameworks a bureau owns -------------------------------------------------------------------

#: a framework key: what campaigns, applications and URLs name it by
FRAMEWORK_KEY = re.compile(r"[a-z0-9][a-z0-9-]{2,79}")
#: keys the workbook's 设置 sheet may carry that the record keeps beside the engine's YAML
RECORD_SETTINGS = ("edition", "effective_from", "effective_until")


@dataclass(frozen=True)
class BookLine:
    """One problem with an uploaded workbook, where the page shows it: 工作表、行、列."""

    sheet: str
    row: int
    column: str
    message: str


class FrameworkRefused(Exception):
    """The workbook cannot become a framework; nothing was saved."""

    def __init__(self, problems: Sequence[BookLine]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(f"{p.sheet} {p.row} {p.column}: {p.message}" for p in self.problems))


class _Dumper(yaml.SafeDumper):
    pass


def _decimal_scalar(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    if value == value.to_integral_value() and "." not in text:
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_Dumper.add_representer(Decimal, _decimal_scalar)
_Dumper.add_multi_representer(dict, lambda dumper, value: dumper.represent_dict(value.items()))


def framework_yaml(data: Mapping[str, Any]) -> str:
    """The engine's YAML for a framework mapping (order kept, numbers exact)."""
    return str(yaml.dump(dict(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120))


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def _engine_problems(text: str, key: str) -> list[BookLine]:
    try:
        fw = load_framework_text(text, f"{key}.yaml")
    except FrameworkError as exc:
        return [BookLine("设置", 0, "", p.message_zh) for p in exc.problems if p.severity == "error"]
    return [
        BookLine("指标" if p.code else "设置", 0, p.code, p.message_zh)
        for p in fw.problems + check_framework(fw)
        if p.severity == "error"
    ]


def replaceable(framework: FrameworkRecord) -> bool:
    """A draft nothing has used yet: never activated, chosen by no campaign, scored for no
    application. Only such a draft may take a corrected workbook under the same key."""
    return (
        not framework.is_active
        and framework.activated_at is None
        and framework.owner_id is not None
        and not Campaign.objects.filter(Q(school_framework=framework) | Q(district_framework=framework)).exists()
        and not framework.applications.exists()
    )


def _check_key(key: str, *, column: str = "编号", replacing: FrameworkRecord | None = None) -> list[BookLine]:
    if not FRAMEWORK_KEY.fullmatch(key):
        return [
            BookLine(
                "设置", 0, column, _("框架编号「%(key)s」只能用小写字母、数字和连字符（3–80 位）") % {"key": key[:40]}
            )
        ]
    taken = FrameworkRecord.objects.filter(key=key)
    if replacing is not None:
        taken = taken.exclude(pk=replacing.pk)
    if taken.exists():
        return [
            BookLine(
                "设置", 0, column, _("框架编号「%(key)s」已存在；新版本请改用新的编号（如 %(key)s-2）") % {"key": key}
            )
        ]
    return []


def _form_text(form: Mapping[str, Any] | None, key: str, subject: str) -> tuple[str, list[BookLine]]:
    """The 申报书 as YAML, checked as the form files are; its subject is the framework's."""
    if not form:
        return "", []
    data = {**dict(form), "subject": subject}
    data.pop("key", None)
    text = framework_yaml(data)
    if key in formdefs.available_keys():
        return "", [BookLine("申报书", 0, "", _("框架编号「%(key)s」与已有申报书重名，请改用新的编号") % {"key": key})]
    try:
        parse_definition(key, load_yaml(text), where="申报书")
    except (FormDefinitionError, KeyError, TypeError, ValueError) as exc:
        return "", [BookLine("申报书", 0, "", str(exc))]
    return text, []


def _audit_framework(actor: User, action: str, fw: FrameworkRecord, summary: str, ip: str | None, **extra: Any) -> None:
    record(
        actor=actor,
        action=action,
        obj=fw,
        ip=ip,
        summary=summary,
        unit_id=fw.owner_id,
        after={"key": fw.key, "edition": fw.edition, "sha256": fw.sha256, "is_active": fw.is_active, **extra},
    )


@transaction.atomic
def upload_framework(
    *,
    actor: User,
    owner: Unit,
    file: IO[bytes],
    edition: str = "",
    effective_from: dt.date | None = None,
    effective_until: dt.date | None = None,
    edition_of: FrameworkRecord | None = None,
    replace_draft: bool = False,
    ip: str | None = None,
) -> FrameworkRecord:
    """A framework workbook (指标、规则、输入项、等级、设置, maybe 申报书) into an inactive draft owned
    by `owner`. Every problem is raised at once as FrameworkRefused (sheet, row, column and the
    Chinese message) and nothing is saved. `edition_of`: the upload is the next edition of that
    framework's family (its family is taken when the workbook states none, and must match).
    `replace_draft`: a draft of the same key that nothing has used yet (`replaceable`) takes
    the corrected workbook instead of a new record."""
    if not may_author_frameworks(actor, owner) or owner.kind not in (Unit.Kind.CITY, Unit.Kind.PROVINCE):
        raise PermissionDenied
    book = read_framework_book(file)
    problems = [
        BookLine(str(p.sheet), int(p.row or 0), str(p.column or ""), str(p.message_zh))
        for p in book.problems
        if getattr(p, "severity", "error") == "error"
    ]
    if problems or book.data is None:
        raise FrameworkRefused(problems or [BookLine("设置", 0, "", _("工作簿中没有可读取的指标框架"))])
    data = dict(book.data)
    stated = {name: data.pop(name, None) for name in RECORD_SETTINGS}
    key = str(data.get("id") or "").strip()
    replacing = None
    if replace_draft:
        replacing = FrameworkRecord.objects.select_for_update().filter(key=key).first()
        if replacing is not None and not (replaceable(replacing) and may_author_frameworks(actor, replacing.owner)):
            problems.append(
                BookLine(
                    "设置",
                    0,
                    "编号",
                    _("框架编号「%(key)s」的框架已启用或已被使用，不能替换；请改用新的编号") % {"key": key},
                )
            )
            replacing = None
    problems += _check_key(key, replacing=replacing)
    if edition_of is not None:
        family = str(data.get("family") or "").strip()
        if not family:
            data["family"] = edition_of.family
        elif family != edition_of.family:
            problems.append(
                BookLine(
                    "设置",
                    0,
                    "系列",
                    _("框架系列「%(got)s」与“%(of)s”的系列「%(want)s」不同；新版本应属同一系列")
                    % {"got": family, "of": edition_of.title, "want": edition_of.family},
                )
            )
    edition = (edition or str(stated["edition"] or "")).strip()
    if len(edition) > 40:
        problems.append(BookLine("设置", 0, "版本", _("版本名称最多 40 字")))
    try:
        effective_from = effective_from or _date(stated["effective_from"])
        effective_until = effective_until or _date(stated["effective_until"])
    except ValueError:
        problems.append(BookLine("设置", 0, "生效日期", _("生效日期、失效日期应为日期，如 2025-09-01")))
    if effective_from and effective_until and effective_until < effective_from:
        problems.append(BookLine("设置", 0, "失效日期", _("失效日期不能早于生效日期")))
    if problems:
        raise FrameworkRefused(problems)
    text = framework_yaml(data)
    problems += _engine_problems(text, key)
    subject = str(data.get("subject") or "school")
    form_text, form_problems = _form_text(book.form, key, subject)
    problems += form_problems
    if problems:
        raise FrameworkRefused(problems)
    fw = load_framework_text(text, f"{key}.yaml")
    values = {
        "family": fw.family,
        "title": fw.title,
        "subject": fw.subject,
        "total": fw.total,
        "bonus_total": fw.bonus_total,
        "source_yaml": text,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "is_active": False,
        "edition": edition,
        "effective_from": effective_from,
        "effective_until": effective_until,
        "form_yaml": form_text,
        "owner": owner,
        "created_by": actor,
    }
    if replacing is not None:
        before = replacing.sha256
        for name, value in values.items():
            setattr(replacing, name, value)
        replacing.save()
        summary = f"以新工作簿替换指标框架草稿 {key}（{fw.title}{f'，{edition}' if edition else ''}）"
        _audit_framework(
            actor, "framework.replace", replacing, summary, ip, leaves=len(fw.leaves()), replaced_sha256=before
        )
        return replacing
    created = FrameworkRecord.objects.create(key=key, **values)
    summary = f"上传指标框架草稿 {key}（{fw.title}{f'，{edition}' if edition else ''}）"
    _audit_framework(actor, "framework.upload", created, summary, ip, leaves=len(fw.leaves()), total=fmt(fw.total))
    return created


def _owned(actor: User, framework: FrameworkRecord) -> None:
    if framework.owner is None:
        # the platform's own files are loaded by `load_framework_records`, not changed in pages
        raise ValidationError(_("平台内置的指标框架由系统维护；请“复制为新版本”后修改"))
    if not may_author_frameworks(actor, framework.owner):
        raise PermissionDenied


@transaction.atomic
def activate_framework(
    *, actor: User, framework: FrameworkRecord, retire_family: bool = False, ip: str | None = None
) -> FrameworkRecord:
    """Make a draft choosable in 新建活动. The snapshot is checked again (the engine may have
    become stricter since the upload). `retire_family`: the owner's other active editions of the
    same family stop being offered — campaigns that chose them keep them, unchanged."""
    framework = FrameworkRecord.objects.select_for_update(of=("self",)).select_related("owner").get(pk=framework.pk)
    if not may_author_frameworks(actor):
        raise PermissionDenied
    _owned(actor, framework)
    if framework.is_active:
        raise ValidationError(_("“%(fw)s”已启用") % {"fw": framework.title})
    problems = _engine_problems(framework.source_yaml, framework.key)
    if problems:
        raise ValidationError([p.message for p in problems])
    framework.is_active = True
    framework.activated_at = timezone.now()
    framework.save(update_fields=["is_active", "activated_at"])
    label = f"{framework.title}{f'（{framework.edition}）' if framework.edition else ''}"
    _audit_framework(actor, "framework.activate", framework, f"启用指标框架 {framework.key}：{label}", ip)
    if retire_family and framework.family:
        others = FrameworkRecord.objects.filter(family=framework.family, owner=framework.owner, is_active=True).exclude(
            pk=framework.pk
        )
        for other in others:
            other.is_active = False
            other.save(update_fields=["is_active"])
            summary = f"停用指标框架 {other.key}（由新版本 {framework.key} 取代）"
            _audit_framework(actor, "framework.deactivate", other, summary, ip, replaced_by=framework.key)
    return framework


@transaction.atomic
def deactivate_framework(*, actor: User, framework: FrameworkRecord, ip: str | None = None) -> FrameworkRecord:
    """Stop offering a framework to new campaigns. Campaigns and applications that use it keep
    it exactly as it is (they point to this record and its snapshot)."""
    framework = FrameworkRecord.objects.select_for_update(of=("self",)).select_related("owner").get(pk=framework.pk)
    _owned(actor, framework)
    if not framework.is_active:
        raise ValidationError(_("“%(fw)s”未启用") % {"fw": framework.title})
    framework.is_active = False
    framework.save(update_fields=["is_active"])
    _audit_framework(actor, "framework.deactivate", framework, f"停用指标框架 {framework.key}", ip)
    return framework


def form_text_of(framework: FrameworkRecord) -> str:
    """The 申报书 that goes with a framework: the one stored with it, else the form file named
    like it (a seed framework's own annex)."""
    if framework.form_yaml:
        return framework.form_yaml
    if framework.key in formdefs.available_keys():
        return (formdefs.FORMS_DIR / f"{framework.key}.yaml").read_text(encoding="utf-8")
    return ""


def framework_data(framework: FrameworkRecord) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The framework and its 申报书 as the mappings the workbook writer takes. The record's
    edition label stays out of the 设置 sheet: a downloaded workbook is the start of the *next*
    edition, whose label the upload form asks for."""
    data = dict(load_yaml(framework.source_yaml))
    text = form_text_of(framework)
    form = dict(load_yaml(text)) if text else None
    return data, form


def framework_book(framework: FrameworkRecord) -> bytes:
    """Any framework (seed or uploaded) as its workbook, for a bureau to start from."""
    data, form = framework_data(framework)
    return write_framework_book(data, form)


@transaction.atomic
def copy_framework(
    *,
    actor: User,
    framework: FrameworkRecord,
    owner: Unit,
    key: str,
    edition: str,
    ip: str | None = None,
) -> FrameworkRecord:
    """「复制为新版本」: a draft copy of any framework the user can see, under a new key, as the next
    edition of its family, owned by the user's bureau. The YAML is copied as written (with the
    seed's comments), only its `id` line changes; the 申报书 comes along."""
    if not may_author_frameworks(actor, owner) or owner.kind not in (Unit.Kind.CITY, Unit.Kind.PROVINCE):
        raise PermissionDenied
    key, edition = key.strip(), edition.strip()
    errors: dict[str, list[str]] = defaultdict(list)
    for problem in _check_key(key):
        errors["key"].append(problem.message)
    if not edition:
        errors["edition"].append(_("请填写版本名称，如 2025版"))
    elif len(edition) > 40:
        errors["edition"].append(_("版本名称最多 40 字"))
    if errors:
        raise _invalid(errors)
    text, count = re.subn(r"(?m)^id:.*$", f"id: {key}", framework.source_yaml, count=1)
    if not count:
        data = dict(load_yaml(framework.source_yaml))
        data["id"] = key
        text = framework_yaml(data)
    fw = load_framework_text(text, f"{key}.yaml")
    form_text = form_text_of(framework)
    copy = FrameworkRecord.objects.create(
        key=key,
        family=framework.family or fw.family,
        title=fw.title,
        subject=fw.subject,
        total=fw.total,
        bonus_total=fw.bonus_total,
        source_yaml=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        is_active=False,
        edition=edition,
        form_yaml=form_text,
        owner=owner,
        created_by=actor,
    )
    summary = f"复制指标框架 {framework.key} 为新版本 {key}（{edition}）"
    _audit_framework(actor, "framework.copy", copy, summary, ip, copied_from=framework.key)
    return copy
