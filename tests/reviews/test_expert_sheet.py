"""The expert's side of the review: whom an assignment concerns before confirming (回避), the
application's materials beside each indicator while the assignment is open, an explicit
decision per indicator (points or 同意初审分), the overall opinion, and blind review that
names nothing of the school anywhere the expert reaches."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.applications.models import Application, Evidence
from campuseval.audit.models import AuditEntry
from campuseval.notifications.models import Notification
from campuseval.reviews import services
from campuseval.reviews.models import Assignment, ReviewSettings

from .materials_world import build_desk

pytestmark = pytest.mark.django_db


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


@pytest.fixture
def desk(world: dict[str, Any]) -> dict[str, Any]:
    return build_desk(world)


def _blind(desk: dict[str, Any]) -> None:
    ReviewSettings.objects.create(campaign=desk["campaign2"], hide_applicant=True)


def _sheet_url(desk: dict[str, Any]) -> str:
    return reverse("reviews:expert_sheet", args=[desk["assignment"].pk])


def _confirm(desk: dict[str, Any]) -> Client:
    c = client_for(desk["expert"].user)
    c.post(_sheet_url(desk) + "confirm/", {"action": "confirm"})
    desk["assignment"].refresh_from_db()
    return c


def _file_url(app: Application, ev: Evidence) -> str:
    return reverse("applications:evidence_file", args=[app.pk, ev.pk])


# --- 回避: whom it concerns, before confirming ---------------------------------------------------


def test_the_expert_reads_whom_it_concerns_and_the_systems_checks_before_confirming(desk: dict) -> None:
    page = client_for(desk["expert"].user).get(_sheet_url(desk)).content.decode()
    assert "甲县第0小学" in page and "所属区县：甲县" in page
    assert '您的工作单位与申报单位不同：<span class="text-success">✓' in page
    assert '您所在区县与申报单位所在区县不同：<span class="text-success">✓' in page
    assert '无登记的回避关系：<span class="text-success">✓' in page
    assert "光纤接入合同" not in page and "千兆光纤" not in page  # materials only after confirming


def test_blind_review_shows_the_code_and_the_checks_before_confirming(desk: dict) -> None:
    _blind(desk)
    page = client_for(desk["expert"].user).get(_sheet_url(desk)).content.decode()
    assert desk["app"].code in page and "甲县第0小学" not in page and "甲县" not in page
    assert "无登记的回避关系" in page


def test_the_expert_withdraws_with_a_reason_after_confirming_until_submitted(desk: dict) -> None:
    c = _confirm(desk)
    refused = c.post(_sheet_url(desk) + "abstain/", {"abstain_reason": ""}).content.decode()
    assert "请填写回避理由" in refused
    c.post(_sheet_url(desk) + "abstain/", {"abstain_reason": "阅材料后发现曾指导该校"})
    a = Assignment.objects.get(pk=desk["assignment"].pk)
    assert a.status == Assignment.Status.ABSTAINED and a.abstain_reason == "阅材料后发现曾指导该校"
    assert Notification.objects.filter(user=desk["organizer"], text__contains="申请回避").exists()
    # closed now: the materials answer 404
    assert c.get(_file_url(desk["app"], desk["files"][0])).status_code == 404


def test_a_submitted_sheet_cannot_be_withdrawn(desk: dict) -> None:
    c = _confirm(desk)
    a = desk["assignment"]
    services.record_expert_score(actor=desk["expert"].user, assignment=a, revision=a.revision, agreed=["1", "2"])
    a.refresh_from_db()
    services.submit_expert_score(actor=desk["expert"].user, assignment=a)
    page = c.post(_sheet_url(desk) + "abstain/", {"abstain_reason": "迟到的回避"}).content.decode()
    assert "已提交的评分不能申请回避" in page
    assert Assignment.objects.get(pk=a.pk).status == Assignment.Status.SUBMITTED


@pytest.mark.parametrize("confirmed", [False, True])
def test_a_conflict_added_later_withdraws_the_open_assignment(desk: dict, confirmed: bool) -> None:
    if confirmed:
        _confirm(desk)
    services.add_conflict(actor=desk["organizer"], expert=desk["expert"], unit=desk["app"].unit, reason="亲属任职")
    a = Assignment.objects.get(pk=desk["assignment"].pk)
    assert a.status == Assignment.Status.ABSTAINED and "亲属任职" in a.abstain_reason
    assert AuditEntry.objects.filter(action="assignment.withdraw", object_id=str(a.pk)).exists()
    assert Notification.objects.filter(user=desk["organizer"], text__contains="因登记回避不再评审").exists()


def test_a_conflict_the_expert_declares_withdraws_the_open_assignment_below_it(desk: dict) -> None:
    _confirm(desk)
    services.declare_conflict(actor=desk["expert"].user, unit=desk["x"], reason="曾在甲县教育局任职")
    assert Assignment.objects.get(pk=desk["assignment"].pk).status == Assignment.Status.ABSTAINED


# --- materials ----------------------------------------------------------------------------------


def test_the_open_sheet_shows_the_materials_beside_each_indicator(desk: dict) -> None:
    page = _confirm(desk).get(_sheet_url(desk)).content.decode()
    assert "提供光纤接入合同或运营商证明" in page  # the framework's 提供材料要求
    assert "出口带宽：<strong>600</strong> M" in page  # the school's answer
    assert "机器人大赛一等奖" in page and "省级" in page and "2024-11-02" in page  # the item list
    assert "已接入千兆光纤" in page  # the narrative
    assert _file_url(desk["app"], desk["files"][0]) in page and "甲县第0小学光纤合同.pdf" in page
    assert "尚未提交的草稿.pdf" not in page
    assert "联系人" in page and "王老师" in page and "在校学生数" in page  # the 申报书
    assert "自评总分" in page and "县级评分" in page and "同意推荐" in page
    assert reverse("reports:application_form", args=[desk["app"].pk]) in page
    assert reverse("reports:expert_sheet", args=[desk["assignment"].pk]) in page


def test_the_expert_opens_evidence_in_place_while_the_assignment_is_open(desk: dict) -> None:
    app, (pdf, docx), draft = desk["app"], desk["files"], desk["draft_file"]
    c = client_for(desk["expert"].user)
    assert c.get(_file_url(app, pdf)).status_code == 404  # not before confirming
    c = _confirm(desk)
    response = c.get(_file_url(app, pdf))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    download = c.get(_file_url(app, docx))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert c.get(_file_url(app, draft)).status_code == 404  # not part of the submitted version
    other, other_pdf = desk["other_app"], desk["other_files"][0]
    assert c.get(_file_url(other, other_pdf)).status_code == 404
    assert c.get(reverse("reports:application_form", args=[other.pk])).status_code == 404
    for name in ("reports:application_form", "reports:self_evaluation", "reports:self_assessment"):
        assert c.get(reverse(name, args=[app.pk]))["Content-Type"] == "application/pdf"
    version = c.get(reverse("applications:version", args=[app.pk, 1])).content.decode()
    assert "甲县第0小学 · 第 1 版（只读）" in version and "已接入千兆光纤" in version
    assert c.get(reverse("applications:version", args=[other.pk, 1])).status_code == 404
    assert c.get(reverse("applications:versions", args=[app.pk])).status_code == 404  # the list names who confirmed


def test_the_materials_close_with_the_submitted_sheet(desk: dict) -> None:
    c = _confirm(desk)
    a = desk["assignment"]
    services.record_expert_score(actor=desk["expert"].user, assignment=a, revision=a.revision, agreed=["1", "2"])
    a.refresh_from_db()
    services.submit_expert_score(actor=desk["expert"].user, assignment=a)
    assert c.get(_file_url(desk["app"], desk["files"][0])).status_code == 404
    assert c.get(reverse("reports:self_assessment", args=[desk["app"].pk])).status_code == 404
    assert c.get(reverse("applications:version", args=[desk["app"].pk, 1])).status_code == 404
    page = c.get(_sheet_url(desk)).content.decode()
    assert "申报材料不再开放查看" in page and "已接入千兆光纤" not in page


def test_the_county_review_page_shows_the_same_materials(desk: dict) -> None:
    desk["app"].status = Application.Status.SUBMITTED
    desk["app"].save()
    page = client_for(desk["reviewer"]).get(reverse("reviews:county_review", args=[desk["app"].pk])).content.decode()
    assert "提供光纤接入合同或运营商证明" in page and "已接入千兆光纤" in page and "机器人大赛一等奖" in page
    assert _file_url(desk["app"], desk["files"][0]) in page and "王老师" in page and "自评总分" in page
    pdf = client_for(desk["reviewer"]).get(_file_url(desk["app"], desk["files"][0]))
    assert pdf["Content-Disposition"].startswith("inline")


# --- blind review -------------------------------------------------------------------------------


def test_blind_review_names_nothing_of_the_school(desk: dict) -> None:
    _blind(desk)
    c = _confirm(desk)
    page = c.get(_sheet_url(desk)).content.decode()
    assert "甲县第0小学" not in page and "王老师" not in page and "0571-1234567" not in page
    assert desk["app"].code in page and "材料1.pdf" in page and "材料2.docx" in page
    assert "〔申报单位〕已接入千兆光纤" in page  # the school's name masked in its narrative
    response = c.get(_file_url(desk["app"], desk["files"][0]))
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote('材料1.pdf')}"
    sheet_pdf = c.get(reverse("reports:expert_sheet", args=[desk["assignment"].pk]))
    assert quote(f"专家评分表-{desk['app'].code}.pdf") in sheet_pdf["Content-Disposition"]
    version = c.get(reverse("applications:version", args=[desk["app"].pk, 1])).content.decode()
    assert desk["app"].code in version and "甲县第0小学" not in version and "王老师" not in version
    assert "材料1.pdf" in version and "〔申报单位〕已接入千兆光纤" in version and "在校学生数" in version
    # the school's readers still see its own names
    organizer_file = client_for(desk["organizer"]).get(_file_url(desk["app"], desk["files"][0]))
    assert "filename*=utf-8''%E7%94%B2" in organizer_file["Content-Disposition"]


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_pdftotext
def test_blind_pdfs_name_the_code_only(desk: dict, tmp_path: Path) -> None:
    _blind(desk)
    c = _confirm(desk)
    for name in ("reports:application_form", "reports:self_evaluation", "reports:self_assessment"):
        response = c.get(reverse(name, args=[desk["app"].pk]))
        text = _text(response.content, tmp_path)
        assert "甲县第0小学" not in text and "王老师" not in text, name
        assert desk["app"].code in text, name
        assert "%E7%94%B2" not in response["Content-Disposition"], name
    text = _text(c.get(reverse("reports:expert_sheet", args=[desk["assignment"].pk])).content, tmp_path)
    assert "甲县第0小学" not in text and desk["app"].code in text


# --- an explicit decision per indicator -----------------------------------------------------------


def test_submit_refuses_an_undecided_sheet_and_lists_what_is_missing(desk: dict) -> None:
    c = _confirm(desk)
    a = desk["assignment"]
    page = c.post(
        _sheet_url(desk) + "submit/", {"revision": a.revision, "points_1": "5", "overall_comment": "总体良好"}
    ).content.decode()
    assert "尚有 1 项指标未作出评审决定" in page and "2 学生获奖" in page
    assert 'id="row-2" class="table-warning undecided"' in page
    assert 'id="row-1" class=""' in page and "尚有 2 项" not in page  # the highlights follow what was typed
    assert "总体良好" in page and 'value="5"' in page  # nothing typed is lost
    a.refresh_from_db()
    assert a.status == Assignment.Status.CONFIRMED and a.points == {}  # the refused submission kept nothing


def test_points_and_agree_on_one_indicator_are_refused_naming_it(desk: dict) -> None:
    c = _confirm(desk)
    page = c.post(
        _sheet_url(desk) + "save/", {"revision": desk["assignment"].revision, "points_1": "5", "agree_1": "on"}
    ).content.decode()
    assert "指标 1 既填写了评分又勾选了同意初审分，请二选一" in page


def test_agree_with_the_rest_in_one_confirmed_step_then_submit(desk: dict, tmp_path: Path) -> None:
    c = _confirm(desk)
    a = desk["assignment"]
    response = c.post(
        _sheet_url(desk) + "save/",
        {
            "action": "agree_rest",
            "revision": a.revision,
            "points_1": "5",
            "comment_1": "合同齐全",
            "overall_comment": "基础扎实",
        },
    )
    assert response.status_code == 302 and "agree_rest=1" in response["Location"]
    a.refresh_from_db()
    assert a.points == {"1": "5"} and a.agreed == []  # saved, nothing agreed yet
    confirm = c.get(response["Location"]).content.decode()
    assert "确认：以下指标按初审分记为您的评审决定" in confirm and "2 学生获奖" in confirm
    c.post(_sheet_url(desk) + "agree/", {"revision": a.revision, "codes": ["2"]})
    a.refresh_from_db()
    assert a.agreed == ["2"] and a.total == 6  # 5 typed + the county's 1 on indicator 2
    c.post(
        _sheet_url(desk) + "submit/",
        {"revision": a.revision, "points_1": "5", "agree_2": "on", "overall_comment": "基础扎实"},
    )
    a.refresh_from_db()
    assert a.status == Assignment.Status.SUBMITTED and a.overall_comment == "基础扎实"
    if shutil.which("pdftotext"):
        text = _text(c.get(reverse("reports:expert_sheet", args=[a.pk])).content, tmp_path)
        assert "总体评审意见" in text and "基础扎实" in text and "钱专家" in text and "同意初审分" in text


def test_a_stale_agree_confirmation_is_refused(desk: dict) -> None:
    c = _confirm(desk)
    a = desk["assignment"]
    page = c.post(_sheet_url(desk) + "agree/", {"revision": a.revision, "codes": ["2"]}).content.decode()
    assert "待决定的指标已变化，请重新确认" in page
    assert Assignment.objects.get(pk=a.pk).agreed == []
