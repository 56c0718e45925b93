"""Review settings, panels, assignments and the expert's score sheet."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from campuseval.access.rules import county_of, is_organizer_for, organizer_scope
from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.engine.numbers import fmt
from campuseval.notifications.services import notify, notify_each
from campuseval.orgs.models import SEP, Unit

from ..models import (
    Assignment,
    Conflict,
    CountyReview,
    Expert,
    Panel,
    Publication,
    ReviewSettings,
)
from ..queries import finalists
from ..stage_gates import check_scoring_open
from .common import (
    StaleRevision,
    clean_text,
    latest_version,
    score_answers,
    to_decimal,
)


def _setting_label(name: str) -> str:
    return str(getattr(ReviewSettings._meta.get_field(name), "verbose_name", name))


def refuse_after_publication(campaign: Campaign, what: str) -> None:
    """Once the list is published, how experts score and combine is fixed: a 复议 recomputes
    with the settings and panels the publication was made with."""
    if Publication.objects.filter(campaign=campaign).exists():
        raise ValidationError(f"已发布公示，不能再{what}；如需更正，请启动复议")


@transaction.atomic
def configure_review(
    *, actor: User, campaign: Campaign, values: Mapping[str, Any], ip: str | None = None
) -> ReviewSettings:
    """Save the campaign's review settings (method, weights, visibility, places, chain);
    every change is logged with its old value."""
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    refuse_after_publication(campaign, "修改评审设置")
    conf, _ = ReviewSettings.objects.select_for_update().get_or_create(campaign=campaign)
    if values.get("city_review") and campaign.organizer.kind != Unit.Kind.PROVINCE:
        raise ValidationError({"city_review": "只有省级组织的活动可以增加市级推荐环节"})
    if values.get("city_review") != conf.city_review and Assignment.objects.filter(panel__campaign=campaign).exists():
        raise ValidationError({"city_review": "已分配专家后不能更改推荐层级"})
    before, after = {}, {}
    for key, value in values.items():
        old = getattr(conf, key)
        if old != value:
            before[key], after[key] = str(old) if old is not None else None, str(value) if value is not None else None
            setattr(conf, key, value)
    conf.save()
    if after:
        record(
            actor=actor,
            action="review_settings.update",
            obj=conf,
            ip=ip,
            summary="修改评审设置：" + "、".join(_setting_label(k) for k in after),
            before=before,
            after=after,
            campaign_id=campaign.pk,
        )
    return conf


@transaction.atomic
def create_panel(
    *, actor: User, campaign: Campaign, name: str, kind: str, experts: Sequence[Expert], ip: str | None = None
) -> Panel:
    """Form a panel (专家组) for the campaign: materials review or site visit / defence."""
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    name = clean_text(name, "name", required=True, max_length=100)
    if kind not in Panel.Kind.values:
        raise ValidationError({"kind": "请选择专家组类型"})
    panel = Panel.objects.create(campaign=campaign, name=name, kind=kind)
    members = _pool_members(actor, experts)
    panel.members.set(members)
    record(
        actor=actor,
        action="panel.create",
        obj=panel,
        ip=ip,
        summary=f"组建专家组「{name}」（{panel.get_kind_display()}，{len(members)} 人）",
        after={"members": [e.pk for e in members]},
        campaign_id=campaign.pk,
    )
    return panel


def _pool_members(actor: User, experts: Sequence[Expert]) -> list[Expert]:
    scope = organizer_scope(actor)
    members = [e for e in experts if e.is_active and e.unit in scope]
    if len(members) != len(experts):
        raise ValidationError({"experts": "所选专家不在本级专家库中或已移出专家库"})
    return members


@transaction.atomic
def set_panel_members(*, actor: User, panel: Panel, experts: Sequence[Expert], ip: str | None = None) -> Panel:
    """Change who sits on a panel. Experts removed keep their existing assignments (listed on
    the desk); they simply receive no new ones."""
    if not is_organizer_for(actor, panel.campaign):
        raise PermissionDenied
    before = sorted(panel.members.values_list("pk", flat=True))
    members = _pool_members(actor, experts)
    panel.members.set(members)
    record(
        actor=actor,
        action="panel.members",
        obj=panel,
        ip=ip,
        summary=f"调整专家组「{panel.name}」成员（{len(members)} 人）",
        before={"members": before},
        after={"members": sorted(e.pk for e in members)},
        campaign_id=panel.campaign_id,
    )
    return panel


def conflict_reason(expert: Expert, application: Application) -> str | None:
    """Why an expert must not review an application (回避), or None: the expert's own unit, the
    applicant's county, or a declared or recorded conflict."""
    unit = application.unit
    if expert.unit_id == unit.pk:
        return "专家与申报单位为同一单位"
    applicant_county = county_of(unit)
    expert_county = expert.region or county_of(expert.unit)
    if applicant_county is not None and expert_county is not None and applicant_county.pk == expert_county.pk:
        return "专家与申报单位属同一区县"
    conflict = Conflict.objects.filter(expert=expert, unit_id__in=unit.path_ids).first()
    if conflict is not None:
        return f"已登记回避：{conflict.reason}"
    return None


