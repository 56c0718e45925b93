"""Frameworks a bureau owns, in the pages: upload a workbook (every problem named by sheet, row
and column, nothing saved), preview (the tree with rules in words, a sample scored, the level
ladder), activate (then 新建活动 offers it), copy as a new edition, compare editions, download
any framework as its workbook. City and provincial organizers only; another bureau's draft
answers 404. A campaign keeps the edition it was created with."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import re
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campuseval.access.rules import may_author_frameworks
from campuseval.accounts.models import Role
from campuseval.applications import services as app_services
from campuseval.applications import services as applications
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.campaigns import preview, services
from campuseval.campaigns.forms import CampaignForm
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import FRAMEWORKS_DIR as FRAMEWORKS
from campuseval.engine import framework_paths, load_framework_file, load_framework_text
from campuseval.engine.formdefs import FORMS_DIR
from campuseval.engine.numbers import fmt
from campuseval.orgs.models import Unit
from campuseval.reports import imports
from campuseval.spreadsheets.framework_book import read_framework_book, write_framework_book
from tests.web.appworld import make_user

from ..reviews.test_imports import FRAMEWORK_ROWS, sheet
from .conftest import CampaignWorld, campaign_data

pytestmark = pytest.mark.django_db

#: a seventh framework, made only as data: 2 sections, 4 leaves, yes/no and number inputs, a ladder
SEVENTH: dict[str, Any] = {
    "id": "qiming-2026-school",
    "family": "qiming",
    "title": "启明市中小学智慧校园评估指标（2026版）",
    "authority": "启明市教育局",
    "year": 2026,
    "subject": "school",
    "level_names": ["一级指标", "二级指标"],
    "total": 20,
    "levels": [{"name": "示范校", "min_total": 16}, {"name": "达标校", "min_total": 10}],
    "indicators": [
        {
            "code": "一",
            "title": "基础环境",
            "points": 10,
            "children": [
                {
                    "code": "1.1",
                    "title": "校园网络",
                    "points": 6,
                    "inputs": [{"key": "bandwidth", "type": "number", "label": "出口带宽", "unit": "M", "min": 0}],
                    "rule": {
                        "type": "tiers",
                        "input": "bandwidth",
                        "tiers": [{"min": 1000, "points": 6}, {"min": 500, "max": 1000, "points": 3}],
                    },
                },
                {
                    "code": "1.2",
                    "title": "多媒体教室",
                    "points": 4,
                    "inputs": [{"key": "all_rooms", "type": "bool", "label": "所有教室配备多媒体设备"}],
                    "rule": {"type": "yes_no", "input": "all_rooms"},
                },
            ],
        },
        {
            "code": "二",
            "title": "应用服务",
            "points": 10,
            "children": [
                {
                    "code": "2.1",
                    "title": "数字教研",
                    "points": 5,
                    "inputs": [
                        {"key": "lessons", "type": "number", "label": "年度数字教研活动次数", "min": 0, "integer": True}
                    ],
                    "rule": {"type": "count_points", "input": "lessons", "per": 1, "cap": 5},
                },
                {
                    "code": "2.2",
                    "title": "家校平台",
                    "points": 5,
                    "inputs": [{"key": "platform", "type": "bool", "label": "建有家校互通平台"}],
                    "rule": {"type": "yes_no", "input": "platform"},
                },
            ],
        },
    ],
}


def seventh(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SEVENTH)
    data.update(changes)
    return data


def book(data: dict[str, Any] | None = None, form: dict[str, Any] | None = None, name: str = "启明.xlsx") -> Any:
    upload = io.BytesIO(write_framework_book(data or seventh(), form))
    upload.name = name
    return upload


def draft(
    owner: Unit, data: dict[str, Any] | None = None, *, active: bool = False, edition: str = ""
) -> FrameworkRecord:
    """A framework record as an upload leaves it (written directly, for the pages' tests)."""
    data = data or seventh()
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    fw = load_framework_text(text, f"{data['id']}.yaml")
    return FrameworkRecord.objects.create(
        key=fw.id,
        family=fw.family,
        title=fw.title,
        subject=fw.subject,
        total=fw.total,
        source_yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        is_active=active,
        edition=edition,
        owner=owner,
    )


def problem_rows(page: str) -> list[tuple[str, ...]]:
    """The 工作表、行、列、问题 of each row of the page's problem table."""
    table = page.split('id="book-problems"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [
        tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row))
        for row in re.findall(r"<tr>(.*?)</tr>", table)
    ]


