"""Campaign pages with the personas: organizers list, create, edit, open and read counts; schools
and counties read the campaigns covering them; another city's organizer gets 404."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campuseval.applications import services as application_services
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.campaigns import services
from campuseval.campaigns.models import Campaign

from .conftest import CampaignWorld, campaign_data


def form_post(cw: CampaignWorld, **changes: str) -> dict[str, object]:
    now = timezone.localtime()
    data: dict[str, object] = {
        "name": "2025 年智慧学校示范校遴选",
        "year": "2025",
        "kind": "selection",
        "organizer": str(cw.w.city.pk),
        "covered_units": [str(cw.w.county_x.pk)],
        "applicants": "schools",
        "school_framework": str(cw.w.record.pk),
        "school_form": "school",
        "as_of": "2025-06-30",
        "max_schools_per_county": "10",
        "min_rural_per_county": "2",
        "min_self_score": "",
        "places_schools": "6",
        "description": "按亳州标准遴选",
        # yesterday: "today 08:00" lies ahead between midnight and 08:00 (the stage would not be running)
        "apply_starts": f"{now - dt.timedelta(days=1):%Y-%m-%d}T08:00",
        "apply_deadline": f"{now + dt.timedelta(days=20):%Y-%m-%d}T17:30",
    }
    data.update(changes)
    return data


def test_create_via_form_then_detail(cw: CampaignWorld) -> None:
    c = cw.client("organizer")
    page = c.get(reverse("campaigns:create")).content.decode()
    assert "新建活动" in page and "网页测试框架" in page and "区县测试框架" in page
    response = c.post(reverse("campaigns:create"), form_post(cw))
    campaign = Campaign.objects.get(name="2025 年智慧学校示范校遴选")
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.status == "draft" and list(campaign.covered_units.all()) == [cw.w.county_x]
    stage = campaign.stages.get(kind="apply")
    assert timezone.localtime(stage.deadline).strftime("%H:%M") == "17:30"
    page = c.get(response["Location"]).content.decode()
    assert "活动已创建" in page and "筹备中" in page and "发布申报" in page and "甲县" in page


def test_refused_form_keeps_everything_typed(cw: CampaignWorld) -> None:
    c = cw.client("organizer")
    post = form_post(
        cw,
        min_rural_per_county="12",
        apply_deadline="2020-01-01T08:00",
        description="我们写了很长的说明，不能丢",
    )
    page = c.post(reverse("campaigns:create"), post).content.decode()
    assert "未保存，请修改以下问题" in page
    assert "每县至少乡村学校数（12）不能大于每县最多推荐学校数（10）" in page
    assert "申报的截止时间应晚于开始时间" in page
    assert 'value="2025 年智慧学校示范校遴选"' in page and "我们写了很长的说明，不能丢" in page
    assert 'value="12"' in page and 'value="2020-01-01T08:00"' in page
    assert not Campaign.objects.filter(name="2025 年智慧学校示范校遴选").exists()


def test_form_rejects_a_district_framework_for_schools(cw: CampaignWorld) -> None:
    page = (
        cw.client("organizer")
        .post(reverse("campaigns:create"), form_post(cw, school_framework=str(cw.district_record.pk), year="二〇二五"))
        .content.decode()
    )
    assert "请从列表中选择学校指标框架" in page and "年度应为四位数字" in page
    assert not Campaign.objects.filter(name="2025 年智慧学校示范校遴选").exists()


def test_edit_and_open_from_the_pages(cw: CampaignWorld) -> None:
    c = cw.client("organizer")
    campaign = services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw))
    page = c.get(reverse("campaigns:edit", args=[campaign.pk])).content.decode()
    assert 'value="2025 智慧校园示范校遴选"' in page
    post = form_post(cw, name="2025 智慧校园示范校遴选（修订）", places_schools="9")
    response = c.post(reverse("campaigns:edit", args=[campaign.pk]), post)
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    campaign.refresh_from_db()
    assert campaign.name.endswith("（修订）") and campaign.places_schools == 9
    response = c.post(reverse("campaigns:status", args=[campaign.pk]), {"from": "draft"})
    campaign.refresh_from_db()
    assert campaign.status == "open"
    page = c.get(response["Location"]).content.decode()
    assert "活动已进入“申报中”" in page and "进入“县级初评”" in page
    # a second click from the same (stale) page does not skip a stage
    page = c.post(reverse("campaigns:status", args=[campaign.pk]), {"from": "draft"}, follow=True).content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "open" and "请刷新页面后再操作" in page


def test_detail_counts_by_status_for_the_organizer(cw: CampaignWorld) -> None:
    app = application_services.start_application(
        actor=cw.users["school_officer"], campaign=cw.w.campaign, unit=cw.w.school_a
    )
    Application.objects.filter(pk=app.pk).update(status="submitted")
    page = cw.client("organizer").get(reverse("campaigns:detail", args=[cw.w.campaign.pk])).content.decode()
    assert "申报情况" in page and "已提交" in page
    counts = page[page.index('id="counts"') :]
    assert '<th class="fw-normal">已提交</th><td class="text-end">1</td>' in counts
    # the school reads the same page without counts, with its own application linked
    page = cw.client("school_officer").get(reverse("campaigns:detail", args=[cw.w.campaign.pk])).content.decode()
    assert "申报情况" not in page and "本单位申报" in page and "已提交" in page


def test_school_starts_from_the_detail_page(cw: CampaignWorld) -> None:
    c = cw.client("school_head")
    page = c.get(reverse("campaigns:detail", args=[cw.w.campaign.pk])).content.decode()
    assert "开始申报" in page and "修改设置" not in page
    response = c.post(reverse("applications:mine"), {"campaign": cw.w.campaign.pk, "unit": cw.w.school_a.pk})
    application = Application.objects.get(campaign=cw.w.campaign, unit=cw.w.school_a)
    assert response["Location"] == reverse("applications:form", args=[application.pk])


def test_outsiders_get_404(cw: CampaignWorld) -> None:
    other = cw.client("other_organizer")
    for name in ("detail", "edit"):
        assert other.get(reverse(f"campaigns:{name}", args=[cw.w.campaign.pk])).status_code == 404
    assert other.post(reverse("campaigns:status", args=[cw.w.campaign.pk])).status_code == 404
    cw.w.campaign.refresh_from_db()
    assert cw.w.campaign.status == "open"
    assert "2024 智慧校园示范校遴选" not in other.get(reverse("campaigns:list")).content.decode()
    # a campaign covering 甲县 only is not visible from 乙县
    covered = services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw))
    services.open_campaign(actor=cw.users["organizer"], campaign=covered)
    for who in ("outsider", "outsider_reviewer"):
        assert cw.client(who).get(reverse("campaigns:detail", args=[covered.pk])).status_code == 404
        assert "2025 智慧校园示范校遴选" not in cw.client(who).get(reverse("campaigns:list")).content.decode()
    for who in ("school_officer", "county_reviewer"):
        assert "2025 智慧校园示范校遴选" in cw.client(who).get(reverse("campaigns:list")).content.decode()


def test_drafts_stay_with_the_organizer(cw: CampaignWorld) -> None:
    draft = services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw))
    assert cw.client("school_officer").get(reverse("campaigns:detail", args=[draft.pk])).status_code == 404
    assert "2025 智慧校园示范校遴选" in cw.client("organizer").get(reverse("campaigns:list")).content.decode()


def _more_campaigns(cw: CampaignWorld, n: int) -> None:
    for i in range(n):
        campaign = services.create_campaign(
            actor=cw.users["organizer"],
            data=campaign_data(cw, name=f"活动{i}", covered_units=[cw.w.county_x, cw.w.county_y]),
        )
        services.open_campaign(actor=cw.users["organizer"], campaign=campaign)


def test_organizer_list_queries_do_not_grow(cw: CampaignWorld, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    c = cw.client("organizer")
    with CaptureQueriesContext(connection) as one:
        page = c.get(reverse("campaigns:list")).content.decode()
    assert page.count("campaigns/") >= 1 and "2024 智慧校园示范校遴选" in page
    _more_campaigns(cw, 6)
    with django_assert_num_queries(len(one)):
        page = c.get(reverse("campaigns:list")).content.decode()
    assert page.count("甲县、乙县") == 6 and "邻市智慧校园评估" not in page


def test_covering_list_queries_do_not_grow(cw: CampaignWorld, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    c = cw.client("school_officer")
    with CaptureQueriesContext(connection) as one:
        page = c.get(reverse("campaigns:list")).content.decode()
    assert "覆盖本单位的活动" in page and "2024 智慧校园示范校遴选" in page and "新建活动" not in page
    _more_campaigns(cw, 6)
    with django_assert_num_queries(len(one)):
        page = c.get(reverse("campaigns:list")).content.decode()
    assert all(f"活动{i}" in page for i in range(6)) and "邻市智慧校园评估" not in page


def test_status_change_is_audited_with_ip(cw: CampaignWorld) -> None:
    campaign = services.create_campaign(actor=cw.users["organizer"], data=campaign_data(cw))
    cw.client("organizer").post(reverse("campaigns:status", args=[campaign.pk]), REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.get(action="campaign.open", object_id=str(campaign.pk))
    assert entry.ip == "10.1.2.3" and entry.actor == cw.users["organizer"]


def test_edit_after_an_application_started_keeps_the_framework(cw: CampaignWorld) -> None:
    application_services.start_application(actor=cw.users["school_officer"], campaign=cw.w.campaign, unit=cw.w.school_a)
    c = cw.client("organizer")
    url = reverse("campaigns:edit", args=[cw.w.campaign.pk])
    page = c.get(url).content.decode()
    assert "已有单位开始申报，不能更改" in page
    post = form_post(
        cw,
        name=cw.w.campaign.name,
        covered_units=[],
        applicants="both",
        district_framework=str(cw.district_record.pk),
        places_schools="4",
    )
    response = c.post(url, post)
    assert response["Location"] == reverse("campaigns:detail", args=[cw.w.campaign.pk])
    cw.w.campaign.refresh_from_db()
    assert cw.w.campaign.applicants == "schools" and cw.w.campaign.district_framework is None
    assert cw.w.campaign.school_framework == cw.w.record and cw.w.campaign.places_schools == 4