def conflict_checks(expert: Expert, application: Application) -> list[tuple[str, bool]]:
    """The system's own 回避 checks, worded for the expert who confirms (each True when it
    passes): the same three `conflict_reason` applies when assigning."""
    unit = application.unit
    applicant_county = county_of(unit)
    expert_county = expert.region or county_of(expert.unit)
    same_county = applicant_county is not None and expert_county is not None and applicant_county.pk == expert_county.pk
    recorded = Conflict.objects.filter(expert=expert, unit_id__in=unit.path_ids).exists()
    return [
        ("您的工作单位与申报单位不同", expert.unit_id != unit.pk),
        ("您所在区县与申报单位所在区县不同", not same_county),
        ("无登记的回避关系", not recorded),
    ]


@dataclass
class ConflictIndex:
    """The same three 回避 rules as `conflict_reason`, decided in Python for many pairs at once:
    the county ids, and the experts' recorded conflicts, are read once (two queries whatever the
    number of applications), the applicants' counties come from their units' paths. Automatic
    and batch assignment over two thousand finalists stay a bounded number of queries; each
    unit's path is read once (cached), so 2,000 × 100 pairs cost a set lookup or two each."""

    counties: frozenset[int]
    #: per expert, the recorded conflicts (unit id, reason) in the order `.first()` would find them
    declared: Mapping[int, Sequence[tuple[int, str]]]
    #: per unit id: its county's id and the ids along its path
    _units: dict[int, tuple[int | None, frozenset[int]]] = field(default_factory=dict)
    #: per expert id: the expert's county (region, else the work unit's county)
    _experts: dict[int, int | None] = field(default_factory=dict)

    @classmethod
    def load(cls, experts: Sequence[Expert]) -> ConflictIndex:
        counties = frozenset(Unit.objects.filter(kind=Unit.Kind.COUNTY).order_by().values_list("pk", flat=True))
        declared: dict[int, list[tuple[int, str]]] = {}
        rows = (
            Conflict.objects.filter(expert_id__in=[e.pk for e in experts])
            .order_by("pk")
            .values_list("expert_id", "unit_id", "reason")
        )
        for expert_id, unit_id, reason in rows:
            declared.setdefault(expert_id, []).append((unit_id, reason))
        return cls(counties=counties, declared=declared)

    def _facts(self, unit: Unit) -> tuple[int | None, frozenset[int]]:
        facts = self._units.get(unit.pk)
        if facts is None:
            ids = unit.path_ids
            county = next((pk for pk in reversed(ids) if pk in self.counties), None)
            facts = self._units[unit.pk] = (county, frozenset(ids))
        return facts

    def county_id(self, unit: Unit) -> int | None:
        """The unit's county (the unit itself when it is one), as `county_of`, from its path."""
        return self._facts(unit)[0]

    def expert_county_id(self, expert: Expert) -> int | None:
        if expert.pk not in self._experts:
            region = expert.region_id
            self._experts[expert.pk] = region if region is not None else self.county_id(expert.unit)
        return self._experts[expert.pk]

    def prepare(self, experts: Sequence[Expert]) -> list[tuple[Expert, int, int, int | None, frozenset[int]]]:
        """Each expert with the plain ids `free_of_conflict` compares: its id, its work unit's,
        its county's and the units of its recorded conflicts (read once, not per pair)."""
        return [
            (e, e.pk, e.unit_id, self.expert_county_id(e), frozenset(u for u, _ in self.declared.get(e.pk, ())))
            for e in experts
        ]

    def free_of_conflict(
        self, prepared: Sequence[tuple[Expert, int, int, int | None, frozenset[int]]], unit_id: int, path: str
    ) -> list[tuple[Expert, int]]:
        """The prepared experts (with their ids) who need no 回避 for the unit of this id and path:
        the rules of `reason`, on ids only (2,000 × 100 pairs in well under a second)."""
        ids = [int(part) for part in path.split(SEP) if part]
        county = next((pk for pk in reversed(ids) if pk in self.counties), None)
        along = frozenset(ids)
        return [
            (e, pk)
            for e, pk, work_unit, expert_county, declared in prepared
            if work_unit != unit_id
            and (county is None or expert_county != county)
            and (not declared or declared.isdisjoint(along))
        ]

    def reason(self, expert: Expert, application: Application) -> str | None:
        """`conflict_reason(expert, application)`, without a query."""
        unit = application.unit
        if expert.unit_id == unit.pk:
            return "专家与申报单位为同一单位"
        applicant_county, along = self._facts(unit)
        expert_county = self.expert_county_id(expert)
        if applicant_county is not None and expert_county is not None and applicant_county == expert_county:
            return "专家与申报单位属同一区县"
        for unit_id, reason in self.declared.get(expert.pk, ()):
            if unit_id in along:
                return f"已登记回避：{reason}"
        return None