def framework_choices(cw: CampaignWorld, user: str = "organizer") -> list[int]:
    form = CampaignForm(organizers=[cw.w.city] if user == "organizer" else [cw.other_city])
    return [fw.pk for fw in form.fields["school_framework"].queryset]  # type: ignore[attr-defined]


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["school_officer", "school_head", "county_reviewer", "expert", "sysadmin"])
def test_only_city_and_province_organizers_reach_the_framework_pages(cw: CampaignWorld, who: str) -> None:
    fw = draft(cw.w.city)
    assert cw.client("organizer").get(reverse("campaigns:frameworks")).status_code == 200
    client = cw.client(who)
    for url in (
        reverse("campaigns:frameworks"),
        reverse("campaigns:framework_upload"),
        reverse("campaigns:framework_detail", args=[fw.pk]),
        reverse("campaigns:framework_book", args=[fw.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("campaigns:framework_activate", args=[fw.pk])).status_code == 404
    fw.refresh_from_db()
    assert not fw.is_active


def test_a_county_organizer_is_refused(cw: CampaignWorld) -> None:
    cw.users["county_organizer"] = make_user("county_organizer", cw.w.county_x, Role.ORGANIZER)
    assert cw.client("county_organizer").get(reverse("campaigns:frameworks")).status_code == 404


def test_a_neighbouring_citys_draft_answers_404_and_stays_a_draft(cw: CampaignWorld) -> None:
    fw = draft(cw.other_city)
    client = cw.client("organizer")
    for name in ("framework_detail", "framework_book", "framework_sample_sheet", "framework_diff"):
        assert client.get(reverse(f"campaigns:{name}", args=[fw.pk])).status_code == 404, name
    for name in ("framework_activate", "framework_deactivate", "framework_copy", "framework_sample"):
        assert (
            client.post(reverse(f"campaigns:{name}", args=[fw.pk]), {"key": "x-copy", "edition": "v"}).status_code
            == 404
        )
    fw.refresh_from_db()
    assert not fw.is_active and FrameworkRecord.objects.count() == 3  # webmini, distmini and the draft
    assert fw.title not in client.get(reverse("campaigns:frameworks")).content.decode()


def test_a_provinces_active_framework_reaches_its_cities_but_not_its_drafts(cw: CampaignWorld) -> None:
    province = Unit.objects.create(code="P", name="示例省", kind=Unit.Kind.PROVINCE)
    cw.w.city.parent = province
    cw.w.city.save()  # the city and everything below move under the province
    cw.w.city.refresh_from_db()
    assert cw.w.city.path.startswith(province.path)
    issued = draft(province, seventh(id="prov-2026-school", family="prov"), active=True)
    pending = draft(province, seventh(id="prov-2027-school", family="prov"))
    page = cw.client("organizer").get(reverse("campaigns:frameworks")).content.decode()
    assert "prov-2026-school" in page and "prov-2027-school" not in page
    assert issued.pk in framework_choices(cw) and pending.pk not in framework_choices(cw)


# --- the list -----------------------------------------------------------------------------------


def test_the_list_groups_editions_by_family_with_their_state(cw: CampaignWorld) -> None:
    draft(cw.w.city, active=True, edition="2026版")
    draft(cw.w.city, seventh(id="qiming-2027-school"), edition="2027版")
    page = cw.client("organizer").get(reverse("campaigns:frameworks")).content.decode()
    assert page.count('rowspan="2"') == 1  # the qiming family: two editions in one group
    assert "2026版" in page and "2027版" in page and "已启用" in page and "草稿" in page
    assert "示例市" in page and "平台内置" in page


def test_the_list_reads_a_fixed_number_of_queries_at_one_and_many_frameworks(cw: CampaignWorld) -> None:
    client = cw.client("organizer")
    client.get(reverse("campaigns:frameworks"))
    draft(cw.w.city)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("campaigns:frameworks")).status_code == 200
    for n in range(12):
        draft(cw.w.city, seventh(id=f"qiming-{2030 + n}-school", family=f"f{n % 4}"))
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("campaigns:frameworks"))
    assert page.content.decode().count('id="fw-') == 15
    assert len(many) == len(one), [q["sql"] for q in many]
    assert all("source_yaml" not in q["sql"] for q in many if "campaigns_frameworkrecord" in q["sql"])


# --- preview ------------------------------------------------------------------------------------


def test_the_preview_shows_the_tree_rules_in_words_and_the_ladder(cw: CampaignWorld) -> None:
    fw = draft(cw.w.city)
    page = cw.client("organizer").get(reverse("campaigns:framework_detail", args=[fw.pk])).content.decode()
    assert "草稿（未启用）" in page and "启用</button>" in page
    assert "分档（tiers）：按“出口带宽”分档：1000M（含）以上，得 6 分；500M（含）至 1000M，得 3 分" in page
    assert "是否（yes_no）：“所有教室配备多媒体设备”为是得 4 分，否则不得分" in page
    assert "“年度数字教研活动次数”每项 1 分，最多 5 分" in page
    assert "出口带宽（数字，单位 M，范围 0–）" in page
    assert "示范校" in page and "总分 ≥ 16" in page and "达标校" in page and "总分 ≥ 10" in page


