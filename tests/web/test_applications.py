"""Application services and pages: saving, concurrency, bad input, submission, return, versions."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campuseval.applications import services
from campuseval.applications.models import Application, ApplicationVersion, Evidence
from campuseval.audit.models import AuditEntry
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from .appworld import World, complete_application


def test_start_prefills_stage_and_unit_data(w: World, app: Application) -> None:
    assert app.answers["context"] == {"stage": "小学"}
    assert app.form_data["students"] == 900
    assert app.result["progress"] == {"answered": 0, "total": 4}
    assert AuditEntry.objects.filter(action="application.start", object_id=str(app.pk)).exists()


def test_mine_lists_open_campaign_then_application(w: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    c = w.client("school_officer")
    page = c.get(reverse("applications:mine")).content.decode()
    assert "2024 智慧校园示范校遴选" in page and "开始申报" in page
    response = c.post(reverse("applications:mine"), {"campaign": w.campaign.pk, "unit": w.school_a.pk})
    application = Application.objects.get(unit=w.school_a, campaign=w.campaign)
    assert response["Location"] == reverse("applications:form", args=[application.pk])
    with CaptureQueriesContext(connection) as one:
        c.get(reverse("applications:mine"))
    for i in range(5):
        campaign = Campaign.objects.create(
            name=f"活动{i}",
            year=2024,
            organizer=w.city,
            applicants="schools",
            school_framework=w.record,
            as_of=dt.date(2024, 5, 30),
            status=Campaign.Status.OPEN,
        )
        services.start_application(actor=w.users["school_officer"], campaign=campaign, unit=w.school_a)
    with django_assert_num_queries(len(one)):
        page = c.get(reverse("applications:mine")).content.decode()
    assert page.count("填报中") == 6


def test_form_value_feeds_indicator_read_only(w: World, app: Application) -> None:
    c = w.client("school_officer")
    c.post(reverse("applications:form", args=[app.pk]), {"revision": app.revision, "bandwidth_mbps": "450"})
    app.refresh_from_db()
    assert app.result["indicators"]["1.1"]["points"] == "4"
    page = c.get(reverse("applications:indicator", args=[app.pk, "1.1"])).content.decode()
    assert "450M" in page and "取自申报书“出口带宽”" in page and "到申报书中修改" in page
    assert 'name="in_bandwidth"' not in page
    # the indicator cannot overwrite the form's value
    services.save_indicator(
        actor=w.users["school_officer"], application=app, revision=app.revision, code="1.1", values={"bandwidth": "50"}
    )
    app.refresh_from_db()
    assert app.result["indicators"]["1.1"]["points"] == "4"


def test_derived_coverage_shown_live(w: World, app: Application) -> None:
    c = w.client("school_officer")
    response = c.post(
        reverse("applications:form", args=[app.pk]),
        {"revision": app.revision, "classes_grade3_up": "16", "smart_classrooms": "4"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "25%" in body and 'id="derived"' in body and "已自动保存" in body


def test_live_score_shows_explanation_total_and_gap(w: World, app: Application) -> None:
    c = w.client("school_officer")
    response = c.post(
        reverse("applications:indicator", args=[app.pk, "1.3"]),
        {"revision": app.revision, "in_platform": "租用"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "平台情况：租用，得 2 分" in body
    assert '<span id="total">2</span>' in body
    assert "1/4" in body
    assert "距合格型还差 13 分" in body
    assert "总分 2 分，未达到申报要求的 5 分" in body
    app.refresh_from_db()
    assert app.self_total == Decimal("2") and app.revision == 1


def test_stale_revision_refused_with_diff_and_typed_values_kept(w: World, app: Application) -> None:
    services.save_indicator(
        actor=w.users["school_head"],
        application=app,
        revision=0,
        code="1.3",
        values={"platform": "自建"},
        narrative="校长写的",
    )
    c = w.client("school_officer")
    response = c.post(
        reverse("applications:indicator", args=[app.pk, "1.3"]),
        {"revision": "0", "in_platform": "租用", "narrative": "我写的说明"},
    )
    page = response.content.decode()
    assert "已在您打开本页后保存了修改" in page
    assert "<td>平台情况</td><td>自建</td><td>租用</td>" in page
    assert "<td>自评说明</td><td>校长写的</td><td>我写的说明</td>" in page
    assert "<option selected>租用</option>" in page and "我写的说明</textarea>" in page
    app.refresh_from_db()
    assert app.answers["answers"]["1.3"] == {"platform": "自建"} and app.revision == 1
    # choosing "mine" saves with the current revision
    c.post(
        reverse("applications:indicator", args=[app.pk, "1.3"]),
        {"revision": "0", "overwrite_revision": "1", "in_platform": "租用", "narrative": "我写的说明"},
    )
    app.refresh_from_db()
    assert app.answers["answers"]["1.3"] == {"platform": "租用"} and app.narratives["1.3"] == "我写的说明"


def test_stale_form_save_shows_field_diff(w: World, app: Application) -> None:
    services.save_form(actor=w.users["school_head"], application=app, revision=0, data={"teachers": "50"})
    with pytest.raises(services.StaleRevision) as exc:
        services.save_form(actor=w.users["school_officer"], application=app, revision=0, data={"teachers": "52"})
    assert exc.value.changes == [{"label": "专任教师数", "theirs": "50", "yours": "52"}]


@pytest.mark.parametrize(
    ("code", "post", "message", "kept"),
    [
        ("2.2", {"in_pts": "十二"}, "自评分应为数字，收到「十二」", 'value="十二"'),
        ("2.2", {"in_pts": "12"}, "自评分不能大于 10，收到 12", 'value="12"'),
        (
            "2.2",
            {"in_pts": "5", "in_accepted_on": "2024/13/40"},
            "验收日期应为日期（如 2023-06-01），收到「2024/13/40」",
            'value="2024/13/40"',
        ),
        ("2.2", {"in_pts": "5", "in_accepted_on": "2030-01-01"}, "晚于评估基准日 2024-05-30", 'value="2030-01-01"'),
        ("1.2", {"in_has_rules": "也许"}, "制定管理制度应填“是”或“否”，收到「也许」", "制定管理制度"),
        ("1.3", {"in_platform": "外包"}, "平台情况只能选择：自建、租用、无；收到「外包」", "平台情况"),
        (
            "1.4",
            {"in_scenes__present": "1", "in_scenes": ["教学", "娱乐"]},
            "应用场景中的「娱乐」不是可选项",
            'value="教学" checked',
        ),
        (
            "2.1",
            {
                "in_awards__present": "1",
                "in_awards-0-name": "优课",
                "in_awards-0-level": "区级",
                "in_awards-0-date": "2023-01-01",
                "in_awards-0-case": "甲",
            },
            "获奖第 1 条：级别只能选择",
            'value="优课"',
        ),
    ],
)
def test_bad_input_keeps_typed_value_and_message(
    w: World, app: Application, code: str, post: dict, message: str, kept: str
) -> None:
    c = w.client("school_officer")
    page = c.post(reverse("applications:indicator", args=[app.pk, code]), {"revision": app.revision, **post})
    body = page.content.decode()
    assert message in body
    assert kept in body
    assert "处填写有误" in body


def test_valid_values_saved_when_another_is_invalid(w: World, app: Application) -> None:
    c = w.client("school_officer")
    c.post(
        reverse("applications:indicator", args=[app.pk, "2.2"]),
        {"revision": app.revision, "in_pts": "7", "in_accepted_on": "昨天", "narrative": "说明文字"},
    )
    app.refresh_from_db()
    assert app.answers["answers"]["2.2"] == {"pts": "7"}
    assert app.narratives["2.2"] == "说明文字"


def test_form_bad_number_kept_with_message(w: World, app: Application) -> None:
    c = w.client("school_officer")
    body = c.post(
        reverse("applications:form", args=[app.pk]), {"revision": app.revision, "students": "九百", "teachers": "55"}
    ).content.decode()
    assert "在校学生数应为数字，收到「九百」" in body and 'value="九百"' in body
    app.refresh_from_db()
    assert app.form_data["teachers"] == 55 and app.form_data["students"] == 900


def test_expired_session_post_replayed_after_login(w: World, app: Application) -> None:
    c = w.client("school_officer")
    c.logout()
    url = reverse("applications:indicator", args=[app.pk, "1.3"])
    response = c.post(url, {"revision": app.revision, "in_platform": "租用", "narrative": "断线前写的"})
    assert response["Location"].startswith(reverse("accounts:login"))
    app.refresh_from_db()
    assert app.revision == 0
    c.force_login(w.users["school_officer"])
    body = c.get(url).content.decode()
    assert "已自动保存" in body and "断线前写的" in body
    app.refresh_from_db()
    assert app.answers["answers"]["1.3"] == {"platform": "租用"}


def test_items_rows_saved_and_none(w: World, app: Application) -> None:
    c = w.client("school_officer")
    c.post(
        reverse("applications:indicator", args=[app.pk, "2.1"]),
        {
            "revision": app.revision,
            "in_awards__present": "1",
            "in_awards-0-name": "优课",
            "in_awards-0-level": "国家级",
            "in_awards-0-date": "2023-06-01",
            "in_awards-0-case": "甲",
            "in_awards-17-name": "",
            "in_awards-17-level": "",
            "in_awards-17-date": "",
            "in_awards-17-case": "",
        },
    )
    app.refresh_from_db()
    assert app.answers["answers"]["2.1"]["awards"] == [
        {"name": "优课", "level": "国家级", "date": "2023-06-01", "case": "甲"}
    ]
    row = c.get(reverse("applications:item_row", args=[app.pk, "2.1", "awards"]) + "?n=5").content.decode()
    assert 'name="in_awards-5-level"' in row and "国家级" in row
    c.post(
        reverse("applications:indicator", args=[app.pk, "2.1"]),
        {"revision": app.revision, "in_awards__present": "1", "in_awards__none": "1"},
    )
    app.refresh_from_db()
    assert app.answers["answers"]["2.1"]["awards"] == []


def test_choose_one_only_chosen_counts(w: World, app: Application) -> None:
    officer = w.users["school_officer"]
    services.save_indicator(actor=officer, application=app, revision=0, code="2.2", values={"pts": "9"})
    app.refresh_from_db()
    assert app.result["total"] == "0"
    c = w.client("school_officer")
    c.post(reverse("applications:choices", args=[app.pk]), {"revision": app.revision, "choice_二": "方向二"})
    app.refresh_from_db()
    assert app.answers["choices"] == {"二": "方向二"} and app.result["total"] == "9"
    assert app.result["indicators"]["2.1"]["status"] == "not_chosen"
    page = c.get(reverse("applications:choices", args=[app.pk])).content.decode()
    assert 'value="方向二" checked' in page


def test_incomplete_refused_with_what_is_missing(w: World, app: Application) -> None:
    with pytest.raises(ValidationError) as exc:
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    text = "；".join(exc.value.messages)
    assert "请选择“特色发展”的方向" in text
    assert "1.1 出口带宽" in text and "申报书尚未填写" in text and "专任教师数" in text
    page = w.client("school_head").get(reverse("applications:submit", args=[app.pk])).content.decode()
    assert "1.2 管理制度" in page


def test_deadline_passed_refused(w: World, app: Application) -> None:
    app = complete_application(w, app)
    w.stage.deadline = timezone.now() - dt.timedelta(minutes=1)
    w.stage.save()
    with pytest.raises(ValidationError, match="截止"):
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)


def test_not_eligible_refused(w: World, app: Application) -> None:
    app = complete_application(w, app)
    w.campaign.min_self_score = Decimal("29")
    w.campaign.save()
    app.refresh_from_db()
    with pytest.raises(ValidationError, match="低于本次活动申报最低自评分 29 分"):
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)


def test_engine_eligibility_refused(w: World, app: Application) -> None:
    app = complete_application(w, app)
    officer = w.users["school_officer"]
    services.save_form(actor=officer, application=app, revision=app.revision, data={"bandwidth_mbps": "10"})
    for code, values in {
        "1.2": {"has_rules": "false"},
        "1.3": {"platform": "无"},
        "1.4": {"scenes": ["教学"]},
        "2.1": {"awards": []},
    }.items():
        app.refresh_from_db()
        services.save_indicator(actor=officer, application=app, revision=app.revision, code=code, values=values)
    app.refresh_from_db()
    with pytest.raises(ValidationError, match="总分 0 分，未达到申报要求的 5 分"):
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)


def test_applicant_cannot_submit_head_confirms(w: World, app: Application) -> None:
    app = complete_application(w, app)
    c = w.client("school_officer")
    body = c.post(reverse("applications:submit", args=[app.pk]), {"promise": "yes"}).content.decode()
    assert "只有学校负责人可以确认真实性承诺并提交" in body
    head = w.client("school_head")
    body = head.post(reverse("applications:submit", args=[app.pk]), {}).content.decode()
    assert "请阅读并勾选真实性承诺" in body
    assert not ApplicationVersion.objects.exists()
    response = head.post(reverse("applications:submit", args=[app.pk]), {"promise": "yes"})
    version = ApplicationVersion.objects.get(application=app)
    assert response["Location"] == reverse("applications:version", args=[app.pk, 1])
    assert version.confirmed_by == w.users["school_head"] and "真实" in version.promise_text
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED


def test_version_frozen_with_evidence(w: World, app: Application, pdf_bytes: bytes) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    app = complete_application(w, app)
    ev = services.upload_evidence(
        actor=w.users["school_officer"],
        application=app,
        indicator_code="1.1",
        file=SimpleUploadedFile("合同.pdf", pdf_bytes, "application/pdf"),
    )
    version = services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    ev.refresh_from_db()
    assert ev.frozen_in_version == 1
    assert version.evidence == [
        {
            "id": ev.pk,
            "name": "合同.pdf",
            "sha256": ev.sha256,
            "size": len(pdf_bytes),
            "indicator": "1.1",
            "item": None,  # the numbered 提供材料要求 item the file answers (none given here)
            "content_type": "application/pdf",
        }
    ]
    assert version.total == Decimal("23") and version.result["level"] == "合格型"
    assert version.answers["answers"]["1.1"] == {"bandwidth": "600"}
    # a submitted application is no longer editable
    with pytest.raises(ValidationError, match="不能修改"):
        services.save_indicator(
            actor=w.users["school_officer"],
            application=app,
            revision=app.revision + 1,
            code="1.3",
            values={"platform": "无"},
        )
    page = w.client("school_officer").get(reverse("applications:version", args=[app.pk, 1])).content.decode()
    # the page's text as read (the 申报书 is a definition list: label and value in their own cells)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert (
        "第 1 版（只读）" in text
        and "自评分 23.00 / 30" in text
        and "专任教师数： 55" in text
        and "合同.pdf" in text
        and "平台情况：自建" in text
    )


def test_return_then_version_two(w: World, app: Application) -> None:
    app = complete_application(w, app)
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    with pytest.raises(ValidationError, match="必须填写理由"):
        services.return_application(actor=w.users["county_reviewer"], application=app, reason=" ")
    reviewer = w.client("county_reviewer")
    reviewer.post(reverse("applications:return", args=[app.pk]), {"reason": "佐证材料不全"})
    app.refresh_from_db()
    assert app.status == Application.Status.RETURNED and app.return_reason == "佐证材料不全"
    page = w.client("school_officer").get(reverse("applications:form", args=[app.pk])).content.decode()
    assert "县级退回理由：佐证材料不全" in page
    services.save_indicator(
        actor=w.users["school_officer"], application=app, revision=app.revision, code="1.3", values={"platform": "租用"}
    )
    v2 = services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    assert v2.number == 2 and v2.total == Decimal("21")
    assert ApplicationVersion.objects.get(application=app, number=1).total == Decimal("23")
    app.refresh_from_db()
    assert app.version_number == 2
    versions = w.client("school_head").get(reverse("applications:versions", args=[app.pk])).content.decode()
    assert "第 1 版" in versions and "第 2 版" in versions


def test_outsider_reviewer_cannot_return(w: World, app: Application) -> None:
    app = complete_application(w, app)
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    response = w.client("outsider_reviewer").post(reverse("applications:return", args=[app.pk]), {"reason": "x"})
    assert response.status_code == 404
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED


def test_campaign_not_covering_unit_cannot_start(w: World) -> None:
    other = Unit.objects.create(code="W-P", name="外省", kind=Unit.Kind.PROVINCE)
    w.campaign.covered_units.add(w.county_y)
    with pytest.raises(ValidationError, match="不接受本单位申报"):
        services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)
    assert other.pk


@pytest.fixture
def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_model_counts(w: World, app: Application) -> None:
    assert Evidence.objects.count() == 0


def test_htmx_conflict_shows_diff_out_of_band(w: World, app: Application) -> None:
    services.save_form(actor=w.users["school_head"], application=app, revision=0, data={"teachers": "50"})
    body = (
        w.client("school_officer")
        .post(
            reverse("applications:form", args=[app.pk]),
            {"revision": "0", "teachers": "52"},
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert 'id="conflict" hx-swap-oob="true"' in body
    assert "<td>专任教师数</td><td>50</td><td>52</td>" in body
    assert 'name="overwrite_revision" value="1"' in body
    assert 'id="revision" value="0"' in body
    app.refresh_from_db()
    assert app.form_data["teachers"] == 50


def test_htmx_expired_session_redirects_and_keeps_post(w: World, app: Application) -> None:
    from django.test import Client

    c = Client()
    url = reverse("applications:form", args=[app.pk])
    response = c.post(url, {"revision": "0", "teachers": "77"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
    c.force_login(w.users["school_officer"])
    body = c.get(url).content.decode()
    assert 'value="77"' in body
    app.refresh_from_db()
    assert app.form_data["teachers"] == 77


FRAMEWORK_FILES = sorted(p for p in (Path(services.__file__).resolve().parents[1] / "frameworks").glob("*.yaml"))


@pytest.mark.parametrize("path", FRAMEWORK_FILES, ids=lambda p: p.stem)
def test_every_indicator_page_renders_for_real_frameworks(w: World, path: Path) -> None:
    """The frameworks shipped with the platform render page by page (all widget types)."""
    from campuseval.campaigns.models import FrameworkRecord
    from campuseval.engine import FrameworkError, load_framework_text

    text = path.read_text(encoding="utf-8")
    try:
        fw = load_framework_text(text, path.name)
    except FrameworkError:
        pytest.skip(f"{path.name} is being written")
    record = FrameworkRecord.objects.create(
        key=fw.id,
        title=fw.title,
        subject=fw.subject,
        total=fw.total,
        source_yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    campaign = Campaign.objects.create(
        name=fw.title,
        year=2024,
        organizer=w.city,
        applicants="both",
        school_framework=record,
        district_framework=record,
        as_of=dt.date(2024, 5, 30),
        status=Campaign.Status.OPEN,
    )
    unit = w.school_a if fw.subject == "school" else w.county_x
    if fw.subject != "school":
        from campuseval.accounts.models import Membership, Role

        Membership.objects.create(user=w.users["school_officer"], unit=unit, role=Role.APPLICANT)
    application = services.start_application(actor=w.users["school_officer"], campaign=campaign, unit=unit)
    c = w.client("school_officer")
    for leaf in fw.leaves():
        page = c.get(reverse("applications:indicator", args=[application.pk, leaf.code])).content.decode()
        assert leaf.title in page
        for spec in leaf.inputs.values():
            assert spec.label in page
    assert "申报书" in c.get(reverse("applications:form", args=[application.pk])).content.decode()
    assert c.get(reverse("applications:choices", args=[application.pk])).status_code == 200


def test_versions_list_queries_do_not_grow(w: World, app: Application, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    app = complete_application(w, app)
    head = w.users["school_head"]
    services.submit_application(actor=head, application=app, promise_confirmed=True)
    c = w.client("school_head")
    url = reverse("applications:versions", args=[app.pk])
    with CaptureQueriesContext(connection) as one:
        c.get(url)
    for _ in range(3):
        services.return_application(actor=w.users["county_reviewer"], application=app, reason="补充材料")
        services.submit_application(actor=head, application=app, promise_confirmed=True)
    with django_assert_num_queries(len(one)):
        page = c.get(url).content.decode()
    assert "第 4 版" in page and "第 1 版" in page


def test_save_from_an_old_instance_is_refused_with_the_stored_values(w: World, app: Application) -> None:
    """Two tabs read revision 0; the first saves. The second's instance still says revision 0,
    so its first, optimistic attempt must not overwrite: the row is read again and the save
    refused with what is stored."""
    other_tab = Application.objects.get(pk=app.pk)
    services.save_indicator(
        actor=w.users["school_head"], application=app, revision=0, code="1.3", values={"platform": "自建"}
    )
    with pytest.raises(services.StaleRevision) as exc:
        services.save_indicator(
            actor=w.users["school_officer"], application=other_tab, revision=0, code="1.3", values={"platform": "租用"}
        )
    assert exc.value.changes == [{"label": "平台情况", "theirs": "自建", "yours": "租用"}]
    assert exc.value.current == 1
    app.refresh_from_db()
    assert app.answers["answers"]["1.3"] == {"platform": "自建"} and app.revision == 1
    assert AuditEntry.objects.filter(action="application.save_indicator", object_id=str(app.pk)).count() == 1


def test_save_from_an_old_instance_follows_the_stored_status(w: World, app: Application) -> None:
    """An instance read while the application was a draft does not let a save through after
    the head submitted it; one read while it was submitted lets the school save once the county
    returned it."""
    complete_application(w, app)
    draft_instance = Application.objects.get(pk=app.pk)
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    with pytest.raises(ValidationError, match="不能修改"):
        services.save_indicator(
            actor=w.users["school_officer"],
            application=draft_instance,
            revision=draft_instance.revision,
            code="1.3",
            values={"platform": "租用"},
        )
    submitted_instance = Application.objects.get(pk=app.pk)
    assert submitted_instance.status == Application.Status.SUBMITTED
    services.return_application(actor=w.users["county_reviewer"], application=app, reason="请补充平台合同")
    outcome = services.save_indicator(  # the revision the page shows after the return
        actor=w.users["school_officer"],
        application=submitted_instance,
        revision=submitted_instance.revision + 1,
        code="1.3",
        values={"platform": "租用"},
    )
    assert outcome.written and outcome.application.status == Application.Status.RETURNED
    app.refresh_from_db()
    assert app.answers["answers"]["1.3"] == {"platform": "租用"}
    assert app.status == Application.Status.RETURNED and app.return_reason == "请补充平台合同"


def test_autosave_sends_only_the_tree_links_that_moved(w: World, app: Application) -> None:
    c = w.client("school_officer")
    url = reverse("applications:indicator", args=[app.pk, "1.3"])
    page = c.get(url).content.decode()
    assert page.count('id="tl-') == len(list(services.framework_of(app).walk()))
    body = c.post(url, {"revision": "0", "in_platform": "租用"}, HTTP_HX_REQUEST="true").content.decode()
    assert "已自动保存" in body and 'id="tree"' not in body

    # the tree's links (the score panel also links its unmet ★/▲ requirements to their indicators)
    def tree_links(text: str) -> list[str]:
        return [chunk.split(">", 1)[0] for chunk in text.split("<a ")[1:] if chunk.startswith('id="tl-')]

    moved = tree_links(body)
    assert moved and all('hx-swap-oob="true"' in tag for tag in moved)
    assert [tag for tag in moved if 'data-code="1.3"' in tag]  # the saved indicator, now 2 points
    assert "1.3 " in body and "2/" in body
    assert 'data-code="2.1"' not in body  # untouched indicators are not sent
    # the same value again moves nothing: no link is sent
    again = c.post(url, {"revision": "1", "in_platform": "租用"}, HTTP_HX_REQUEST="true").content.decode()
    assert "已自动保存" in again and tree_links(again) == []
    # after a conflict the page showed a colleague's save it never had: the whole tree
    services.save_indicator(
        actor=w.users["school_head"], application=app, revision=2, code="2.1", values={}, narrative="校长"
    )
    conflict = c.post(url, {"revision": "2", "in_platform": "自建"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="tree"' in conflict
    mine = c.post(
        url, {"revision": "2", "overwrite_revision": "3", "in_platform": "自建"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "已自动保存" in mine and 'id="tree"' in mine


def test_a_stored_value_now_out_of_bounds_blocks_submission_with_its_name(w: World, app: Application) -> None:
    """An answer stored before the engine bounded numbers (here above the input's maximum) no
    longer scores: the submit page names it and the submission is refused, never a 500."""
    complete_application(w, app)
    Application.objects.filter(pk=app.pk).update(
        answers={**app.answers, "answers": {**app.answers["answers"], "2.2": {"pts": "1e30"}}}
    )
    app.refresh_from_db()
    page = w.client("school_head").get(reverse("applications:submit", args=[app.pk]))
    assert page.status_code == 200 and "请先改正" in page.content.decode()
    with pytest.raises(ValidationError, match="请先改正"):
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT and not app.versions.exists()