def _notify_experts(experts: Sequence[Expert], counts: Counter[int], campaign: Campaign) -> None:
    """Each expert given work hears how many applications, in one insert for all of them."""
    notify_each(
        messages=[
            (expert.user, f"新的评审任务：{campaign}（{counts[expert.pk]} 份申报）")
            for expert in experts
            if counts[expert.pk]
        ],
        link="/reviews/expert/",
    )


def organizer_users(campaign: Campaign) -> list[User]:
    """The organizers at the campaign's organizing unit: who hears of an expert's withdrawal."""
    return [
        m.user
        for m in Membership.objects.filter(unit_id=campaign.organizer_id, role=Role.ORGANIZER).select_related("user")
    ]


@transaction.atomic
def assign_expert(
    *, actor: User, panel: Panel, application: Application, expert: Expert, ip: str | None = None
) -> Assignment:
    """Assign one expert to one application (by hand), refusing conflicts of interest."""
    if not is_organizer_for(actor, panel.campaign):
        raise PermissionDenied
    refuse_after_publication(panel.campaign, "分配评审任务")
    if application.campaign_id != panel.campaign_id:
        raise ValidationError("申报不属于该活动")
    if not finalists(panel.campaign).filter(pk=application.pk).exists():
        raise ValidationError(f"{application.unit.name}尚未进入专家评审（未被推荐），不能分配")
    if not expert.is_active:
        raise ValidationError(f"{expert} 已不在专家库中")
    reason = conflict_reason(expert, application)
    if reason:
        raise ValidationError(f"{expert} 不能评审 {application.unit.name}：{reason}")
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(panel=panel, application=application, expert=expert)
    except IntegrityError:
        raise ValidationError(f"{expert} 已分配评审 {application.unit.name}") from None
    record(
        actor=actor,
        action="assignment.create",
        obj=assignment,
        ip=ip,
        summary=f"分配 {expert} 评审 {application.unit.name}",
        campaign_id=panel.campaign_id,
        unit_id=application.unit_id,
    )
    notify(users=[expert.user], text=f"新的评审任务：{panel.campaign}", link="/reviews/expert/")
    return assignment