def test_a_seed_frameworks_own_sample_is_scored_in_its_preview(cw: CampaignWorld) -> None:
    """泰州 2022 的样例（frameworks/examples/taizhou-2022-school.sample.yaml）：一所九年一贯制学校。"""
    services.load_framework_records(paths=[preview.FRAMEWORKS_DIR / "taizhou-2022-school.yaml"])
    seed = FrameworkRecord.objects.get(key="taizhou-2022-school")
    result = preview.score_sample(framework_for(seed), preview.seed_sample(framework_for(seed)) or {}, "")
    page = cw.client("organizer").get(reverse("campaigns:framework_detail", args=[seed.pk])).content.decode()
    assert "本框架自带的样例答卷" in page
    assert f'<strong id="sample-total">{fmt(result.result.total)}</strong>' in page  # type: ignore[union-attr]
    assert "平台内置" in page and "启用</button>" not in page  # the seed is the platform's, not activated here


def _filled_sample(client: Any, fw: FrameworkRecord, values: dict[tuple[str, str], Any]) -> io.BytesIO:
    response = client.get(reverse("campaigns:framework_sample_sheet", args=[fw.pk]))
    assert response.status_code == 200
    book_ = load_workbook(io.BytesIO(response.content))
    sheet = book_.active
    for row in sheet.iter_rows(min_row=2):
        key = (str(row[1].value or ""), str(row[3].value or ""))
        if key in values:
            row[6].value = values[key]
    out = io.BytesIO()
    book_.save(out)
    out.seek(0)
    out.name = "样例答卷.xlsx"
    return out


def test_an_uploaded_sample_sheet_is_scored_leaf_by_leaf(cw: CampaignWorld) -> None:
    fw = draft(cw.w.city)
    client = cw.client("organizer")
    filled = _filled_sample(
        client,
        fw,
        {("", "as_of"): "2026-06-30", ("1.1", "bandwidth"): 600, ("1.2", "all_rooms"): "是", ("2.1", "lessons"): 7},
    )
    page = client.post(reverse("campaigns:framework_sample", args=[fw.pk]), {"file": filled}).content.decode()
    assert '<strong id="sample-total">12</strong>' in page and '<strong id="sample-level">达标校</strong>' in page
    assert "出口带宽 600M，在 500M（含）至 1000M 档，得 3 分" in page
    assert "超过上限按 5 分计，得 5 分" in page
    assert "未作答：2.2" in page


def test_a_sample_sheet_with_bad_values_names_the_row_and_scores_nothing(cw: CampaignWorld) -> None:
    fw = draft(cw.w.city)
    client = cw.client("organizer")
    filled = _filled_sample(client, fw, {("1.1", "bandwidth"): "很快", ("1.2", "all_rooms"): "也许"})
    page = client.post(reverse("campaigns:framework_sample", args=[fw.pk]), {"file": filled}).content.decode()
    assert "样例答卷有问题，未能试算" in page and "sample-total" not in page
    assert "1.1" in page and "出口带宽" in page and "所有教室配备多媒体设备应填“是”或“否”，收到「也许」" in page
    junk = io.BytesIO(b"not a workbook")
    junk.name = "x.xlsx"
    page = client.post(reverse("campaigns:framework_sample", args=[fw.pk]), {"file": junk}).content.decode()
    assert "样例答卷有问题" in page or "无法读取" in page


# --- activate, deactivate, and the campaign form ---------------------------------------------------


def test_activating_a_draft_offers_it_in_new_campaign_and_is_audited(cw: CampaignWorld) -> None:
    fw = draft(cw.w.city)
    assert fw.pk not in framework_choices(cw)
    client = cw.client("organizer")
    response = client.post(reverse("campaigns:framework_activate", args=[fw.pk]), {})
    assert response.status_code == 302
    fw.refresh_from_db()
    assert fw.is_active and fw.activated_at is not None
    assert fw.pk in framework_choices(cw)
    assert fw.pk not in framework_choices(cw, "other_organizer")  # the neighbouring city does not see it
    page = client.get(reverse("campaigns:create")).content.decode()
    assert "启明市中小学智慧校园评估指标（2026版）" in page
    entry = AuditEntry.objects.get(action="framework.activate")
    assert entry.object_id == str(fw.pk) and entry.actor == cw.users["organizer"]
    # activating twice is refused with a message, not a 500
    page = client.post(reverse("campaigns:framework_activate", args=[fw.pk]), {}, follow=True).content.decode()
    assert "已启用" in page and AuditEntry.objects.filter(action="framework.activate").count() == 1


