"""Recommendation lists and quotas, at county and at city level; the province's step is its
finalists (`queries.finalists`) and its places (`Campaign.places_schools` / `places_districts`,
applied when the results are ranked).

The county step (初审 and the list within the county quota) is taken by the unit
`rules.first_review_unit` names: the county, or for a 市直 school its city and for a 省直
school the province, whose list counts against the same per-county quota. A city has one list
per campaign: in a campaign without a city step it is the list of its 市直 schools; with a city
step it is the city's list, which then carries the 市直 schools the city accepted itself
(those count against the per-county quota as well as the city's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from campuseval.access.rules import first_review_unit, is_direct_school, reviews_first_step_at
from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application
from campuseval.applications.services import check_scan_file, scan_name
from campuseval.audit.services import record
from campuseval.campaigns import stages
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from ..models import (
    RecommendationEntry,
    RecommendationList,
    ReviewSettings,
)
from ..queries import county_recommended_ids

# --- recommendation lists and quotas ---------------------------------------------------------


#: how a quota message names the schools a list's county step covers, by the list's unit kind
_COUNTED_AS: dict[str, str] = {
    Unit.Kind.CITY: "市直学校",
    Unit.Kind.PROVINCE: "省直学校",
}


def check_quota(campaign: Campaign, applications: Sequence[Application], *, unit: Unit | None = None) -> list[str]:
    """The quota problems of a county's list (Bozhou: at most 10 schools per
    county, at least 2 rural). Only school applicants count toward school quotas. A city's 市直
    or the province's 省直 schools (`unit` a city or province) count as one county does, and the
    message says so."""
    problems = []
    schools = [a for a in applications if a.unit.kind == Unit.Kind.SCHOOL]
    who = _COUNTED_AS.get(unit.kind, "") if unit is not None else ""
    if campaign.max_schools_per_county is not None and len(schools) > campaign.max_schools_per_county:
        if who:
            problems.append(
                f"推荐{who} {len(schools)} 所，超过每县（区）最多 {campaign.max_schools_per_county} 所的名额"
                f"（{who}按一个县（区）计）"
            )
        else:
            problems.append(
                f"推荐学校 {len(schools)} 所，超过每县（区）最多 {campaign.max_schools_per_county} 所的名额"
            )
    rural = sum(1 for a in schools if a.unit.area == Unit.Area.RURAL)
    if campaign.min_rural_per_county and schools and rural < campaign.min_rural_per_county:
        among = f"的{who}" if who else ""
        problems.append(f"推荐名单中{among}乡村学校 {rural} 所，少于至少 {campaign.min_rural_per_county} 所的要求")
    return problems


def _has_city_step(campaign: Campaign) -> bool:
    return ReviewSettings.objects.filter(campaign=campaign, city_review=True).exists()


def _store_rows(
    *,
    rec: RecommendationList,
    applications: Sequence[Application],
    highlights: Mapping[int, str] | None,
    filled_by: str,
    phone: str,
    actor: User,
    ip: str | None,
    action: str,
    summary: str,
    campaign: Campaign,
    unit: Unit,
) -> RecommendationList:
    """Replace a list's rows in the chosen order and audit before/after: the same step at
    county and at city level, so that 谁推荐、推荐了谁 reads the same in both logs."""
    before = list(rec.rows.values_list("application_id", flat=True))
    rec.rows.all().delete()
    for position, app in enumerate(applications, start=1):
        RecommendationEntry.objects.create(
            recommendation=rec, application=app, position=position, highlights=(highlights or {}).get(app.pk, "")
        )
    rec.filled_by, rec.phone = filled_by.strip(), phone.strip()
    rec.save()
    record(
        actor=actor,
        action=action,
        obj=rec,
        ip=ip,
        summary=f"{summary} {len(applications)} 个",
        before={"applications": before},
        after={"applications": [a.pk for a in applications]},
        campaign_id=campaign.pk,
        unit_id=unit.pk,
    )
    return rec


@transaction.atomic
def recommend_applications(
    *,
    actor: User,
    campaign: Campaign,
    county: Unit,
    applications: Sequence[Application],
    filled_by: str = "",
    phone: str = "",
    highlights: Mapping[int, str] | None = None,
    ip: str | None = None,
) -> RecommendationList:
    """Save the county's recommendation list (in order). Quotas are enforced here with a clear
    message; only applications the county accepted can be recommended; a confirmed list is
    frozen. `county` may be a city (its 市直 schools) or the province (its 省直 schools): their
    reviewer or organizer keeps that list under the same per-county quota. In a campaign with a
    city step a city has no separate 市直 list: its 市直 schools go on the city's list
    (`recommend_from_city`)."""
    if not reviews_first_step_at(actor, county):
        raise PermissionDenied
    stages.check_open(campaign, stages.Action.RECOMMEND)
    if ReviewSettings.objects.filter(campaign=campaign, county_list=False).exists():
        raise ValidationError("本活动不设县级推荐名单：县级初审通过的申报直接进入专家评审")
    if county.kind == Unit.Kind.CITY and _has_city_step(campaign):
        raise ValidationError("本活动设有市级推荐环节：市直学校在市级推荐名单中推荐（计入每县（区）名额）")
    rec, _ = RecommendationList.objects.select_for_update().get_or_create(campaign=campaign, unit=county)
    if rec.is_confirmed:
        raise ValidationError("推荐名单已确认，不能再修改")
    fresh = Application.objects.select_related("unit__parent").in_bulk([a.pk for a in applications])
    applications = [fresh[a.pk] for a in applications]
    problems = []
    for app in applications:
        if app.campaign_id != campaign.pk or first_review_unit(app.unit) != county:
            raise PermissionDenied
        if app.status not in (Application.Status.ACCEPTED, Application.Status.RECOMMENDED):
            problems.append(f"{app.unit.name}尚未通过县级初审，不能推荐")
    problems += check_quota(campaign, applications, unit=county)
    if problems:
        raise ValidationError(problems)
    return _store_rows(
        rec=rec,
        applications=applications,
        highlights=highlights,
        filled_by=filled_by,
        phone=phone,
        actor=actor,
        ip=ip,
        action="recommendation.save",
        summary="保存推荐名单",
        campaign=campaign,
        unit=county,
    )


@transaction.atomic
def confirm_recommendation(
    *, actor: User, recommendation: RecommendationList, confirmed_name: str, ip: str | None = None
) -> RecommendationList:
    """A named person confirms the list; it is frozen and its applications become recommended."""
    rec = (
        RecommendationList.objects.select_for_update(of=("self",))
        .select_related("unit", "campaign")
        .get(pk=recommendation.pk)
    )
    #: a city's list is the city step only in a campaign that has one; else it is its 市直 list
    at_city = rec.unit.kind == Unit.Kind.CITY and _has_city_step(rec.campaign)
    if at_city:
        allowed = Membership.objects.filter(
            user=actor, unit=rec.unit, role__in=[Role.COUNTY_REVIEWER, Role.ORGANIZER]
        ).exists()
    else:
        allowed = reviews_first_step_at(actor, rec.unit)
    if not allowed:
        raise PermissionDenied
    if rec.is_confirmed:
        raise ValidationError("推荐名单已确认")
    stages.check_open(rec.campaign, stages.Action.CITY_RECOMMEND if at_city else stages.Action.RECOMMEND)
    if not confirmed_name.strip():
        raise ValidationError("请填写确认人姓名")
    if "\x00" in confirmed_name:
        raise ValidationError("确认人姓名含有不可见的空字符，请删除后重试")
    apps = [row.application for row in rec.rows.select_related("application__unit__parent")]
    if not apps:
        raise ValidationError("推荐名单为空")
    if at_city:
        direct = [a for a in apps if is_direct_school(a.unit)]
        problems = check_city_quota(rec.campaign, apps) + check_quota(rec.campaign, direct, unit=rec.unit)
    else:
        problems = check_quota(rec.campaign, apps, unit=rec.unit)
    if not at_city and rec.campaign.requires_stamped_scans and not rec.stamped_scan:
        problems.append("本次活动要求上传加盖公章的推荐表扫描件，请先下载推荐表、盖章扫描后上传，再确认名单")
    if problems:
        raise ValidationError(problems)
    rec.confirmed_by, rec.confirmed_name, rec.confirmed_at = actor, confirmed_name.strip(), timezone.now()
    rec.save()
    if not at_city:
        Application.objects.filter(pk__in=[a.pk for a in apps]).update(status=Application.Status.RECOMMENDED)
    else:
        # the 市直 schools the city accepted itself are recommended by this list (the counties'
        # schools already were, by their counties' lists)
        Application.objects.filter(pk__in=[a.pk for a in apps], status=Application.Status.ACCEPTED).update(
            status=Application.Status.RECOMMENDED
        )
    record(
        actor=actor,
        action="recommendation.confirm",
        obj=rec,
        ip=ip,
        summary=f"{rec.confirmed_name} 确认推荐名单（{len(apps)} 个）",
        after={"applications": [a.pk for a in apps]},
        campaign_id=rec.campaign_id,
        unit_id=rec.unit_id,
    )
    return rec


def check_city_quota(campaign: Campaign, applications: Sequence[Application]) -> list[str]:
    """The quota problems of a city's list (the campaign's per-city limit, when set)."""
    conf = ReviewSettings.objects.filter(campaign=campaign).first()
    if conf is not None and conf.city_quota is not None and len(applications) > conf.city_quota:
        return [f"市级推荐 {len(applications)} 个，超过每市最多 {conf.city_quota} 个的名额"]
    return []


@transaction.atomic
def recommend_from_city(
    *,
    actor: User,
    campaign: Campaign,
    city: Unit,
    applications: Sequence[Application],
    filled_by: str = "",
    phone: str = "",
    highlights: Mapping[int, str] | None = None,
    ip: str | None = None,
) -> RecommendationList:
    """The city's step in a school → county → city → province campaign: pick, from what its
    counties recommended (confirmed lists only) and from its 市直 schools it accepted itself
    (it is their county step), the list it sends on; the city quota, and for the 市直 schools
    the per-county quota, are enforced here and again at confirmation."""
    if (
        city.kind != Unit.Kind.CITY
        or not Membership.objects.filter(
            user=actor, unit=city, role__in=[Role.COUNTY_REVIEWER, Role.ORGANIZER]
        ).exists()
    ):
        raise PermissionDenied
    conf = ReviewSettings.objects.filter(campaign=campaign).first()
    if conf is None or not conf.city_review:
        raise ValidationError("该活动没有市级推荐环节")
    stages.check_open(campaign, stages.Action.CITY_RECOMMEND)
    rec, _ = RecommendationList.objects.select_for_update().get_or_create(campaign=campaign, unit=city)
    if rec.is_confirmed:
        raise ValidationError("推荐名单已确认，不能再修改")
    eligible = set(county_recommended_ids(campaign).values_list("application_id", flat=True))
    fresh = Application.objects.select_related("unit__parent").in_bulk([a.pk for a in applications])
    applications = [fresh[a.pk] for a in applications]
    problems = []
    direct = []
    for app in applications:
        if app.campaign_id != campaign.pk or app.unit.ancestor_of_kind(Unit.Kind.CITY) != city:
            raise PermissionDenied
        if is_direct_school(app.unit):
            direct.append(app)
            if app.status not in (Application.Status.ACCEPTED, Application.Status.RECOMMENDED):
                problems.append(f"{app.unit.name}尚未通过市级初审（市直学校），不能推荐")
        elif app.pk not in eligible:
            problems.append(f"{app.unit.name}不在已确认的区县推荐名单中，不能推荐")
    problems += check_city_quota(campaign, applications)
    problems += check_quota(campaign, direct, unit=city)
    if problems:
        raise ValidationError(problems)
    return _store_rows(
        rec=rec,
        applications=applications,
        highlights=highlights,
        filled_by=filled_by,
        phone=phone,
        actor=actor,
        ip=ip,
        action="recommendation.city_save",
        summary="保存市级推荐名单",
        campaign=campaign,
        unit=city,
    )


@transaction.atomic
def upload_recommendation_scan(
    *, actor: User, recommendation: RecommendationList, file: UploadedFile[bytes], ip: str | None = None
) -> RecommendationList:
    """The county's stamped 推荐表, scanned, uploaded before it confirms its list (a new upload
    replaces the previous one until the list is confirmed)."""
    rec = (
        RecommendationList.objects.select_for_update(of=("self",))
        .select_related("unit", "campaign")
        .get(pk=recommendation.pk)
    )
    if not reviews_first_step_at(actor, rec.unit):
        raise PermissionDenied
    if rec.is_confirmed:
        raise ValidationError("推荐名单已确认，不能再更换扫描件")
    stages.check_open(rec.campaign, stages.Action.RECOMMEND)
    mime = check_scan_file(file, "盖章推荐表扫描件")
    old = rec.stamped_scan.name if rec.stamped_scan else ""
    rec.stamped_scan.save(scan_name(f"recommendation-{rec.pk}", mime), file, save=False)
    rec.stamped_scan_at = timezone.now()
    rec.save(update_fields=["stamped_scan", "stamped_scan_at"])
    record(
        actor=actor,
        action="recommendation.stamped_scan",
        obj=rec,
        ip=ip,
        summary="上传盖章推荐表扫描件",
        before={"file": old} if old else None,
        after={"file": rec.stamped_scan.name, "size": file.size},
        campaign_id=rec.campaign_id,
        unit_id=rec.unit_id,
    )
    return rec
