"""Printable documents: rendered by WeasyPrint, read back with pdftotext, turned into PNG
(written to screenshots/pdf/ for a look)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.reviews import services
from campuseval.reviews.models import Panel, RecommendationList, Result

from .conftest import expert, recommended, sheet

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by `make system-deps`"),
]

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "pdf"


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def text_of(pdf: bytes, name: str) -> str:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(SHOTS / name)], check=True)
    assert list(SHOTS.glob(f"{name}-*.png"))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts and " yes yes yes " in fonts  # embedded, subset, with Unicode map
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_self_evaluation_table_and_report(world: dict) -> None:
    app = world["apps"][0]
    app.result = {"total": "10", "indicators": {"1": {"points": "6", "status": "scored"}}}
    app.save()
    reviewer = client_for(world["reviewer"])
    response = reviewer.get(reverse("reports:self_evaluation", args=[app.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content, "self-evaluation")
    assert "迷你框架" in text and "自评表" in text and "甲县第0小学" in text and "负责人签字（盖章）" in text
    assert client_for(world["outsider"]).get(reverse("reports:self_evaluation", args=[app.pk])).status_code == 404
    assert "含自评估计" not in text
    # points resting on an input the review group decides are marked as the school's estimate
    estimate = {"total": "10", "indicators": {"1": {"points": "6", "status": "scored", "reviewer_decided": ["bw"]}}}
    version = app.versions.order_by("-number").first()
    if version is not None:  # a submitted application prints its latest frozen version
        version.result = estimate
        version.save(update_fields=["result"])
    app.result = estimate
    app.save()
    estimated = text_of(reviewer.get(reverse("reports:self_evaluation", args=[app.pk])).content, "self-evaluation-est")
    flat = re.sub(r"\s+", "", estimated)  # a narrow 备注 column wraps the words over lines
    assert "含自评估计（由评审认定）" in flat and "含自评估计，以评审认定为准" in flat
    report = text_of(reviewer.get(reverse("reports:self_assessment", args=[app.pk])).content, "self-assessment")
    assert (
        "逐项自评报告" in report
        and "我单位申报的所有材料均真实、完整" in report
        and re.search(r"第\s*1\s*页\s*/\s*共\s*1\s*页", report)
    )


def test_recommendation_expert_sheet_notice_and_list(world: dict) -> None:
    apps = recommended(world)
    rec = RecommendationList.objects.get()
    text = text_of(
        client_for(world["reviewer"]).get(reverse("reports:recommendation", args=[rec.pk])).content, "recommendation"
    )
    assert "推荐表" in text and "示范校" in text and "李局长" in text
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1 = expert("e1", world["y"])
    assignments = []
    for app in apps:
        a = services.assign_expert(actor=world["organizer"], panel=panel, application=app, expert=e1)
        sheet(world, a, 600, True, comment="网络条件良好")
        assignments.append(a)
    text = text_of(
        client_for(e1.user).get(reverse("reports:expert_sheet", args=[assignments[0].pk])).content, "expert-sheet"
    )
    assert "专家评分表" in text and "网络条件良好" in text and "专家签字" in text
    assert (
        client_for(world["reviewer"]).get(reverse("reports:expert_sheet", args=[assignments[0].pk])).status_code == 404
    )
    services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    today = dt.date.today()
    services.publish_results(
        actor=world["organizer"], campaign=world["campaign"], starts_on=today, ends_on=today + dt.timedelta(days=5)
    )
    listing = text_of(Client().get(reverse("reports:published_list", args=[world["campaign"].pk])).content, "list")
    assert "拟入选名单公示" in listing and "甲县第0小学" in listing
    services.finalize_results(actor=world["organizer"], campaign=world["campaign"], today=today + dt.timedelta(days=6))
    result = Result.objects.get(application=apps[0])
    notice = text_of(
        client_for(world["applicant"]).get(reverse("reports:result_notice", args=[result.pk])).content, "notice"
    )
    assert "评审结果通知" in notice and "专家1：网络条件良好" in notice and "e1" not in notice


@pytest.mark.parametrize("form_key", ["bozhou-2024-school", "taizhou-2022-school"])
def test_application_form_as_the_annex_lays_it_out(world: dict, form_key: str) -> None:
    app = world["apps"][0]
    app.form_key = form_key
    app.form_data = {"students": 1200, "has_rules": True, "highlights": "课堂教学全面使用智慧终端。", "classes": 30}
    app.save()
    versions = app.versions.order_by("-number")
    if versions.exists():
        version = versions.first()
        version.form_data = app.form_data
        version.save()
    url = reverse("reports:application_form", args=[app.pk])
    text = text_of(client_for(world["reviewer"]).get(url).content, f"application-form-{form_key}")
    normalized = re.sub(r"\s+", "", text)
    if form_key == "bozhou-2024-school":
        assert "亳州市中小学智慧学校应用示范校申报书" in normalized
        assert re.search(r"制定配套管理、培训、.{0,12}是", normalized)  # the label wraps around its answer
        assert "在校学生数1200人" in normalized
        assert "市教育主管部门推荐意见：负责人签字（盖章）年月日" in normalized
    else:
        assert "泰州市中小学智慧校园申报表" in normalized and "课堂教学全面使用智慧终端。" in normalized
        assert "市（区）教育局意见：负责人签字（盖章）年月日" in normalized
    assert "真实性承诺" in normalized and "甲县第0小学" in normalized
    opinions = 3  # the promise and each level's opinion get their own signature and stamp area
    assert normalized.count("负责人签字（盖章）") == opinions + 1
    assert client_for(world["outsider"]).get(url).status_code == 404