def test_activating_refuses_a_get(cw: CampaignWorld) -> None:
    fw = draft(cw.w.city)
    assert cw.client("organizer").get(reverse("campaigns:framework_activate", args=[fw.pk])).status_code == 405
    fw.refresh_from_db()
    assert not fw.is_active


def test_a_seed_framework_is_not_activated_or_stopped_in_the_pages(cw: CampaignWorld) -> None:
    with pytest.raises(services.ValidationError):
        services.deactivate_framework(actor=cw.users["organizer"], framework=cw.w.record)
    cw.w.record.refresh_from_db()
    assert cw.w.record.is_active


# --- editions -----------------------------------------------------------------------------------


def _start(cw: CampaignWorld, campaign: Campaign) -> Any:
    return app_services.start_application(actor=cw.users["school_officer"], campaign=campaign, unit=cw.w.school_a)


def test_a_new_edition_or_reactivation_never_changes_a_running_campaign(cw: CampaignWorld) -> None:
    """The campaign points to the edition it was created with; its snapshot stays the bytes it
    scored on while a newer edition is activated (retiring the old one) and the old one is
    activated again."""
    organizer = cw.users["organizer"]
    old = draft(cw.w.city, active=True, edition="2026版")
    Campaign.objects.filter(pk=cw.w.campaign.pk).update(school_framework=old)
    cw.w.campaign.refresh_from_db()
    application = _start(cw, cw.w.campaign)
    snapshot, sha = old.source_yaml, old.sha256
    newer = services.copy_framework(
        actor=organizer, framework=old, owner=cw.w.city, key="qiming-2027-school", edition="2027版"
    )
    changed = seventh(id="qiming-2027-school")
    changed["indicators"][0]["children"][0]["points"] = 8
    changed["indicators"][0]["points"] = 12
    changed["total"] = 22
    changed["indicators"][0]["children"][0]["rule"]["tiers"][0]["points"] = 8
    text = yaml.safe_dump(changed, allow_unicode=True, sort_keys=False)
    FrameworkRecord.objects.filter(pk=newer.pk).update(
        source_yaml=text, sha256=hashlib.sha256(text.encode()).hexdigest()
    )
    services.activate_framework(actor=organizer, framework=newer, retire_family=True)
    old.refresh_from_db()
    assert not old.is_active
    services.activate_framework(actor=organizer, framework=old)
    cw.w.campaign.refresh_from_db()
    application.refresh_from_db()
    old.refresh_from_db()
    assert cw.w.campaign.school_framework_id == old.pk and application.framework_id == old.pk
    assert old.source_yaml == snapshot and old.sha256 == sha
    assert framework_for(application.framework).total == 20
    page = cw.client("organizer").get(reverse("campaigns:framework_detail", args=[old.pk])).content.decode()
    assert cw.w.campaign.name in page
    # a neighbouring city's campaign on the same edition is not named to this city
    Campaign.objects.filter(pk=cw.other_campaign.pk).update(school_framework=old)
    page = cw.client("organizer").get(reverse("campaigns:framework_detail", args=[old.pk])).content.decode()
    assert cw.w.campaign.name in page and cw.other_campaign.name not in page


def test_copy_as_new_edition_keeps_the_family_the_comments_and_the_form(cw: CampaignWorld) -> None:
    services.load_framework_records(paths=[preview.FRAMEWORKS_DIR / "taizhou-2022-school.yaml"])
    seed = FrameworkRecord.objects.get(key="taizhou-2022-school")
    client = cw.client("organizer")
    url = reverse("campaigns:framework_copy", args=[seed.pk])
    page = client.post(url, {"key": "taizhou-2022-school", "edition": "2025版", "owner": cw.w.city.pk}).content.decode()
    assert "框架编号「taizhou-2022-school」已存在" in page and 'value="2025版"' in page
    response = client.post(url, {"key": "taizhou-2025-school", "edition": "2025版", "owner": cw.w.city.pk})
    copy_ = FrameworkRecord.objects.get(key="taizhou-2025-school")
    assert response.status_code == 302 and response["Location"] == reverse(
        "campaigns:framework_detail", args=[copy_.pk]
    )
    assert copy_.family == "taizhou" and copy_.edition == "2025版" and not copy_.is_active
    assert copy_.owner == cw.w.city and copy_.created_by == cw.users["organizer"]
    assert (
        "# 泰州市中小学智慧校园建设评估细则" in copy_.source_yaml and "\nid: taizhou-2025-school\n" in copy_.source_yaml
    )
    assert framework_for(copy_).total == framework_for(seed).total == 110
    assert copy_.form_yaml == (FORMS_DIR / "taizhou-2022-school.yaml").read_text(
        encoding="utf-8"
    )  # its 申报书 came along
    assert AuditEntry.objects.filter(action="framework.copy", object_id=str(copy_.pk)).exists()


