"""Campaign services: create, validate (Chinese messages by field, nothing written on error),
update (locked once applications started, no audit for an unchanged save), open and advance."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from campuseval.applications import queries as application_queries
from campuseval.applications import services as application_services
from campuseval.audit.models import AuditEntry
from campuseval.campaigns import services
from campuseval.campaigns.models import Campaign, Stage

from .conftest import CampaignWorld, campaign_data, stages


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_create_campaign_writes_settings_stages_and_audit(cw: CampaignWorld) -> None:
    campaign = services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw), ip="10.0.0.1")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.school_framework == cw.w.record and campaign.district_framework is None
    assert list(campaign.covered_units.all()) == [cw.w.county_x]
    assert campaign.max_schools_per_county == 10 and campaign.min_rural_per_county == 2
    assert sorted(campaign.stages.values_list("kind", flat=True)) == ["apply", "county_review"]
    assert campaign.created_by == cw.users["organizer"]
    entry = AuditEntry.objects.get(action="campaign.create", object_id=str(campaign.pk))
    assert entry.ip == "10.0.0.1" and entry.campaign_id == campaign.pk
    assert entry.after["school_framework"] == "webmini" and entry.after["covered_units"] == ["W-X"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "请填写活动名称"),
        ({"name": "活动\x00"}, "name", "空字符"),
        ({"as_of": None}, "as_of", "请填写评估基准日"),
        (
            {"min_rural_per_county": 11},
            "min_rural_per_county",
            "每县至少乡村学校数（11）不能大于每县最多推荐学校数（10）",
        ),
        ({"school_framework": None}, "school_framework", "申报对象包括学校，请选择学校指标框架"),
        ({"min_self_score": Decimal("31")}, "min_self_score", "申报最低自评分 31 超过了指标框架的满分 30"),
        ({"min_self_score": Decimal("-1")}, "min_self_score", "不能为负数"),
        ({"school_form": "nope"}, "school_form", "申报书“nope”不存在"),
    ],
)
def test_create_refuses_bad_settings(cw: CampaignWorld, changes: dict, field: str, message: str) -> None:
    before = Campaign.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw, **changes))
    assert any(message in m for m in errors_of(exc)[field]), errors_of(exc)
    assert Campaign.objects.count() == before
    assert not AuditEntry.objects.filter(action="campaign.create").exists()


def test_deadline_before_start_and_stage_order(cw: CampaignWorld) -> None:
    start = timezone.now()
    bad = {
        "apply": (start, start - dt.timedelta(hours=1)),
        "county_review": (start - dt.timedelta(days=1), start + dt.timedelta(days=3)),
        "publicity": (start + dt.timedelta(days=9), None),
    }
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw, stages=bad))
    errors = errors_of(exc)
    assert errors["apply_deadline"] == ["申报的截止时间应晚于开始时间"]
    assert errors["county_review_starts"] == ["县级初评的开始时间不能早于申报的截止时间"]
    assert errors["publicity_deadline"] == ["请填写公示的截止时间"]
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw, stages={}))
    assert errors_of(exc)["apply_starts"] == ["请填写申报阶段的开始时间和截止时间"]


def test_framework_subject_must_match_applicants(cw: CampaignWorld) -> None:
    data = campaign_data(cw, school_framework=cw.district_record)
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(actor=cw.users["organizer"], data=data)
    assert errors_of(exc)["school_framework"] == ["“区县测试框架”是区县指标框架，不能用于学校申报"]
    data = campaign_data(cw, applicants="districts", district_framework=cw.w.record)
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(actor=cw.users["organizer"], data=data)
    assert errors_of(exc)["district_framework"] == ["“网页测试框架”是学校指标框架，不能用于区县申报"]


def test_districts_only_drops_school_settings(cw: CampaignWorld) -> None:
    data = campaign_data(cw, applicants="districts", district_framework=cw.district_record)
    campaign = services.create_campaign(actor=cw.users["organizer"], data=data)
    assert campaign.school_framework is None and campaign.district_framework == cw.district_record
    assert campaign.max_schools_per_county is None and campaign.school_form == ""


def test_coverage_outside_the_organizer_is_refused(cw: CampaignWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw, covered_units=[cw.other_county]))
    assert errors_of(exc)["covered_units"] == ["“邻市丙县”不在“示例市”的范围内"]


@pytest.mark.parametrize("who", ["county_reviewer", "school_head", "expert", "sysadmin", "other_organizer"])
def test_only_the_organizer_creates(cw: CampaignWorld, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.create_campaign(actor=cw.users[who], data=campaign_data(cw))
    assert not Campaign.objects.filter(name="2025 智慧校园示范校遴选").exists()


def test_update_audits_changes_only(cw: CampaignWorld) -> None:
    organizer = cw.users["organizer"]
    campaign = services.create_campaign(actor=organizer, data=campaign_data(cw))
    services.update_campaign(actor=organizer, campaign=campaign, data=campaign_data(cw))
    assert not AuditEntry.objects.filter(action="campaign.update").exists()
    services.update_campaign(actor=organizer, campaign=campaign, data=campaign_data(cw, places_schools=8))
    entry = AuditEntry.objects.get(action="campaign.update")
    assert entry.before == {"places_schools": 5} and entry.after == {"places_schools": 8}
    campaign.refresh_from_db()
    assert campaign.places_schools == 8
    with pytest.raises(PermissionDenied):
        services.update_campaign(actor=cw.users["other_organizer"], campaign=campaign, data=campaign_data(cw))


def test_framework_locked_once_an_application_started(cw: CampaignWorld) -> None:
    organizer = cw.users["organizer"]
    campaign = cw.w.campaign
    application_services.start_application(actor=cw.users["school_officer"], campaign=campaign, unit=cw.w.school_a)
    data = campaign_data(cw, name=campaign.name, covered_units=[], school_form=campaign.school_form)
    changed = dataclasses.replace(data, applicants="both", district_framework=cw.district_record)
    with pytest.raises(ValidationError) as exc:
        services.update_campaign(actor=organizer, campaign=campaign, data=changed)
    assert "已有单位开始申报，不能再更改申报对象、指标框架或申报书" in errors_of(exc)["applicants"]
    services.update_campaign(actor=organizer, campaign=campaign, data=dataclasses.replace(data, places_schools=3))
    campaign.refresh_from_db()
    assert campaign.places_schools == 3 and campaign.applicants == "schools"


def test_open_then_advance(cw: CampaignWorld) -> None:
    organizer = cw.users["organizer"]
    campaign = services.create_campaign(actor=organizer, data=campaign_data(cw))
    assert not application_queries.open_campaigns_for(cw.w.school_a).filter(pk=campaign.pk).exists()
    campaign = services.open_campaign(actor=organizer, campaign=campaign, from_status="draft")
    assert campaign.status == Campaign.Status.OPEN
    assert application_queries.open_campaigns_for(cw.w.school_a).filter(pk=campaign.pk).exists()
    # coverage is 甲县 only: 乙县's school is not offered the campaign
    assert not application_queries.open_campaigns_for(cw.w.school_b).filter(pk=campaign.pk).exists()
    with pytest.raises(ValidationError) as exc:
        services.open_campaign(actor=organizer, campaign=campaign)
    assert "活动当前状态为“申报中”" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.advance_campaign(actor=organizer, campaign=campaign, from_status="draft")
    assert "请刷新页面" in exc.value.messages[0]
    campaign = services.advance_campaign(actor=organizer, campaign=campaign, from_status="open")
    assert campaign.status == Campaign.Status.COUNTY_REVIEW
    campaign = services.advance_campaign(actor=organizer, campaign=campaign)
    assert campaign.status == Campaign.Status.EXPERT_REVIEW
    with pytest.raises(ValidationError):
        services.advance_campaign(actor=organizer, campaign=campaign)
    steps = list(AuditEntry.objects.filter(campaign_id=campaign.pk).order_by("pk").values_list("action", "after"))
    assert [a for a, _ in steps] == ["campaign.create", "campaign.open", "campaign.advance", "campaign.advance"]
    assert steps[-1][1] == {"status": "expert_review"}


def test_open_refused_while_not_ready(cw: CampaignWorld) -> None:
    organizer = cw.users["organizer"]
    campaign = services.create_campaign(actor=organizer, data=campaign_data(cw, stages=stages(-40)))
    with pytest.raises(ValidationError) as exc:
        services.open_campaign(actor=organizer, campaign=campaign)
    assert "申报截止时间" in exc.value.messages[0] and "已过" in exc.value.messages[0]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert not AuditEntry.objects.filter(action="campaign.open").exists()
    with pytest.raises(PermissionDenied):
        services.open_campaign(actor=cw.users["other_organizer"], campaign=campaign)
    assert Stage.objects.filter(campaign=campaign).count() == 2


def test_blank_form_becomes_the_frameworks_own_or_the_generic_one(cw: CampaignWorld) -> None:
    campaign = services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw, school_form=""))
    assert campaign.school_form == services.default_form("school", "webmini") == "school"
