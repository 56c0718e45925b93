"""Excel import of units: a clean sheet creates and updates units; any bad row refuses the whole
sheet, listing every row with its reason; nothing outside the importer's region is touched."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from campuseval.audit.models import AuditEntry
from campuseval.orgs.models import Unit
from campuseval.units.services import UNIT_COLUMNS, import_units

from .conftest import CampaignWorld, sheet

GOOD = [
    ("W-Z", "丁区", "W-C", "区县", "", "", "示例市丁区教育局", "", "", ""),
    ("W-Z1", "丁区实验小学", "W-Z", "学校", "小学", "城镇", "丁区人民路 1 号", 1200, 80, "30"),
    ("W-Z2", "丁区柳镇中学", "W-Z", "学校", "九年一贯制", "农村", "", "1,050", "", 20),
    ("W-A", "甲县实验小学（更名）", "W-X", "学校", "小学", "乡村", "", 950, 61, 25),
]


def test_clean_sheet_creates_parents_first_and_updates(cw: CampaignWorld) -> None:
    report = import_units(actor=cw.users["organizer"], file=sheet(GOOD), ip="10.0.0.9")
    assert report.ok and (report.created, report.updated) == (3, 1)
    county = Unit.objects.get(code="W-Z")
    assert county.kind == "county" and county.parent == cw.w.city
    school = Unit.objects.get(code="W-Z2")
    assert (school.parent, school.stage, school.area, school.students, school.staff) == (
        county,
        "nine_year",
        "rural",
        1050,
        None,
    )
    updated = Unit.objects.get(code="W-A")
    assert updated.name == "甲县实验小学（更名）" and updated.area == "rural" and updated.students == 950
    entry = AuditEntry.objects.get(action="import.units")
    assert entry.ip == "10.0.0.9" and "新建 3，更新 1" in entry.summary


def test_bad_rows_listed_and_nothing_imported(cw: CampaignWorld) -> None:
    rows = [
        *GOOD[:2],
        ("W-Z1", "重复", "W-Z", "学校", "小学", "城镇", "", "", "", ""),
        ("W-Q1", "无上级", "W-NONE", "学校", "小学", "城镇", "", "", "", ""),
        ("W-Q2", "学段不明", "W-X", "学校", "幼儿园", "城镇", "", "", "", ""),
        ("W-Q3", "缺城乡", "W-X", "学校", "初中", "", "", "", "", ""),
        ("W-Q4", "负数学校", "W-X", "学校", "初中", "城镇", "", -5, "", ""),
        ("Z-A", "邻市学校", "W-X", "学校", "初中", "城镇", "", "", "", ""),
        ("W-Q5", "挂到邻市", "Z-X", "学校", "初中", "城镇", "", "", "", ""),
        ("W-Q6", "县挂县", "W-X", "区县", "", "", "", "", "", ""),
        ("W-Q7", "", "W-X", "学校", "初中", "城镇", "", "", "", ""),
        ("W-Q8", "省", "W-C", "省", "", "", "", "", "", ""),
        ("W-Q9", "成环甲", "W-Q10", "区县", "", "", "", "", "", ""),
        ("W-Q10", "成环乙", "W-Q9", "区县", "", "", "", "", "", ""),
    ]
    before = Unit.objects.count()
    report = import_units(actor=cw.users["organizer"], file=sheet(rows))
    reasons = dict(report.refused)
    assert reasons[4] == "单位代码「W-Z1」与第 3 行重复"
    assert reasons[5].startswith("上级单位代码「W-NONE」不存在")
    assert reasons[6].startswith("学段「幼儿园」未知")
    assert reasons[7] == "学校须填写城乡（城镇或乡村）"
    assert reasons[8] == "“在校学生数”应为不小于 0 的整数，收到「-5」"
    assert reasons[9] == "单位代码「Z-A」已被您管理范围以外的单位使用"
    assert reasons[10] == "上级单位「邻市丙县」不在您的管理范围内"
    assert reasons[11] == "区县的上级不能是区县"
    assert reasons[12] == "名称未填写"
    assert reasons[13] == "不能导入省级单位：只有系统管理员（超级用户）可以创建省"
    assert reasons[14].startswith("上级单位关系成环") and reasons[15].startswith("上级单位关系成环")
    assert 2 not in reasons and 3 not in reasons
    assert Unit.objects.count() == before and not Unit.objects.filter(code="W-Z").exists()
    assert Unit.objects.get(code="Z-A").name == "丙县第二中学"
    assert not AuditEntry.objects.filter(action="import.units").exists()


def test_header_and_file_problems(cw: CampaignWorld) -> None:
    report = import_units(actor=cw.users["organizer"], file=sheet([], header=["单位代码", "名称"]))
    assert report.refused[0][1].startswith("表头缺少列：上级单位代码")
    report = import_units(actor=cw.users["organizer"], file=io.BytesIO(b"not a workbook"))
    assert report.refused == [(0, "无法读取该文件，请上传 Excel（.xlsx）文件")]


@pytest.mark.parametrize("who", ["school_head", "county_reviewer", "expert"])
def test_only_managers_import(cw: CampaignWorld, who: str) -> None:
    with pytest.raises(PermissionDenied):
        import_units(actor=cw.users[who], file=sheet(GOOD))
    assert not Unit.objects.filter(code="W-Z").exists()


def test_import_page_lists_refused_rows(cw: CampaignWorld) -> None:
    """The units page's upload goes to the imports page as kind 单位 (a short sheet imported at
    once, a long one in the background); the units page itself imports nothing."""
    c = cw.client("organizer")
    form = c.get(reverse("units:import")).content.decode()
    assert f'action="{reverse("reports:imports")}"' in form and 'name="kind" value="units"' in form
    assert c.post(reverse("units:import"), {"file": sheet(GOOD)}).status_code == 405
    assert not Unit.objects.filter(code="W-Z").exists()
    rows = [GOOD[0], ("W-Q7", "", "W-X", "学校", "初中", "城镇", "", "", "", "")]
    page = c.post(reverse("reports:imports"), {"kind": "units", "file": sheet(rows)}).content.decode()
    assert "未导入" in page and "名称未填写" in page
    assert not Unit.objects.filter(code="W-Z").exists()
    page = c.post(reverse("reports:imports"), {"kind": "units", "file": sheet(GOOD)}).content.decode()
    assert "导入完成：新建 3，更新 1。" in page
    assert Unit.objects.filter(code="W-Z").exists()
    page = c.post(reverse("reports:imports"), {"kind": "units"}).content.decode()
    assert "请选择要上传的 Excel 文件" in page


def test_template_download_has_the_columns(cw: CampaignWorld) -> None:
    response = cw.client("sysadmin").get(reverse("units:import_template"))
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in ws[1]] == list(UNIT_COLUMNS)
    assert ws.max_row == 3