def test_the_difference_between_two_editions(cw: CampaignWorld) -> None:
    old = draft(cw.w.city, active=True, edition="2026版")
    data = seventh(id="qiming-2027-school", total=22)
    first = data["indicators"][0]
    first["points"] = 12
    first["children"][0]["points"] = 8
    first["children"][0]["rule"]["tiers"][0]["points"] = 8
    first["children"][1]["inputs"][0]["label"] = "普通教室全部配备多媒体设备"
    second = data["indicators"][1]
    second["children"] = [second["children"][0], {**second["children"][1], "code": "2.3", "title": "数字家访"}]
    new = draft(cw.w.city, data, edition="2027版")
    page = cw.client("organizer").get(reverse("campaigns:framework_diff", args=[new.pk]), {"other": old.pk})
    text = page.content.decode()
    assert "从 qiming-2026-school（2026版）到 qiming-2027-school（2027版）的变化" in text
    diff = preview.diff_editions(framework_for(old), framework_for(new))
    assert [c for c, *_ in diff.added] == ["2.3"] and [c for c, *_ in diff.removed] == ["2.2"]
    assert [(c, a, b) for c, _, a, b in diff.points] == [("一", 10, 12), ("1.1", 6, 8)]
    assert [c for c, *_ in diff.rules] == ["1.1"] and [c for c, *_ in diff.inputs] == ["1.2"]
    assert ("总分", "20", "22") in diff.settings
    for part in (
        "diff-added",
        "diff-removed",
        "diff-points",
        "diff-rules",
        "diff-inputs",
        "数字家访",
        "1000M（含）以上，得 8 分",
    ):
        assert part in text
    same = preview.diff_editions(framework_for(old), framework_for(old))
    assert same.empty


# --- the 申报书 stored with a framework ---------------------------------------------------------------

FORM = {
    "title": "启明市智慧校园评估申报书",
    "sections": [
        {
            "title": "基本情况",
            "fields": [
                {"key": "contact_name", "label": "联系人", "kind": "text"},
                {"key": "bandwidth_mbps", "label": "出口带宽", "kind": "number", "unit": "M"},
            ],
        }
    ],
}


def test_a_stored_form_is_the_campaigns_form_and_found_by_key(cw: CampaignWorld) -> None:
    fw = draft(cw.w.city, active=True)
    FrameworkRecord.objects.filter(pk=fw.pk).update(form_yaml=yaml.safe_dump(FORM, allow_unicode=True))
    assert services.available_forms("school")["qiming-2026-school"] == "启明市智慧校园评估申报书"
    assert services.default_form("school", "qiming-2026-school") == "qiming-2026-school"
    definition = services.form_definition("qiming-2026-school")
    assert definition.key == "qiming-2026-school" and [f.key for f in definition.fields()] == [
        "contact_name",
        "bandwidth_mbps",
    ]
    assert services.form_definition("school").key == "school"  # the files keep their own
    # the application pages, the county's review, the materials and the printed 申报书 ask the
    # same lookup: an application on that form shows the bureau's own fields
    stored = applications.form_definition(Application(form_key="qiming-2026-school"))
    assert stored.key == "qiming-2026-school" and "bandwidth_mbps" in [f.key for f in stored.fields()]


# --- upload (the workbook) ------------------------------------------------------------------------


def test_uploading_a_workbook_makes_an_inactive_draft_owned_by_the_bureau(cw: CampaignWorld) -> None:
    client = cw.client("organizer")
    response = client.post(
        reverse("campaigns:framework_upload"),
        {"file": book(form=FORM), "owner": cw.w.city.pk, "edition": "2026版", "effective_from": "2026-09-01"},
    )
    fw = FrameworkRecord.objects.get(key="qiming-2026-school")
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:framework_detail", args=[fw.pk])
    assert not fw.is_active and fw.owner == cw.w.city and fw.edition == "2026版" and fw.family == "qiming"
    assert str(fw.effective_from) == "2026-09-01"
    assert framework_for(fw).total == 20 and len(framework_for(fw).leaves()) == 4
    assert "启明市智慧校园评估申报书" in fw.form_yaml
    assert AuditEntry.objects.filter(action="framework.upload", object_id=str(fw.pk)).exists()


