"""The county review, its list and the expert sheets follow the campaign's stages; a closed
campaign refuses them; the county's adjusted score is carried to the list, the recommend page,
the 推荐表 and the exports with the self-score beside it; the stamped 推荐表 is uploaded before
the list is confirmed when the campaign asks for it; version differences read as the forms do."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import Role
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.campaigns.models import Campaign, Stage
from campuseval.notifications.models import Notification
from campuseval.orgs.models import Unit
from campuseval.reviews import services
from campuseval.reviews.models import Panel, RecommendationList, ReviewSettings
from campuseval.reviews.services.county import labelled_version_diff

from .conftest import accept_all, expert, submitted, user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def stage(campaign: Campaign, kind: str, starts_in_days: float, lasts_days: float = 10) -> Stage:
    starts = timezone.now() + dt.timedelta(days=starts_in_days)
    return Stage.objects.create(
        campaign=campaign, kind=kind, starts_at=starts, deadline=starts + dt.timedelta(days=lasts_days)
    )


def adjusted(world: dict) -> Application:
    """The first school accepted with its bandwidth checked down: self 10, county 7."""
    app = world["apps"][0]
    services.decide_county_review(
        actor=world["reviewer"],
        application=app,
        decision="accepted",
        opinion="同意推荐",
        adjustments=[services.AdjustmentInput(code="1", field="bw", value=450, reason="核查带宽合同为 450M")],
    )
    return app


# --- stages ------------------------------------------------------------------------------------


def test_county_review_waits_for_its_stage(world: dict) -> None:
    county_stage = stage(world["campaign"], Stage.Kind.COUNTY_REVIEW, 3)
    app = world["apps"][0]
    opens = f"{timezone.localtime(county_stage.starts_at):%Y-%m-%d}"
    page = client_for(world["reviewer"]).get(reverse("reviews:county_review", args=[app.pk])).content.decode()
    assert f"县级初评阶段尚未开始（{opens} 开始）" in page
    with pytest.raises(ValidationError, match=f"县级初评阶段尚未开始（{opens} 开始）"):
        services.decide_county_review(actor=world["reviewer"], application=app, decision="accepted")
    page = client_for(world["reviewer"]).post(
        reverse("reviews:county_decide", args=[app.pk]), {"decision": "accepted", "opinion": "同意推荐"}
    )
    assert f"县级初评阶段尚未开始（{opens} 开始）" in page.content.decode() and "同意推荐" in page.content.decode()
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED and not app.county_reviews.exists()


def test_county_review_closes_with_its_stage(world: dict) -> None:
    stage(world["campaign"], Stage.Kind.COUNTY_REVIEW, -12)
    with pytest.raises(ValidationError, match=r"县级初评已于 .* 截止"):
        services.decide_county_review(actor=world["reviewer"], application=world["apps"][0], decision="accepted")


def test_closed_campaign_refuses_decisions_lists_and_scores(world: dict) -> None:
    accept_all(world)
    rec = services.recommend_applications(
        actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=world["apps"][:2]
    )
    panel = Panel.objects.create(campaign=world["campaign"], name="材料评审组")
    e = expert("e0", world["y"])
    Application.objects.filter(pk=world["apps"][0].pk).update(status=Application.Status.RECOMMENDED)
    a = services.assign_expert(actor=world["organizer"], panel=panel, application=world["apps"][0], expert=e)
    services.confirm_no_conflict(actor=e.user, assignment=a)
    Campaign.objects.filter(pk=world["campaign"].pk).update(status=Campaign.Status.CLOSED)
    with pytest.raises(ValidationError, match="活动已结束，不能再修改或确认推荐名单"):
        services.confirm_recommendation(actor=world["reviewer"], recommendation=rec, confirmed_name="李局长")
    with pytest.raises(ValidationError, match="活动已结束，不能再评分"):
        services.record_expert_score(actor=e.user, assignment=a, revision=0, answers={"1": {"bw": 300}})
    Application.objects.filter(pk=world["apps"][3].pk).update(status=Application.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="活动已结束，不能再进行县级初评"):
        services.decide_county_review(actor=world["reviewer"], application=world["apps"][3], decision="accepted")
    rec.refresh_from_db()
    assert rec.confirmed_at is None


def test_experts_score_in_the_expert_stage_only(world: dict) -> None:
    accept_all(world)
    expert_stage = stage(world["campaign"], Stage.Kind.EXPERT_REVIEW, 2)
    Application.objects.filter(pk=world["apps"][0].pk).update(status=Application.Status.RECOMMENDED)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料评审组")
    e = expert("e0", world["y"])
    a = services.assign_expert(actor=world["organizer"], panel=panel, application=world["apps"][0], expert=e)
    services.confirm_no_conflict(actor=e.user, assignment=a)
    with pytest.raises(ValidationError, match="市/省级评审阶段尚未开始"):
        services.record_expert_score(actor=e.user, assignment=a, revision=0, answers={"1": {"bw": 300}})
    with pytest.raises(ValidationError, match="市/省级评审阶段尚未开始"):
        services.submit_expert_score(actor=e.user, assignment=a)
    expert_stage.starts_at = timezone.now() - dt.timedelta(hours=1)
    expert_stage.save()
    services.record_expert_score(actor=e.user, assignment=a, revision=0, answers={"1": {"bw": 300}})
    a.refresh_from_db()
    assert a.revision == 1


def test_county_return_sets_the_fix_deadline_and_tells_the_school(world: dict) -> None:
    app = world["apps"][0]
    chosen = timezone.localdate() + dt.timedelta(days=4)
    services.decide_county_review(
        actor=world["reviewer"], application=app, decision="returned", reason="缺少带宽合同", fix_deadline=chosen
    )
    app.refresh_from_db()
    assert app.status == Application.Status.RETURNED and app.return_reason == "缺少带宽合同"
    assert f"{timezone.localtime(app.fix_deadline):%Y-%m-%d %H:%M}" == f"{chosen:%Y-%m-%d} 23:59"
    text = Notification.objects.get(user=world["applicant"]).text
    assert f"请于 {chosen:%Y-%m-%d} 23:59 前修改并重新提交" in text
    other = world["apps"][1]
    services.decide_county_review(actor=world["reviewer"], application=other, decision="returned", reason="补充")
    other.refresh_from_db()
    days = world["campaign"].fix_days
    assert timezone.localtime(other.fix_deadline).date() == timezone.localdate() + dt.timedelta(days=days)


def test_county_return_refuses_a_past_fix_deadline(world: dict) -> None:
    app = world["apps"][0]
    page = client_for(world["reviewer"]).post(
        reverse("reviews:county_decide", args=[app.pk]),
        {"decision": "returned", "reason": "缺少合同", "fix_deadline": "2020-01-01"},
    )
    body = page.content.decode()
    assert "补正截止日期 2020-01-01 已过" in body and "缺少合同" in body
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED


# --- the county's score is carried ---------------------------------------------------------------


def test_county_score_on_the_county_list_and_recommend_page(world: dict) -> None:
    app = adjusted(world)
    reviewer = client_for(world["reviewer"])
    page = reviewer.get(reverse("reviews:county_list")).content.decode()
    row = page[page.index(app.unit.name) : page.index("</tr>", page.index(app.unit.name))]
    assert "县级评分" in page and ">7<" in row and ">10<" in row
    recommend = reviewer.get(reverse("reviews:recommend", args=[world["campaign"].pk])).content.decode()
    row = recommend[recommend.index(app.unit.name) : recommend.index("</tr>", recommend.index(app.unit.name))]
    assert ">7<" in row and ">10<" in row


def test_county_list_sorts_by_the_county_score(world: dict) -> None:
    accept_all(world)  # self 10 each; county 10, 10, 7, 7 by bandwidth
    first = world["apps"][0]
    Application.objects.filter(pk=first.pk).update(status=Application.Status.SUBMITTED)
    services.decide_county_review(
        actor=world["reviewer"],
        application=first,
        decision="accepted",
        adjustments=[services.AdjustmentInput(code="1", field="points", value="0", reason="无带宽合同")],
    )
    page = client_for(world["reviewer"]).get(reverse("reviews:county_list") + "?sort=score").content.decode()
    names = [s.name for s in world["schools"]]
    order = sorted(names, key=page.index)
    assert order[-1] == first.unit.name  # county 4 comes after the others' 10


def test_county_score_on_the_recommendation_exports(world: dict) -> None:
    app = adjusted(world)
    services.recommend_applications(
        actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=[app]
    )
    reviewer = client_for(world["reviewer"])
    for key in ("recommendations", "applications"):
        response = reviewer.get(reverse("reports:export", args=[key, world["campaign"].pk]))
        ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in ws[1]]
        assert header.index("县级评分") + 1 == header.index("自评分")
        row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[header.index("申报单位")] == app.unit.name)
        assert row[header.index("县级评分")] == 7 and row[header.index("自评分")] == 10


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by `make system-deps`")
def test_recommendation_pdf_carries_the_county_score_and_is_linked(world: dict, tmp_path: Path) -> None:
    app = adjusted(world)
    rec = services.recommend_applications(
        actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=[app]
    )
    reviewer = client_for(world["reviewer"])
    page = reviewer.get(reverse("reviews:recommend", args=[world["campaign"].pk])).content.decode()
    assert reverse("reports:recommendation", args=[rec.pk]) in page and "打印推荐表（PDF）" in page
    pdf = reviewer.get(reverse("reports:recommendation", args=[rec.pk])).content
    path = tmp_path / "rec.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    line = next(x for x in text.splitlines() if app.unit.name in x)
    assert "县级评" in text and line.split()[-2:] == ["7.00", "10.00"]  # the county's score, then the self-score


# --- the stamped 推荐表 --------------------------------------------------------------------------


def test_stamped_recommendation_before_confirmation(world: dict) -> None:
    Campaign.objects.filter(pk=world["campaign"].pk).update(requires_stamped_scans=True)
    accept_all(world)
    rec = services.recommend_applications(
        actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=world["apps"][:2]
    )
    reviewer = client_for(world["reviewer"])
    base = reverse("reviews:recommend", args=[world["campaign"].pk])
    confirm = reverse("reviews:recommend_confirm", args=[world["campaign"].pk])
    body = reviewer.post(confirm, {"confirmed_name": "李局长"}).content.decode()
    assert "本次活动要求上传加盖公章的推荐表扫描件" in body
    rec.refresh_from_db()
    assert rec.confirmed_at is None
    upload = reverse("reviews:recommend_scan_upload", args=[world["campaign"].pk])
    refused = reviewer.post(upload, {"stamped_scan": SimpleUploadedFile("推荐表.docx", b"PK\x03\x04 word")})
    assert "盖章推荐表扫描件「推荐表.docx」的内容不是 PDF 或 JPG/PNG 图片" in refused.content.decode()
    assert reviewer.post(upload, {"stamped_scan": SimpleUploadedFile("推荐表.pdf", PDF)}).status_code == 302
    rec.refresh_from_db()
    assert rec.stamped_scan and rec.stamped_scan_at is not None
    assert reverse("reviews:recommend_scan", args=[rec.pk]) in reviewer.get(base).content.decode()
    assert reviewer.post(confirm, {"confirmed_name": "李局长"}).status_code == 302
    rec.refresh_from_db()
    assert rec.confirmed_name == "李局长"
    scan = client_for(world["organizer"]).get(reverse("reviews:recommend_scan", args=[rec.pk]))
    assert scan.status_code == 200 and b"".join(scan.streaming_content) == PDF
    assert client_for(world["outsider"]).get(reverse("reviews:recommend_scan", args=[rec.pk])).status_code == 404
    assert RecommendationList.objects.get(pk=rec.pk).stamped_scan.name.endswith(".pdf")


# --- version differences -------------------------------------------------------------------------


def test_version_diff_reads_as_the_forms(world: dict) -> None:
    app = world["apps"][0]
    v1 = app.versions.get()
    v1.answers = {"answers": {"1": {"bw": 600}, "2": {"ok": False}}}
    v1.narratives = {"1": "千兆光纤"}
    v1.evidence = [{"id": 1, "name": "合同.pdf", "sha256": "a", "indicator": "1"}]
    v1.save()
    v2 = ApplicationVersion.objects.create(
        application=app,
        number=2,
        answers={"answers": {"1": {"bw": 600}, "2": {"ok": True}}},
        narratives={"1": "千兆光纤，双线路"},
        evidence=[
            {"id": 1, "name": "合同.pdf", "sha256": "a", "indicator": "1"},
            {"id": 2, "name": "制度.pdf", "sha256": "b", "indicator": "2"},
        ],
        total=10,
        submitted_at=timezone.now(),
    )
    rows = labelled_version_diff(app, v1, v2)
    assert ("2 制度", "制定制度", "否", "是") in rows
    assert ("1 出口带宽", "自评说明", "千兆光纤", "千兆光纤，双线路") in rows
    assert ("佐证材料", "2 制度", None, "新增：制度.pdf") in rows
    Application.objects.filter(pk=app.pk).update(version_number=2)
    page = client_for(world["reviewer"]).get(reverse("reviews:county_review", args=[app.pk])).content.decode()
    diff = page[page.index("与上一版本的差异") :]
    assert "制定制度" in diff and "False" not in diff and "True" not in diff and "新增：制度.pdf" in diff


def test_city_page_and_its_recommendation_pdf_carry_the_county_score(world: dict) -> None:
    province = Unit.objects.create(code="P1", name="示例省", kind=Unit.Kind.PROVINCE)
    Unit.objects.filter(pk=world["city"].pk).update(parent=province)
    campaign = Campaign.objects.create(
        name="2024 省级示范校",
        year=2024,
        organizer=province,
        applicants="schools",
        school_framework=world["record"],
        as_of=dt.date(2024, 5, 30),
        status=Campaign.Status.COUNTY_REVIEW,
    )
    ReviewSettings.objects.create(campaign=campaign, city_review=True)
    app = submitted(campaign, world["record"], world["schools"][0], bw=600)
    services.decide_county_review(
        actor=world["reviewer"],
        application=app,
        decision="accepted",
        opinion="同意",
        adjustments=[services.AdjustmentInput(code="1", field="points", value="2", reason="合同带宽不足")],
    )
    rec = services.recommend_applications(
        actor=world["reviewer"], campaign=campaign, county=world["x"], applications=[app]
    )
    services.confirm_recommendation(actor=world["reviewer"], recommendation=rec, confirmed_name="李局长")
    city_reviewer = user("city_reviewer", world["city"], Role.COUNTY_REVIEWER)
    city_rec = services.recommend_from_city(
        actor=city_reviewer, campaign=campaign, city=world["city"], applications=[app]
    )
    c = client_for(city_reviewer)
    page = c.get(reverse("reviews:city_recommend", args=[campaign.pk])).content.decode()
    assert reverse("reports:recommendation", args=[city_rec.pk]) in page
    pdf = c.get(reverse("reports:recommendation", args=[city_rec.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    services.confirm_recommendation(actor=city_reviewer, recommendation=city_rec, confirmed_name="周处长")
    page = c.get(reverse("reviews:city_recommend", args=[campaign.pk])).content.decode()
    assert "县级评分 6.00（自评分 10）" in page