@dataclass(frozen=True)
class AutoAssignment:
    """What an automatic assignment did: how many tasks it made, the applications left short
    of experts, and, when it made none, why."""

    made: int
    applications: int
    wanted: int
    problems: list[str]
    reason: str = ""

    @property
    def message(self) -> str:
        if self.made:
            return f"已自动分配 {self.made} 项评审任务（{self.applications} 份申报，每份 {self.wanted} 位专家）"
        return f"未分配任何评审任务：{self.reason}"


@transaction.atomic
def auto_assign(
    *,
    actor: User,
    panel: Panel,
    per_application: int | None = None,
    ip: str | None = None,
) -> AutoAssignment:
    """Give every application in the panel's scope its N experts, balancing workloads (fewest
    assignments first) and never breaking 回避. Returns how many tasks were made, the problems
    (applications that could not get enough experts) and, when none were made, the reason.

    Province scale (two thousand finalists, a hundred experts): the experts, their conflicts,
    the counties, the finalists with their units' paths, the panel's assignments and the
    campaign's loads are read once; every pair is decided in Python (`ConflictIndex`), the
    tasks written with one bulk insert, one audit entry lists them, and each expert given work
    is notified in one insert. The query count does not grow with the finalists. The panel row
    is locked for the duration, so two runs never assign the same pair twice."""
    if not is_organizer_for(actor, panel.campaign):
        raise PermissionDenied
    panel = Panel.objects.select_for_update().select_related("campaign").get(pk=panel.pk)
    campaign = panel.campaign
    settings_obj, _ = ReviewSettings.objects.get_or_create(campaign=campaign)
    wanted = per_application or settings_obj.experts_per_application
    experts = list(panel.members.filter(is_active=True).select_related("unit", "region", "user").order_by("pk"))
    load = Counter(
        dict(
            Assignment.objects.filter(panel__campaign=campaign)
            .order_by()
            .values_list("expert_id")
            .annotate(n=Count("pk"))
        )
    )
    existing: dict[int, set[int]] = {}
    for application_id, expert_id in Assignment.objects.filter(panel=panel).values_list("application_id", "expert_id"):
        existing.setdefault(application_id, set()).add(expert_id)
    # plain values, not 2,000 applications with their units and frameworks as model instances
    applications = list(
        finalists(campaign).order_by("unit__code").values_list("pk", "unit_id", "unit__path", "unit__name")
    )
    index = ConflictIndex.load(experts)
    prepared = index.prepare(experts)
    problems = []
    given: Counter[int] = Counter()
    new: list[Assignment] = []
    full = conflicted = 0
    for application_id, unit_id, path, unit_name in applications:
        have = existing.get(application_id, set())
        if len(have) >= wanted:
            full += 1
            continue
        free = [row for row in prepared if row[1] not in have]
        candidates = sorted(
            (pk for _e, pk in index.free_of_conflict(free, unit_id, path)), key=lambda pk: (load[pk], pk)
        )
        if free and not candidates:
            conflicted += 1
        chosen = candidates[: wanted - len(have)]
        for expert_id in chosen:
            new.append(Assignment(panel_id=panel.pk, application_id=application_id, expert_id=expert_id))
            load[expert_id] += 1
            given[expert_id] += 1
        if (got := len(have) + len(chosen)) < wanted:
            problems.append(f"{unit_name}：可分配专家不足（需要 {wanted} 位，仅 {got} 位无需回避）")
    Assignment.objects.bulk_create(new, batch_size=1000)
    made = len(new)
    reason = ""
    if not made:
        if not applications:
            reason = "尚无进入专家评审的申报"
        elif not experts:
            reason = f"专家组「{panel.name}」没有在库的成员，请先调整成员"
        elif full == len(applications):
            reason = f"每份申报已有 {wanted} 位专家"
        elif conflicted == len(applications) - full:
            reason = "专家组成员与尚缺专家的申报均需回避"
        else:
            reason = f"专家组成员已分配或需回避，成员不足每份 {wanted} 位，请增加成员"
    result = AutoAssignment(made=made, applications=len(applications), wanted=wanted, problems=problems, reason=reason)
    record(
        actor=actor,
        action="assignment.auto",
        obj=panel,
        ip=ip,
        summary=f"自动分配，每份 {wanted} 位专家，新增 {made} 项任务" + (f"（{reason}）" if reason else ""),
        after={
            "problems": problems,
            "given": {str(k): v for k, v in given.items()},
            "reason": reason,
            "assignments": [[a.application_id, a.expert_id] for a in new],
        },
        campaign_id=panel.campaign_id,
    )
    _notify_experts(experts, given, campaign)
    return result