def test_a_bad_workbook_lists_every_problem_with_sheet_row_and_column_and_saves_nothing(cw: CampaignWorld) -> None:
    data = seventh()
    data["indicators"][0]["children"][0]["rule"] = {"type": "no_such_rule", "input": "bandwidth"}
    data["indicators"][1]["children"][1]["points"] = "五分"
    before = FrameworkRecord.objects.count()
    page = cw.client("organizer").post(
        reverse("campaigns:framework_upload"), {"file": book(data), "owner": cw.w.city.pk, "edition": "试行版"}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "工作簿有 2 处问题，未保存" in text and 'id="book-problems"' in text
    rows = {row[:3]: row[3] for row in problem_rows(text)}
    assert len(rows) == 2 and "未知的规则类型「no_such_rule」" in rows["规则", "2", "规则类型"]
    assert rows["指标", "7", "分值"] == "“分值”应为数字，收到「五分」"
    assert 'value="试行版"' in text  # what was typed stays
    assert FrameworkRecord.objects.count() == before
    assert not AuditEntry.objects.filter(action="framework.upload").exists()


def test_the_engines_own_findings_come_back_on_the_indicators_row(cw: CampaignWorld) -> None:
    data = seventh()
    data["indicators"][1]["children"][0]["points"] = 9  # 二's children now add up to 14, not 10
    text = (
        cw.client("organizer")
        .post(reverse("campaigns:framework_upload"), {"file": book(data), "owner": cw.w.city.pk})
        .content.decode()
    )
    assert ("指标", "5", "分值", "下级指标合计 14 分，与本指标 10 分不符") in problem_rows(text)
    assert not FrameworkRecord.objects.filter(key="qiming-2026-school").exists()


def test_an_upload_whose_key_exists_is_refused_in_the_settings_sheet(cw: CampaignWorld) -> None:
    draft(cw.w.city)
    text = (
        cw.client("organizer")
        .post(reverse("campaigns:framework_upload"), {"file": book(), "owner": cw.w.city.pk})
        .content.decode()
    )
    assert "设置" in text and "框架编号「qiming-2026-school」已存在" in text
    assert FrameworkRecord.objects.filter(key="qiming-2026-school").count() == 1


def test_a_file_that_is_no_workbook_is_a_message_not_a_500(cw: CampaignWorld) -> None:
    junk = io.BytesIO(b"PK\x03\x04 not really a zip")
    junk.name = "坏文件.xlsx"
    page = cw.client("organizer").post(reverse("campaigns:framework_upload"), {"file": junk, "owner": cw.w.city.pk})
    assert page.status_code == 200 and FrameworkRecord.objects.count() == 2
    text = page.content.decode()
    assert "未保存" in text or "无法读取" in text or "文件" in text


def test_any_framework_downloads_as_a_workbook_that_uploads_again_as_a_new_edition(cw: CampaignWorld) -> None:
    """A bureau starts from an existing framework: download it, change the key and a figure, and
    upload it as the next edition of the same family."""
    old = draft(cw.w.city, active=True, edition="2026版")
    client = cw.client("organizer")
    response = client.get(reverse("campaigns:framework_book", args=[old.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    read = read_framework_book(io.BytesIO(response.content))
    assert read.problems == [] and read.data is not None and read.data["id"] == "qiming-2026-school"
    data = {k: v for k, v in dict(read.data).items() if k not in services.RECORD_SETTINGS}
    data["id"] = "qiming-2027-school"
    upload = client.post(
        reverse("campaigns:framework_upload"),
        {"file": book(data), "owner": cw.w.city.pk, "edition": "2027版", "edition_of": old.pk},
    )
    assert upload.status_code == 302
    new = FrameworkRecord.objects.get(key="qiming-2027-school")
    assert new.family == old.family == "qiming" and new.edition == "2027版"
    assert preview.diff_editions(framework_for(old), framework_for(new)).empty


def test_an_edition_of_another_family_is_refused(cw: CampaignWorld) -> None:
    old = draft(cw.w.city, active=True)
    page = cw.client("organizer").post(
        reverse("campaigns:framework_upload"),
        {"file": book(seventh(id="other-2027-school", family="other")), "owner": cw.w.city.pk, "edition_of": old.pk},
    )
    assert "新版本应属同一系列" in page.content.decode()
    assert not FrameworkRecord.objects.filter(key="other-2027-school").exists()


def test_the_imports_page_points_to_the_workbook_upload(cw: CampaignWorld) -> None:
    page = cw.client("organizer").get(reverse("reports:imports")).content.decode()
    assert reverse("campaigns:framework_upload") in page and "上传指标框架工作簿" in page
    assert 'name="level_names"' not in page  # the old indicator-table form is gone from the page


def test_the_campaign_pages_name_the_edition_it_is_pinned_to(cw: CampaignWorld) -> None:
    pinned = draft(cw.w.city, active=True, edition="2026版")
    Campaign.objects.filter(pk=cw.w.campaign.pk).update(school_framework=pinned)
    client = cw.client("organizer")
    detail = client.get(reverse("campaigns:detail", args=[cw.w.campaign.pk])).content.decode()
    assert '<span class="badge text-bg-light" id="school-edition">2026版</span>' in detail
    assert "启明市中小学智慧校园评估指标（2026版）（2026版）" in client.get(reverse("campaigns:list")).content.decode()


def test_a_bureau_starts_from_a_seed_download_and_uploads_it_with_its_form_as_its_own_edition(
    cw: CampaignWorld,
) -> None:
    """泰州 2022 downloaded whole (framework and 申报书), its key changed, uploaded as 2026版 of
    the taizhou family: the same indicators, and its 申报书 becomes the campaign's form."""
    services.load_framework_records(paths=[preview.FRAMEWORKS_DIR / "taizhou-2022-school.yaml"])
    seed = FrameworkRecord.objects.get(key="taizhou-2022-school")
    client = cw.client("organizer")
    response = client.get(reverse("campaigns:framework_book", args=[seed.pk]))
    read = read_framework_book(io.BytesIO(response.content))
    assert read.data is not None and read.form is not None
    data = {**read.data, "id": "taizhou-2026-school"}
    upload = client.post(
        reverse("campaigns:framework_upload"),
        {"file": book(data, read.form), "owner": cw.w.city.pk, "edition": "2026版", "edition_of": seed.pk},
    )
    assert upload.status_code == 302, upload.content.decode()[-3000:]
    mine = FrameworkRecord.objects.get(key="taizhou-2026-school")
    assert mine.family == "taizhou" and mine.edition == "2026版" and mine.owner == cw.w.city
    assert preview.diff_editions(framework_for(seed), framework_for(mine)).empty
    client.post(reverse("campaigns:framework_activate", args=[mine.pk]), {})
    seed_form = services.form_definition("taizhou-2022-school")
    stored = services.form_definition("taizhou-2026-school")
    assert stored.key == "taizhou-2026-school" and stored.title == seed_form.title
    assert [f.key for f in stored.fields()] == [f.key for f in seed_form.fields()]
    assert services.default_form("school", "taizhou-2026-school") == "taizhou-2026-school"


def test_an_indicator_table_import_is_a_draft_of_the_importers_bureau(cw: CampaignWorld) -> None:
    report, _ = imports.import_framework_table(
        actor=cw.users["organizer"],
        file=sheet(imports.FRAMEWORK_COLUMNS, *FRAMEWORK_ROWS),
        key="city-2025-school",
        title="示例市智慧校园评估",
        subject="school",
        level_names=["一级指标", "二级指标"],
    )
    assert report.ok
    table = FrameworkRecord.objects.get(key="city-2025-school")
    assert table.owner == cw.w.city and not table.is_active
    cw.client("organizer").post(reverse("campaigns:framework_activate", args=[table.pk]), {})
    table.refresh_from_db()
    assert table.is_active


def test_a_draft_nothing_used_takes_a_corrected_workbook_under_its_key(cw: CampaignWorld) -> None:
    client = cw.client("organizer")
    url = reverse("campaigns:framework_upload")
    client.post(url, {"file": book(), "owner": cw.w.city.pk, "edition": "征求意见稿"})
    first = FrameworkRecord.objects.get(key="qiming-2026-school")
    corrected = seventh(title="启明市中小学智慧校园评估指标（2026版·修订）")
    response = client.post(
        url, {"file": book(corrected), "owner": cw.w.city.pk, "edition": "2026版", "replace_draft": "on"}
    )
    assert response.status_code == 302
    again = FrameworkRecord.objects.get(key="qiming-2026-school")
    assert again.pk == first.pk and again.title.endswith("修订）") and again.edition == "2026版"
    assert AuditEntry.objects.filter(action="framework.replace", object_id=str(first.pk)).exists()
    # once a campaign chose it (or it was activated), the same key is refused and nothing changes
    services.activate_framework(actor=cw.users["organizer"], framework=again)
    page = client.post(url, {"file": book(), "owner": cw.w.city.pk, "replace_draft": "on"}).content.decode()
    assert "已启用或已被使用，不能替换" in page
    again.refresh_from_db()
    assert again.title.endswith("修订）")


@pytest.mark.parametrize("path", framework_paths(), ids=lambda p: p.stem)
def test_every_seed_framework_previews_with_its_sample_and_downloads(cw: CampaignWorld, path: Any) -> None:
    """Each of the six seed frameworks: the preview names every leaf's rule, scores the seed's
    own sample as the engine does, and the workbook download reads back without a problem."""
    services.load_framework_records(paths=[path])
    seed = FrameworkRecord.objects.get(key=path.stem)
    fw = framework_for(seed)
    client = cw.client("organizer")
    page = client.get(reverse("campaigns:framework_detail", args=[seed.pk])).content.decode()
    rows = preview.tree_rows(fw)
    assert all(row.rule for row in rows if row.is_leaf)
    assert page.count("<tr") >= len(rows)
    sample = preview.seed_sample(fw)
    if sample is not None:
        expected = preview.score_sample(fw, sample, "").result
        assert expected is not None
        assert f'<strong id="sample-total">{fmt(expected.total)}</strong>' in page
    read = read_framework_book(io.BytesIO(client.get(reverse("campaigns:framework_book", args=[seed.pk])).content))
    assert [p for p in read.problems if p.severity == "error"] == []


def test_the_common_rule_types_read_as_sentences_in_the_preview() -> None:
    """Bozhou school 1.2 (目标扣分), 2.2 (逐项), 6.3 (按级别) and Sichuan district C1 (场景计数)."""

    def rules(name: str) -> dict[str, str]:
        return {r.code: r.rule for r in preview.tree_rows(load_framework_file(FRAMEWORKS / f"{name}.yaml"))}

    bozhou = rules("bozhou-2024-school")
    assert bozhou["1.2"].startswith("目标扣分（target_deduction）：“三年级以上智慧课堂班级覆盖率”达到 36% 得 7 分，")
    assert "每少 1个百分点 扣 0.2 分" in bozhou["1.2"]
    assert bozhou["2.2"].startswith("逐项计分（checklist）：逐项达到得分：")
    assert "“学校有稳定的运维费用投入” 2 分" in bozhou["2.2"]
    assert "国家级 3 分" in bozhou["6.3"] and "（限近五年，同一项只计一次，最多 4 分）" in bozhou["6.3"]
    sichuan = rules("sichuan-2023-district")
    assert "达到 5 个得 1 分，每多 1 个加 0.25 分，最多 2 分" in sichuan["C1"]


def test_an_edition_is_chosen_only_for_a_reference_date_within_its_effective_dates(cw: CampaignWorld) -> None:
    edition = draft(cw.w.city, active=True, edition="2026版")
    FrameworkRecord.objects.filter(pk=edition.pk).update(
        effective_from=dt.date(2026, 9, 1), effective_until=dt.date(2028, 8, 31)
    )
    edition.refresh_from_db()
    early = campaign_data(cw, school_framework=edition, as_of=dt.date(2026, 6, 30))
    with pytest.raises(services.ValidationError) as refused:
        services.create_campaign(actor=cw.users["organizer"], data=early)
    assert refused.value.message_dict["school_framework"] == [
        "“启明市中小学智慧校园评估指标（2026版）（2026版）”自 2026-09-01 起生效，评估基准日 2026-06-30 早于生效日期"
    ]
    late = campaign_data(cw, school_framework=edition, as_of=dt.date(2028, 9, 1))
    with pytest.raises(services.ValidationError) as refused:
        services.create_campaign(actor=cw.users["organizer"], data=late)
    assert "已于 2028-08-31 失效" in refused.value.message_dict["school_framework"][0]
    inside = campaign_data(cw, school_framework=edition, as_of=dt.date(2027, 6, 30), school_form="")
    campaign = services.create_campaign(actor=cw.users["organizer"], data=inside)
    assert campaign.school_framework == edition


def test_who_authors_whose_frameworks(cw: CampaignWorld) -> None:
    """access.rules.may_author_frameworks: city and provincial organizers, each over the
    frameworks owned at or below their unit."""
    province = Unit.objects.create(code="P", name="示例省", kind=Unit.Kind.PROVINCE)
    cw.w.city.parent = province
    cw.w.city.save()
    cw.w.city.refresh_from_db()
    head = make_user("province_organizer", province, Role.ORGANIZER)
    county = make_user("county_organizer", cw.w.county_x, Role.ORGANIZER)
    city = cw.users["organizer"]
    assert may_author_frameworks(city) and may_author_frameworks(head) and not may_author_frameworks(county)
    assert may_author_frameworks(head, cw.w.city) and may_author_frameworks(city, cw.w.city)
    assert not may_author_frameworks(city, province) and not may_author_frameworks(city, cw.other_city)
    for who in ("school_officer", "county_reviewer", "expert", "sysadmin"):
        assert not may_author_frameworks(cw.users[who], cw.w.city), who
    assert not may_author_frameworks(AnonymousUser())
