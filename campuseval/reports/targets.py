"""Level targets (等级目标) an organizer keeps for their region: which ones they see, and every
write — add, change, delete — checked, validated and logged here. The dashboards read them
(`dashboards.figures.targets_for`); the demo's are the seeds' own (`seed_demo_targets`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from campuseval.access.rules import Actor, is_organizer_for, manages_unit, organizer_scope
from campuseval.accounts.models import User
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Unit

from .models import Target

#: what a target's form sets (the organizer who made it and the times are kept by the model)
FIELDS = ("region", "family", "subject", "level", "kind", "value", "due_year", "campaign", "note")


# --- reading -------------------------------------------------------------------------------------


def visible_targets(user: Actor) -> QuerySet[Target]:
    """The targets of the organizer's region (their units and everything below): another
    region's target is not theirs to see (404)."""
    region = organizer_scope(user)
    if not region:
        return Target.objects.none()
    return (
        Target.objects.filter(region.q("region"))
        .select_related("region", "campaign")
        .order_by("region__path", "family", "subject", "due_year", "pk")
    )


def target_regions(user: Actor) -> QuerySet[Unit]:
    """Units a target may be set for: the provinces, cities and counties of the organizer's region."""
    region = organizer_scope(user)
    if not region:
        return Unit.objects.none()
    kinds = (Unit.Kind.PROVINCE, Unit.Kind.CITY, Unit.Kind.COUNTY)
    return Unit.objects.filter(region.q(), kind__in=kinds, is_active=True).order_by("path")


def family_levels() -> dict[str, list[str]]:
    """Each framework family loaded, with the level names its frameworks award (highest first;
    the frameworks without levels, Bozhou's, count 入选 — selected on a final list). Reads the
    active records' snapshots once per call (six or so)."""
    out: dict[str, list[str]] = {}
    for record_ in FrameworkRecord.objects.filter(is_active=True).order_by("key"):
        family = record_.family or framework_for(record_).family
        names = out.setdefault(family, [])
        for level in framework_for(record_).levels:
            if level.name not in names:
                names.append(level.name)
    return {family: (names or [Target.SELECTED]) for family, names in sorted(out.items())}


def family_labels() -> dict[str, str]:
    """A family as a person reads it: the title of one of its frameworks, with the family's key
    (one query)."""
    out: dict[str, str] = {}
    for family, title in FrameworkRecord.objects.filter(is_active=True).order_by("key").values_list("family", "title"):
        out.setdefault(family, f"{title}（{family}）")
    return out


def target_campaigns(user: Actor) -> QuerySet[Campaign]:
    """Campaigns a target may be limited to: those organized in the organizer's region."""
    region = organizer_scope(user)
    if not region:
        return Campaign.objects.none()
    return Campaign.objects.filter(region.q("organizer")).select_related("organizer").order_by("-year", "-pk")


# --- writing -------------------------------------------------------------------------------------