@transaction.atomic
def assign_batch(
    *,
    actor: User,
    panel: Panel,
    applications: Sequence[Application],
    experts: Sequence[Expert],
    ip: str | None = None,
) -> tuple[list[Assignment], list[str]]:
    """Assign every chosen expert to every chosen application in one go (批量分配). Pairs that
    break 回避 or already exist are skipped and reported; the rest are made. As `auto_assign`:
    the conflicts and existing pairs are read once and the tasks written in one bulk insert."""
    if not is_organizer_for(actor, panel.campaign):
        raise PermissionDenied
    refuse_after_publication(panel.campaign, "分配评审任务")
    if not applications or not experts:
        raise ValidationError("请至少选择一份申报和一位专家")
    panel = Panel.objects.select_for_update().select_related("campaign").get(pk=panel.pk)
    allowed = set(finalists(panel.campaign).values_list("pk", flat=True))
    index = ConflictIndex.load(experts)
    existing = set(
        Assignment.objects.filter(panel=panel, expert_id__in=[e.pk for e in experts]).values_list(
            "application_id", "expert_id"
        )
    )
    made: list[Assignment] = []
    skipped: list[str] = []
    for application in applications:
        if application.campaign_id != panel.campaign_id or application.pk not in allowed:
            skipped.append(f"{application.unit.name}：尚未进入专家评审，未分配")
            continue
        for expert in experts:
            reason = None if expert.is_active else "已不在专家库中"
            reason = reason or index.reason(expert, application)
            if reason is None and (application.pk, expert.pk) in existing:
                reason = "已分配"
            if reason:
                skipped.append(f"{expert} → {application.unit.name}：{reason}")
                continue
            made.append(Assignment(panel=panel, application=application, expert=expert))
            existing.add((application.pk, expert.pk))
    made = Assignment.objects.bulk_create(made, batch_size=1000)
    record(
        actor=actor,
        action="assignment.batch",
        obj=panel,
        ip=ip,
        summary=f"批量分配 {len(made)} 项，跳过 {len(skipped)} 项",
        after={"assignments": [[a.application_id, a.expert_id] for a in made], "skipped": skipped},
        campaign_id=panel.campaign_id,
    )
    _notify_experts(experts, Counter(a.expert_id for a in made), panel.campaign)
    return made, skipped


def _own_assignment(actor: User, assignment: Assignment) -> Assignment:
    fresh = Assignment.objects.select_for_update().select_related("expert", "application__unit").get(pk=assignment.pk)
    if fresh.expert.user_id != getattr(actor, "pk", None):
        raise PermissionDenied
    return fresh


