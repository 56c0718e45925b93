"""Stages gate what a school and its county may do; a return sets a 补正截止 the school sees and
may resubmit until; a campaign that asks for it wants the stamped 申报书 before submission;
drafts stay private to the school (PDFs, the audit page and the audit export)."""

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
from django.urls import reverse
from django.utils import timezone

from campuseval.applications import services
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.campaigns import stages
from campuseval.campaigns.models import Campaign, Stage

from .appworld import World, complete_application, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def submitted(w: World, app: Application) -> Application:
    app = complete_application(w, app)
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    app.refresh_from_db()
    return app


def close_apply_stage(w: World) -> None:
    w.stage.deadline = timezone.now() - dt.timedelta(hours=1)
    w.stage.save()


# --- stages ------------------------------------------------------------------------------------


def test_stage_state_and_days_left(w: World) -> None:
    now = timezone.now()
    Stage.objects.create(
        campaign=w.campaign,
        kind=Stage.Kind.COUNTY_REVIEW,
        starts_at=now + dt.timedelta(days=12),
        deadline=now + dt.timedelta(days=20),
    )
    state = stages.stage_state(w.campaign, now)
    assert state.stage == w.stage and state.running and state.days == 10
    assert state.text.startswith("申报进行中，剩余 10 天")
    later = now + dt.timedelta(days=11)
    state = stages.stage_state(w.campaign, later)
    assert not state.running and state.days == 1 and state.label == "县级初评"
    problem = stages.action_problem(w.campaign, stages.Action.COUNTY_REVIEW, now=now)
    assert problem == f"县级初评阶段尚未开始（{timezone.localtime(now + dt.timedelta(days=12)):%Y-%m-%d} 开始）"


def test_closed_campaign_refuses_saves_and_submission(w: World, app: Application) -> None:
    app = complete_application(w, app)
    Campaign.objects.filter(pk=w.campaign.pk).update(status=Campaign.Status.CLOSED)
    app.refresh_from_db()
    with pytest.raises(ValidationError, match="活动已结束，不能再申报或修改申报"):
        services.save_form(
            actor=w.users["school_officer"], application=app, revision=app.revision, data={"contact_name": "李"}
        )
    with pytest.raises(ValidationError, match="活动已结束"):
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT and app.form_data["contact_name"] == "王老师"


def test_apply_stage_not_started_refuses_start(w: World) -> None:
    w.stage.starts_at = timezone.now() + dt.timedelta(days=2)
    w.stage.save()
    with pytest.raises(ValidationError, match="申报阶段尚未开始"):
        services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)
    assert not Application.objects.exists()


def test_return_sets_default_fix_deadline_and_school_resubmits_after_apply_deadline(w: World, app: Application) -> None:
    app = submitted(w, app)
    close_apply_stage(w)
    services.return_application(actor=w.users["county_reviewer"], application=app, reason="缺少带宽合同")
    app.refresh_from_db()
    assert app.status == Application.Status.RETURNED
    expected = (timezone.localtime() + dt.timedelta(days=w.campaign.fix_days)).date()
    assert timezone.localtime(app.fix_deadline).date() == expected
    entry = AuditEntry.objects.get(action="application.return")
    assert entry.after["fix_deadline"] == stages.when(app.fix_deadline)
    # the school sees the deadline on its pages
    page = w.client("school_officer").get(reverse("applications:form", args=[app.pk])).content.decode()
    assert f"补正截止：{timezone.localtime(app.fix_deadline):%Y-%m-%d %H:%M}" in page
    mine = w.client("school_officer").get(reverse("applications:mine")).content.decode()
    assert f"补正截止 {timezone.localtime(app.fix_deadline):%Y-%m-%d %H:%M}" in mine
    home = w.client("school_officer").get(reverse("shell:home")).content.decode()
    left = stages.days_until(app.fix_deadline)
    assert f"补正截止 {timezone.localtime(app.fix_deadline):%Y-%m-%d %H:%M}（剩余 {left} 天）" in home
    # corrected and resubmitted although the apply stage has closed
    officer = w.users["school_officer"]
    services.save_form(actor=officer, application=app, revision=app.revision, data={"contact_name": "李老师"})
    app.refresh_from_db()
    version = services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    assert version.number == 2 and version.form_data["contact_name"] == "李老师"