def _check(actor: User, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values a target may hold, or ValidationError naming the field (in Chinese)."""
    region: Unit | None = values.get("region")
    if region is None or not manages_unit(actor, region):
        raise ValidationError({"region": "「目标区域」须为本单位或下级单位"})
    levels = family_levels()
    family = str(values.get("family") or "")
    if family not in levels:
        raise ValidationError({"family": f"「指标体系系列」{family or '（空）'}不存在"})
    level = str(values.get("level") or "").strip()
    if level not in levels[family]:
        raise ValidationError({"level": f"「等级」应为 {'、'.join(levels[family])} 之一"})
    kind = values.get("kind")
    value: Decimal | None = values.get("value")
    if value is None or value < 0:
        raise ValidationError({"value": "「目标值」应为不小于 0 的数"})
    if kind == Target.Kind.SHARE and value > 100:
        raise ValidationError({"value": "「目标值」为比例时不能超过 100（%）"})
    if kind == Target.Kind.COUNT and value != value.to_integral_value():
        raise ValidationError({"value": "「目标值」为数量时应为整数（个）"})
    campaign: Campaign | None = values.get("campaign")
    if campaign is not None:
        if not is_organizer_for(actor, campaign):
            raise ValidationError({"campaign": "「仅限活动」须为本单位或下级单位组织的活动"})
        subject = values.get("subject")
        record_ = campaign.school_framework if subject == Target.Subject.SCHOOL else campaign.district_framework
        if record_ is None or (record_.family or framework_for(record_).family) != family:
            raise ValidationError({"campaign": "「仅限活动」所用的指标体系与所选系列、申报对象不一致"})
    return {**{k: values.get(k) for k in FIELDS}, "level": level, "note": str(values.get("note") or "").strip()}


def _snapshot(target: Target) -> dict[str, Any]:
    return {
        "region": target.region_id,
        "family": target.family,
        "subject": target.subject,
        "level": target.level,
        "kind": target.kind,
        "value": str(target.value),
        "due_year": target.due_year,
        "campaign": target.campaign_id,
        "note": target.note,
    }


@transaction.atomic
def create_target(*, actor: User, values: Mapping[str, Any], ip: str | None = None) -> Target:
    """An organizer sets a target for a unit of their region."""
    if not organizer_scope(actor):
        raise PermissionDenied
    target = Target(**_check(actor, values), created_by=actor)
    target.save()
    record(
        actor=actor,
        action="target.create",
        obj=target,
        ip=ip,
        summary=f"新增等级目标：{target}"[:300],
        after=_snapshot(target),
        campaign_id=target.campaign_id,
        unit_id=target.region_id,
    )
    return target


@transaction.atomic
def update_target(*, actor: User, target: Target, values: Mapping[str, Any], ip: str | None = None) -> Target:
    """Change a target of the organizer's region (it may move to another unit of the region)."""
    target = Target.objects.select_for_update().select_related("region").get(pk=target.pk)
    if not manages_unit(actor, target.region):
        raise PermissionDenied
    before = _snapshot(target)
    for key, value in _check(actor, values).items():
        setattr(target, key, value)
    target.save()
    after = _snapshot(target)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        record(
            actor=actor,
            action="target.update",
            obj=target,
            ip=ip,
            summary=f"修改等级目标：{target}"[:300],
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
            campaign_id=target.campaign_id,
            unit_id=target.region_id,
        )
    return target


@transaction.atomic
def delete_target(*, actor: User, target: Target, ip: str | None = None) -> None:
    """Remove a target of the organizer's region; the log keeps what it said."""
    target = Target.objects.select_for_update().select_related("region").get(pk=target.pk)
    if not manages_unit(actor, target.region):
        raise PermissionDenied
    before, label = _snapshot(target), str(target)
    region_id, campaign_id = target.region_id, target.campaign_id
    target.delete()
    record(
        actor=actor,
        action="target.delete",
        obj=None,
        ip=ip,
        summary=f"删除等级目标：{label}"[:300],
        before=before,
        campaign_id=campaign_id,
        unit_id=region_id,
    )


# --- the demo ------------------------------------------------------------------------------------

#: The seeds' targets, set for the demo city through `create_target`. Each: family, subject,
#: level, kind, value, due year and the seed's words.
SEED_TARGETS: tuple[tuple[str, str, str, str, str, int, str], ...] = (
    # 依据：泰州 2022 通知“二、目标任务”：“2022年全市中小学校95 %以上的达市合格型智慧校园，20%以上的
    # 达市优秀型智慧校园，10%以上的达市示范型智慧校园……到2024年实现全市中小学校100%达市合格型智慧校园”；
    # 决定：比例目标，按“该等级及以上”计（示范型学校也达到优秀型、合格型）
    ("taizhou", "school", "合格型", "share", "95", 2022, "泰州 2022 通知：2022年95%以上达市合格型"),
    ("taizhou", "school", "优秀型", "share", "20", 2022, "泰州 2022 通知：2022年20%以上达市优秀型"),
    ("taizhou", "school", "示范型", "share", "10", 2022, "泰州 2022 通知：2022年10%以上达市示范型"),
    ("taizhou", "school", "合格型", "share", "100", 2024, "泰州 2022 通知：到2024年100%达市合格型"),
    # 依据：亳州 2024 通知：“在全市范围内遴选中小学智慧学校应用示范区1~2个、示范校20所”；
    # 决定：数量目标（不是比例），等级为“入选”（亳州按排名遴选、不分等级）；“1~2个”记为至少 1 个，上限 2 见说明
    ("bozhou", "district", Target.SELECTED, "count", "1", 2024, "亳州 2024 通知：遴选示范区1~2个（至少1个）"),
    ("bozhou", "school", Target.SELECTED, "count", "20", 2024, "亳州 2024 通知：遴选示范校20所"),
)


def seed_demo_targets(*, actor: User, region: Unit) -> list[Target]:
    """The seeds' targets for the demo city, once (a second run leaves them as they stand);
    only for the families whose frameworks are loaded."""
    if Target.objects.filter(region=region).exists():
        return []
    loaded = family_levels()
    made = []
    for family, subject, level, kind, value, year, note in SEED_TARGETS:
        if level not in loaded.get(family, ()):
            continue
        values = {
            "region": region,
            "family": family,
            "subject": subject,
            "level": level,
            "kind": kind,
            "value": Decimal(value),
            "due_year": year,
            "campaign": None,
            "note": note,
        }
        made.append(create_target(actor=actor, values=values))
    return made