@transaction.atomic
def confirm_no_conflict(*, actor: User, assignment: Assignment, ip: str | None = None) -> Assignment:
    """The expert, having read whom the assignment concerns (or its code and the system's
    checks in blind review), confirms no conflict of interest; only then may they open the
    application's materials."""
    assignment = _own_assignment(actor, assignment)
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("已确认或已结束的评审任务")
    assignment.status = Assignment.Status.CONFIRMED
    assignment.no_conflict_at = timezone.now()
    assignment.save()
    record(
        actor=actor,
        action="assignment.no_conflict",
        obj=assignment,
        ip=ip,
        summary="专家确认无利益冲突",
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    return assignment


@transaction.atomic
def abstain(*, actor: User, assignment: Assignment, reason: str, ip: str | None = None) -> Assignment:
    """The expert withdraws (回避 or 弃评) with a reason, before or after confirming, until the
    sheet is submitted; the conflict is recorded for later and the organizers are told."""
    assignment = _own_assignment(actor, assignment)
    if assignment.status == Assignment.Status.SUBMITTED:
        raise ValidationError("已提交的评分不能申请回避，如确有利益冲突请联系组织单位")
    if assignment.status == Assignment.Status.ABSTAINED:
        raise ValidationError("该评审任务已回避")
    if not reason.strip():
        raise ValidationError({"abstain_reason": "请填写回避理由"})
    assignment.status = Assignment.Status.ABSTAINED
    assignment.abstain_reason = reason.strip()
    assignment.save()
    Conflict.objects.get_or_create(
        expert=assignment.expert,
        unit=assignment.application.unit,
        defaults={"reason": reason.strip()[:200], "declared_by_expert": True},
    )
    record(
        actor=actor,
        action="assignment.abstain",
        obj=assignment,
        ip=ip,
        summary=f"专家回避/弃评：{reason}",
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    campaign = assignment.panel.campaign
    notify(
        users=organizer_users(campaign),
        text=f"专家 {assignment.expert} 申请回避 {assignment.application.unit.name}（{campaign}）："
        f"{reason.strip()}，请重新分配",
        link=f"/reviews/organizer/{campaign.pk}/",
    )
    return assignment


def first_review_points(application: Application) -> dict[str, str]:
    """The first-review (初审) points per indicator an expert may agree with: the county's
    accepted score where there is one, else the self-score of the latest version."""
    county = application.county_reviews.filter(decision=CountyReview.Decision.ACCEPTED).order_by("-decided_at").first()
    source = county.result if county is not None else latest_version(application).result
    return {
        code: str(data["points"])
        for code, data in (source or {}).get("indicators", {}).items()
        if data.get("points") not in (None, "")
    }


def undecided(assignment: Assignment) -> list[tuple[str, str]]:
    """The leaf indicators (code, title) the expert has not yet decided: neither scored,
    agreed with the first-review score, nor answered by inputs; or put aside (暂缓).
    Indicators of a direction the school did not choose need no decision."""
    fw = framework_for(assignment.application.framework)
    indicators = (assignment.result or {}).get("indicators", {})
    decided = set(assignment.points) | set(assignment.agreed) | set(assignment.entered)
    decided -= set(assignment.skipped)
    return [
        (leaf.code, leaf.title)
        for leaf in fw.leaves()
        if leaf.code not in decided and indicators.get(leaf.code, {}).get("status") != "not_chosen"
    ]


def estimated_codes(assignment: Assignment) -> set[str]:
    """The leaves whose first-review points still rest on the applicant's self-estimate of an
    input the seed leaves to the review group (`decided_by: reviewer`): the expert decides them
    (the value, or the points), never by 同意初审分. A leaf the county decided in its accepted
    first review (its points, or one of those inputs) is not among them: agreeing there adopts
    the county's decision."""
    decided = framework_for(assignment.application.framework).reviewer_decided_inputs()
    if not decided:
        return set()
    county = (
        assignment.application.county_reviews.filter(decision=CountyReview.Decision.ACCEPTED)
        .order_by("-decided_at")
        .first()
    )
    settled = {
        a.indicator_code
        for a in (county.adjustments.all() if county is not None else ())
        if a.indicator_code in decided and (a.field == "points" or a.field in decided[a.indicator_code])
    }
    return set(decided) - settled


def describe_undecided(items: Sequence[tuple[str, str]]) -> str:
    return f"尚有 {len(items)} 项指标未作出评审决定（请评分或同意初审分）：" + "、".join(
        f"{code} {title}" for code, title in items
    )


@transaction.atomic
def record_expert_score(
    *,
    actor: User,
    assignment: Assignment,
    revision: int,
    answers: Mapping[str, Any] | None = None,
    points: Mapping[str, Any] | None = None,
    comments: Mapping[str, str] | None = None,
    skipped: Sequence[str] = (),
    agreed: Sequence[str] | None = None,
    overall_comment: str | None = None,
    ip: str | None = None,
) -> Assignment:
    """Save an expert's sheet: rule inputs and/or points within each indicator's range, or
    同意初审分 (`agreed`: the first-review points stand), a comment per indicator, indicators
    skipped for later, the overall opinion. The same engine scores it; a save from a stale
    revision is refused (two tabs never overwrite each other). `agreed`/`overall_comment`
    left None keep what was saved."""
    check_scoring_open(assignment)
    assignment = _own_assignment(actor, assignment)
    if assignment.status == Assignment.Status.ASSIGNED:
        raise ValidationError("请先确认无利益冲突")
    if assignment.status in (Assignment.Status.SUBMITTED, Assignment.Status.ABSTAINED):
        raise ValidationError("评分已提交或已弃评，不能修改")
    if revision != assignment.revision:
        raise StaleRevision("评分表已在其他窗口更新，请刷新后再保存")
    doc = copy.deepcopy(assignment.answers or latest_version(assignment.application).answers)
    for code, fields in (answers or {}).items():
        doc.setdefault("answers", {})[code] = fields
    merged_points = dict(assignment.points)
    for code, value in (points or {}).items():
        if value in (None, ""):
            merged_points.pop(code, None)
        else:
            merged_points[code] = str(to_decimal(value, f"指标 {code} 的评分"))
    agreed_codes = set(assignment.agreed if agreed is None else agreed)
    estimated = sorted(agreed_codes & estimated_codes(assignment)) if agreed is not None else []
    if estimated:
        raise ValidationError(
            {
                f"agree_{c}": f"指标 {c} 由评审认定（初审分按申报方的自评估计计算），"
                "请填写认定结果或直接评分，不能同意初审分"
                for c in estimated
            }
        )
    typed = {code for code, value in (points or {}).items() if value not in (None, "")}
    both = sorted(agreed_codes & typed)
    if both and agreed is not None:
        raise ValidationError({f"points_{c}": f"指标 {c} 既填写了评分又勾选了同意初审分，请二选一" for c in both})
    agreed_codes -= set(merged_points)
    first = first_review_points(assignment.application) if agreed_codes else {}
    overrides = {c: Decimal(v) for c, v in merged_points.items()}
    overrides.update({c: Decimal(first[c]) for c in agreed_codes if c in first})
    result = score_answers(assignment.application, doc, overrides)
    before = {"total": str(assignment.total) if assignment.total is not None else None}
    assignment.answers = doc
    assignment.points = merged_points
    assignment.agreed = sorted(agreed_codes)
    assignment.entered = sorted(set(assignment.entered) | set((answers or {}).keys()))
    if overall_comment is not None:
        assignment.overall_comment = clean_text(overall_comment, "overall_comment", max_length=4000)
    assignment.comments = {**assignment.comments, **{k: v.strip() for k, v in (comments or {}).items()}}
    assignment.skipped = sorted(set(skipped))
    assignment.result = result.to_dict()
    assignment.total = result.total
    assignment.revision += 1
    assignment.save()
    record(
        actor=actor,
        action="expert_score.save",
        obj=assignment,
        ip=ip,
        summary=f"专家评分保存：{fmt(result.total)} 分",
        before=before,
        after={"total": fmt(result.total), "points": merged_points, "agreed": assignment.agreed},
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    return assignment


@transaction.atomic
def submit_expert_score(*, actor: User, assignment: Assignment, ip: str | None = None) -> Assignment:
    """Submit and lock the sheet: every indicator explicitly decided — scored, answered by
    inputs, or 同意初审分 — none left skipped; a refusal lists the undecided ones."""
    check_scoring_open(assignment)
    assignment = _own_assignment(actor, assignment)
    if assignment.status != Assignment.Status.CONFIRMED:
        raise ValidationError("只有已确认无利益冲突且未提交的评分可以提交")
    missing = undecided(assignment)
    if not assignment.result or missing:
        raise ValidationError(describe_undecided(missing) if missing else "尚未保存评分")
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save()
    record(
        actor=actor,
        action="expert_score.submit",
        obj=assignment,
        ip=ip,
        summary=f"专家提交评分 {fmt(assignment.total or Decimal(0))} 分",
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    return assignment


@transaction.atomic
def unlock_assignment(*, actor: User, assignment: Assignment, reason: str, ip: str | None = None) -> Assignment:
    """The organizer reopens a submitted sheet, with a reason (reconciliation before the list
    is published). After publication a sheet reopens only through a recorded 复议."""
    assignment = Assignment.objects.select_for_update().select_related("panel__campaign").get(pk=assignment.pk)
    if not is_organizer_for(actor, assignment.panel.campaign):
        raise PermissionDenied
    if Publication.objects.filter(campaign_id=assignment.panel.campaign_id).exists():
        raise ValidationError("已发布公示，评分不能直接解锁；如需更正，请启动复议")
    if assignment.status != Assignment.Status.SUBMITTED:
        raise ValidationError("只有已提交的评分可以解锁")
    if not reason.strip():
        raise ValidationError("解锁必须说明理由")
    assignment.status = Assignment.Status.CONFIRMED
    assignment.submitted_at = None
    assignment.save()
    record(
        actor=actor,
        action="expert_score.unlock",
        obj=assignment,
        ip=ip,
        summary=f"解锁专家评分：{reason}",
        campaign_id=assignment.panel.campaign_id,
        unit_id=assignment.application.unit_id,
    )
    notify(users=[assignment.expert.user], text=f"您的评分已被解锁：{reason}", link="/reviews/expert/")
    return assignment


@transaction.atomic
def save_and_submit_expert_score(
    *,
    actor: User,
    assignment: Assignment,
    revision: int,
    answers: Mapping[str, Any] | None = None,
    points: Mapping[str, Any] | None = None,
    comments: Mapping[str, str] | None = None,
    skipped: Sequence[str] = (),
    agreed: Sequence[str] | None = None,
    overall_comment: str | None = None,
    ip: str | None = None,
) -> Assignment:
    """Save the sheet as typed and submit it, in one transaction: when the submission is
    refused (an indicator left undecided), nothing of the save is kept either."""
    saved = record_expert_score(
        actor=actor,
        assignment=assignment,
        revision=revision,
        answers=answers,
        points=points,
        comments=comments,
        skipped=skipped,
        agreed=agreed,
        overall_comment=overall_comment,
        ip=ip,
    )
    return submit_expert_score(actor=actor, assignment=saved, ip=ip)


@transaction.atomic
def agree_with_first_review(
    *, actor: User, assignment: Assignment, revision: int, codes: Sequence[str], ip: str | None = None
) -> Assignment:
    """其余指标同意初审分: the expert, after confirming the list shown, agrees with the
    first-review score on every indicator still undecided. `codes` is the list the expert
    confirmed; if the sheet changed since (another tab), the save is refused as stale."""
    current = _own_assignment(actor, assignment)
    if current.status != Assignment.Status.CONFIRMED:
        raise ValidationError("评分已提交或已回避，不能修改")
    if revision != current.revision:
        raise StaleRevision("评分表已在其他窗口更新，请刷新后再确认")
    decided_by_review = estimated_codes(current)
    pending = [code for code, _title in undecided(current) if code not in decided_by_review]
    if not pending:
        raise ValidationError("所有可同意初审分的指标均已作出评审决定")
    if sorted(codes) != sorted(pending):
        raise ValidationError("待决定的指标已变化，请重新确认")
    return record_expert_score(
        actor=actor,
        assignment=current,
        revision=revision,
        skipped=[c for c in current.skipped if c not in pending],
        agreed=sorted(set(current.agreed) | set(pending)),
        ip=ip,
    )