def test_after_the_fix_deadline_a_returned_application_is_closed(w: World, app: Application) -> None:
    app = submitted(w, app)
    services.return_application(
        actor=w.users["county_reviewer"], application=app, reason="缺少带宽合同", fix_deadline=timezone.localdate()
    )
    close_apply_stage(w)
    Application.objects.filter(pk=app.pk).update(fix_deadline=timezone.now() - dt.timedelta(minutes=5))
    app.refresh_from_db()
    with pytest.raises(ValidationError, match=r"补正已于 .* 截止"):
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    page = w.client("school_head").get(reverse("applications:submit", args=[app.pk])).content.decode()
    assert "补正已于" in page and "截止，不能再修改或提交" in page


def test_return_form_takes_a_date_and_refuses_a_past_one_keeping_the_reason(w: World, app: Application) -> None:
    app = submitted(w, app)
    county = w.client("county_reviewer")
    url = reverse("applications:return", args=[app.pk])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page = county.post(url, {"reason": "请补充合同", "fix_deadline": f"{yesterday:%Y-%m-%d}"}).content.decode()
    assert "补正截止日期" in page and "已过" in page and "请补充合同" in page
    bad = county.post(url, {"reason": "请补充合同", "fix_deadline": "下周"}).content.decode()
    assert "补正截止日期：请按 2026-12-10 的格式填写日期" in bad
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    chosen = timezone.localdate() + dt.timedelta(days=3)
    response = county.post(url, {"reason": "请补充合同", "fix_deadline": f"{chosen:%Y-%m-%d}"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.RETURNED
    assert f"{timezone.localtime(app.fix_deadline):%Y-%m-%d %H:%M}" == f"{chosen:%Y-%m-%d} 23:59"


def test_county_cannot_return_before_its_stage(w: World, app: Application) -> None:
    app = submitted(w, app)
    now = timezone.now()
    Stage.objects.create(
        campaign=w.campaign,
        kind=Stage.Kind.COUNTY_REVIEW,
        starts_at=now + dt.timedelta(days=11),
        deadline=now + dt.timedelta(days=20),
    )
    with pytest.raises(ValidationError, match="县级初评阶段尚未开始"):
        services.return_application(actor=w.users["county_reviewer"], application=app, reason="缺材料")
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED


# --- stamped scans --------------------------------------------------------------------------------


def test_stamped_scan_required_before_submission(w: World, app: Application) -> None:
    Campaign.objects.filter(pk=w.campaign.pk).update(requires_stamped_scans=True)
    app = complete_application(w, app)
    head = w.client("school_head")
    page = head.post(reverse("applications:submit", args=[app.pk]), {"promise": "yes"}).content.decode()
    assert "要求上传负责人签字并加盖公章的申报书扫描件" in page
    assert not app.versions.exists()
    upload = reverse("applications:stamped_scan_upload", args=[app.pk])
    refused = head.post(upload, {"stamped_scan": SimpleUploadedFile("盖章.pdf", b"not a pdf at all")}).content.decode()
    assert "盖章申报书扫描件「盖章.pdf」的内容不是 PDF 或 JPG/PNG 图片" in refused
    missing = head.post(upload, {}).content.decode()
    assert "请选择要上传的盖章扫描件" in missing
    assert head.post(upload, {"stamped_scan": SimpleUploadedFile("盖章.pdf", PDF)}).status_code == 302
    app.refresh_from_db()
    assert app.stamped_scan and app.stamped_scan_at is not None
    response = head.post(reverse("applications:submit", args=[app.pk]), {"promise": "yes"})
    assert response.status_code == 302 and app.versions.count() == 1
    # those who may see the application download it
    scan = w.client("county_reviewer").get(reverse("applications:stamped_scan", args=[app.pk]))
    assert scan.status_code == 200 and scan["Content-Type"] == "application/pdf"
    assert b"".join(scan.streaming_content) == PDF
    assert w.client("outsider_reviewer").get(reverse("applications:stamped_scan", args=[app.pk])).status_code == 404


def test_stamped_scan_of_a_draft_is_the_schools_only(w: World, app: Application) -> None:
    services.upload_stamped_scan(
        actor=w.users["school_officer"], application=app, file=SimpleUploadedFile("s.png", PNG)
    )
    url = reverse("applications:stamped_scan", args=[app.pk])
    assert w.client("school_officer").get(url)["Content-Type"] == "image/png"
    assert w.client("county_reviewer").get(url).status_code == 404
    assert w.client("organizer").get(url).status_code == 404


def test_district_application_names_the_district_head(w: World) -> None:
    w.users["district_head"] = make_user("district_head", w.county_x, "head")
    w.campaign.applicants = Campaign.Applicants.BOTH
    w.campaign.district_framework = w.record
    w.campaign.save()
    app = Application.objects.create(
        campaign=w.campaign, unit=w.county_x, framework=w.record, form_key="school", updated_by=None
    )
    page = w.client("district_head").get(reverse("applications:submit", args=[app.pk])).content.decode()
    assert "本人作为区县负责人" in page and "本人作为学校负责人" not in page
    school = Application.objects.create(campaign=w.campaign, unit=w.school_a, framework=w.record, form_key="school")
    page = w.client("school_head").get(reverse("applications:submit", args=[school.pk])).content.decode()
    assert "本人作为学校负责人" in page


# --- drafts stay private ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reports:application_form", "reports:self_evaluation", "reports:self_assessment"])
def test_draft_pdfs_are_the_schools_only(w: World, app: Application, name: str) -> None:
    url = reverse(name, args=[app.pk])
    assert w.client("county_reviewer").get(url).status_code == 404
    assert w.client("organizer").get(url).status_code == 404


def test_draft_content_is_hidden_in_the_audit_page_and_export(w: World, app: Application) -> None:
    officer = w.users["school_officer"]
    services.save_indicator(
        actor=officer, application=app, revision=app.revision, code="1.2", values={}, narrative="草稿说明秘密"
    )
    app.refresh_from_db()
    services.save_form(actor=officer, application=app, revision=app.revision, data={"contact_name": "草稿联系人"})
    organizer = w.client("organizer")
    page = organizer.get(reverse("reviews:audit_log", args=[w.campaign.pk])).content.decode()
    assert "草稿联系人" not in page and "草稿说明秘密" not in page
    assert "（填报中内容，提交前仅申报单位可见）" in page and "保存申报书" in page
    app = submitted(w, app)  # the submitted content is read from the version, the draft saves stay hidden
    export = organizer.get(reverse("reports:export", args=["audit", w.campaign.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any("草稿联系人" in c for c in cells)
    assert any("（填报中内容，提交前仅申报单位可见）" in c for c in cells)
    assert any("负责人确认真实性承诺并提交第 1 版" in c for c in cells)
    # the stored entries keep what was typed
    assert AuditEntry.objects.filter(action="application.save_form", after__contact_name="草稿联系人").exists()


def test_saves_of_a_returned_application_stay_hidden_until_resubmitted(w: World, app: Application) -> None:
    app = submitted(w, app)
    services.return_application(actor=w.users["county_reviewer"], application=app, reason="补充")
    app.refresh_from_db()
    services.save_form(
        actor=w.users["school_officer"], application=app, revision=app.revision, data={"contact_name": "补正中"}
    )
    page = w.client("organizer").get(reverse("reviews:audit_log", args=[w.campaign.pk])).content.decode()
    assert "补正中" not in page
    app.refresh_from_db()
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    page = w.client("organizer").get(reverse("reviews:audit_log", args=[w.campaign.pk])).content.decode()
    assert "补正中" in page  # resubmitted: the correction is part of what the school submitted


def test_home_shows_the_stage_running_by_its_dates(w: World) -> None:
    page = w.client("school_officer").get(reverse("shell:home")).content.decode()
    row = page[page.index('id="home-campaigns"') :]
    assert 'data-stage="apply"' in row and "剩余 10 天" in row and "去申报" in row
    close_apply_stage(w)
    now = timezone.now()
    Stage.objects.create(
        campaign=w.campaign,
        kind=Stage.Kind.COUNTY_REVIEW,
        starts_at=now - dt.timedelta(minutes=30),
        deadline=now + dt.timedelta(days=4, hours=2),
    )
    page = w.client("school_officer").get(reverse("shell:home")).content.decode()
    row = page[page.index('id="home-campaigns"') :]
    assert 'data-stage="county_review"' in row and "县级初评" in row and "剩余 5 天" in row
    assert "去申报" not in row  # the campaign is still 申报中 by its status, but applying has closed


def test_home_offers_to_apply_only_to_the_kind_of_applicant_the_campaign_takes(w: World) -> None:
    w.users["district_head"] = make_user("district_head", w.county_x, "head")
    assert w.campaign.applicants == Campaign.Applicants.SCHOOLS
    page = w.client("district_head").get(reverse("shell:home")).content.decode()
    row = page[page.index('id="home-campaigns"') :]
    assert w.campaign.name in row and "去申报" not in row
    w.campaign.applicants = Campaign.Applicants.BOTH
    w.campaign.save()
    page = w.client("district_head").get(reverse("shell:home")).content.decode()
    assert "去申报" in page[page.index('id="home-campaigns"') :]


def test_a_return_without_a_stored_deadline_counts_the_campaigns_days(w: World, app: Application) -> None:
    app = submitted(w, app)
    close_apply_stage(w)
    Application.objects.filter(pk=app.pk).update(
        status=Application.Status.RETURNED, return_reason="补充", returned_at=timezone.now() - dt.timedelta(days=2)
    )
    app.refresh_from_db()
    assert stages.action_problem(w.campaign, stages.Action.APPLY, application=app) is None
    Application.objects.filter(pk=app.pk).update(returned_at=timezone.now() - dt.timedelta(days=30))
    app.refresh_from_db()
    assert "补正已于" in (stages.action_problem(w.campaign, stages.Action.APPLY, application=app) or "")


def test_the_school_is_told_when_applying_has_closed(w: World, app: Application) -> None:
    page = w.client("school_officer").get(reverse("applications:form", args=[app.pk])).content.decode()
    assert 'id="stage-closed"' not in page
    close_apply_stage(w)
    page = w.client("school_officer").get(reverse("applications:form", args=[app.pk])).content.decode()
    assert f"申报已于 {stages.when(w.stage.deadline)} 截止，已填写的内容仍可查看" in page
    typed = w.client("school_officer").post(
        reverse("applications:form", args=[app.pk]), {"revision": str(app.revision), "contact_name": "迟到的联系人"}
    )
    body = typed.content.decode()
    assert "申报已于" in body and 'value="迟到的联系人"' in body  # refused, what was typed still in the field
    app.refresh_from_db()
    assert app.form_data.get("contact_name") != "迟到的联系人"


def test_a_returned_application_needs_a_fresh_stamped_scan(w: World, app: Application) -> None:
    Campaign.objects.filter(pk=w.campaign.pk).update(requires_stamped_scans=True)
    app.refresh_from_db()
    services.upload_stamped_scan(
        actor=w.users["school_officer"], application=app, file=SimpleUploadedFile("a.pdf", PDF)
    )
    app = submitted(w, app)
    assert AuditEntry.objects.get(action="application.submit").after["stamped_scan"] == app.stamped_scan.name
    services.return_application(actor=w.users["county_reviewer"], application=app, reason="补充")
    app.refresh_from_db()
    with pytest.raises(ValidationError, match="请打印修改后的申报书，签字盖章后重新上传扫描件"):
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    services.upload_stamped_scan(
        actor=w.users["school_officer"], application=app, file=SimpleUploadedFile("b.pdf", PDF)
    )
    app.refresh_from_db()
    assert (
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True).number == 2
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by `make system-deps`")
def test_the_school_prints_its_correction_the_county_the_submitted_version(
    w: World, app: Application, tmp_path: Path
) -> None:
    app = submitted(w, app)
    services.return_application(actor=w.users["county_reviewer"], application=app, reason="补充")
    app.refresh_from_db()
    services.save_form(
        actor=w.users["school_officer"], application=app, revision=app.revision, data={"contact_name": "赵补正"}
    )

    def printed(who: str) -> str:
        pdf = w.client(who).get(reverse("reports:application_form", args=[app.pk])).content
        path = tmp_path / f"{who}.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout

    assert "赵补正" in printed("school_officer")
    county = printed("county_reviewer")
    assert "赵补正" not in county and "王老师" in county
