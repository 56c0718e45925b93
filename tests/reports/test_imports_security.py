"""Imports stay in the importer's scope, are audited row by row, refuse hostile sheets with row
messages (never a server error) and run in the background when long.

Two cities: the importer organizes 甲市; 乙市 has its own organizer, teacher and expert. The
superuser and a staff account exist beside them."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from campuseval.accounts.models import Membership, Role, User
from campuseval.audit.models import AuditEntry
from campuseval.audit.services import record
from campuseval.campaigns.models import FrameworkRecord
from campuseval.reports import imports
from campuseval.reports.import_cleanup import cleanup_imports
from campuseval.reports.import_tasks import run_import
from campuseval.reports.models import ImportJob
from campuseval.reviews.models import Expert
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    city = f.UnitFactory.city(code="A", name="甲市")
    county = f.UnitFactory.county(city, code="A1", name="甲市一区")
    school = f.UnitFactory.school(county, code="A1S", name="甲市一区实验小学")
    other = f.UnitFactory.city(code="B", name="乙市")
    other_county = f.UnitFactory.county(other, code="B1", name="乙市一区")
    other_school = f.UnitFactory.school(other_county, code="B1S", name="乙市一区中学")
    admin = f.UserFactory(username="demo-admin", display_name="管理员", email="admin@example.cn", phone="13900000000")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    staff = f.person("staff-a", school, Role.APPLICANT, display_name="后台人员")
    staff.is_staff = True
    staff.save()
    return {
        "city": city,
        "county": county,
        "school": school,
        "other": other,
        "other_school": other_school,
        "admin": admin,
        "staff": staff,
        "organizer": f.person("org-a", city, Role.ORGANIZER, display_name="甲市组织者"),
        "other_organizer": f.person("org-b", other, Role.ORGANIZER, display_name="乙市组织者"),
        "teacher": f.person("teacher-a", school, Role.APPLICANT, display_name="甲老师", phone="13800000001"),
        "other_teacher": f.person("teacher-b", other_school, Role.APPLICANT, display_name="乙老师"),
        "other_expert": f.ExpertFactory(user__username="expert-b", user__display_name="乙专家", unit=other),
    }


def sheet(header: tuple[str, ...], *rows: tuple[object, ...]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def accounts(*rows: tuple[object, ...]) -> io.BytesIO:
    return sheet(imports.ACCOUNT_COLUMNS, *rows)


def experts(*rows: tuple[object, ...]) -> io.BytesIO:
    return sheet(imports.EXPERT_COLUMNS, *rows)


def state() -> list[Any]:
    """Everything an import may write."""
    return [
        list(User.objects.order_by("pk").values_list("username", "display_name", "phone", "email", "password")),
        list(Membership.objects.order_by("pk").values_list("user_id", "unit_id", "role")),
        list(Expert.objects.order_by("pk").values_list("user_id", "unit_id", "region_id", "title", "fields")),
        FrameworkRecord.objects.count(),
    ]


def with_sheet_xml(buffer: io.BytesIO, sheet_data: str | bytes, dimension: bool = False) -> io.BytesIO:
    """The workbook with its first sheet's <sheetData> replaced (no <dimension> unless asked)."""
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (
                    b'<?xml version="1.0" encoding="UTF-8"?>'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    + (b'<dimension ref="A1:F3000000"/>' if dimension else b"")
                    + b"<sheetData>"
                    + (sheet_data.encode() if isinstance(sheet_data, str) else sheet_data)
                    + b"</sheetData></worksheet>"
                )
            target.writestr(info.filename, data)
    out.seek(0)
    return out


def header_xml(columns: tuple[str, ...]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in columns)
    return f'<row r="1">{cells}</row>'


def organizer_client(world: dict[str, Any]) -> Client:
    c = Client()
    c.force_login(world["organizer"])
    return c


# --- item 1: every row in scope -----------------------------------------------------------------


def test_the_superuser_is_never_touched_by_an_import(world: dict[str, Any]) -> None:
    """The issue's row: an organizer renamed the superuser and gave it a school role."""
    before = state()
    report = imports.import_accounts(
        actor=world["organizer"],
        file=accounts(("demo-admin", "被改名的管理员", "13800000009", "evil@example.cn", "A1S", "学校填报员")),
    )
    assert report.refused == [(2, "账号「demo-admin」是系统管理账号（超级用户或后台人员），导入不能修改")]
    assert state() == before
    admin = User.objects.get(username="demo-admin")
    assert (admin.display_name, admin.email, admin.phone) == ("管理员", "admin@example.cn", "13900000000")
    assert not Membership.objects.filter(user=admin).exists()


def test_a_staff_account_inside_the_region_is_not_touched_either(world: dict[str, Any]) -> None:
    before = state()
    report = imports.import_accounts(
        actor=world["organizer"], file=accounts(("staff-a", "改名", "", "", "A1S", "学校负责人"))
    )
    assert report.refused[0][0] == 2 and "staff-a" in report.refused[0][1] and "系统管理账号" in report.refused[0][1]
    assert state() == before


def test_another_citys_organizer_gets_no_rights_here(world: dict[str, Any]) -> None:
    before = state()
    report = imports.import_accounts(
        actor=world["organizer"],
        file=accounts(
            ("teacher-a", "甲老师", "", "", "A1S", "学校填报员"),
            ("org-b", "乙市组织者", "", "", "A1S", "学校负责人"),
        ),
    )
    assert report.refused == [(3, "账号「org-b」已存在，且属于您管理范围以外的单位（或不属于任何单位），导入不能修改")]
    assert state() == before
    assert set(Membership.objects.filter(user=world["other_organizer"]).values_list("unit__code", "role")) == {
        ("B", Role.ORGANIZER)
    }


def test_a_role_at_a_unit_outside_the_region_is_refused(world: dict[str, Any]) -> None:
    before = state()
    report = imports.import_accounts(
        actor=world["organizer"], file=accounts(("new-x", "新人", "", "", "B1S", "学校填报员"))
    )
    assert report.refused == [(2, "单位「乙市一区中学」不在您的管理范围内")]
    assert state() == before


def test_an_account_in_the_region_is_updated_and_audited_before_and_after(world: dict[str, Any]) -> None:
    report = imports.import_accounts(
        actor=world["organizer"],
        file=accounts(("teacher-a", "甲老师（改）", "", "t@example.cn", "A1S", "学校填报员、学校负责人")),
        ip="10.0.0.5",
    )
    assert report.ok and (report.created, report.updated) == (0, 1)
    teacher = User.objects.get(username="teacher-a")
    assert (teacher.display_name, teacher.phone, teacher.email) == ("甲老师（改）", "13800000001", "t@example.cn")
    update = AuditEntry.objects.get(action="import.account.update")
    assert update.object_id == str(teacher.pk) and update.unit_id == world["school"].pk and update.ip == "10.0.0.5"
    assert update.before == {"display_name": "甲老师", "email": "teacher-a@example.cn"}
    assert update.after == {"display_name": "甲老师（改）", "email": "t@example.cn"}
    grant = AuditEntry.objects.get(action="import.membership.create")
    assert grant.after == {"username": "teacher-a", "unit": "A1S", "role": Role.HEAD}
    assert AuditEntry.objects.filter(action="import.accounts", summary="导入账号：新建 0，更新 1").count() == 1


@pytest.mark.parametrize(
    "roles", ["学校填报员、学校负责人", "学校填报员，学校负责人", "学校填报员; 学校负责人", "学校填报员/学校负责人"]
)
def test_one_row_gives_several_roles(world: dict[str, Any], roles: str) -> None:
    report = imports.import_accounts(
        actor=world["organizer"], file=accounts(("head-a", "王校长", "", "", "A1S", roles))
    )
    assert report.ok and report.created == 1
    user = User.objects.get(username="head-a")
    assert set(Membership.objects.filter(user=user).values_list("unit__code", "role")) == {
        ("A1S", Role.APPLICANT),
        ("A1S", Role.HEAD),
    }
    assert AuditEntry.objects.filter(action="import.membership.create", unit_id=world["school"].pk).count() == 2
    created = AuditEntry.objects.get(action="import.account.create")
    assert created.after["username"] == "head-a" and "password" not in str(created.after)


def test_the_organizer_role_whose_label_holds_a_slash_is_imported(world: dict[str, Any]) -> None:
    """“市/省组织者” is one role, not “市” and “省组织者”; beside another role it is still one."""
    report = imports.import_accounts(
        actor=world["admin"], file=accounts(("org-c", "丙组织者", "", "", "A", "市/省组织者、评审专家"))
    )
    assert report.ok, report.refused
    assert set(Membership.objects.filter(user__username="org-c").values_list("role", flat=True)) == {
        Role.ORGANIZER,
        Role.EXPERT,
    }


def test_an_unknown_role_among_several_is_refused(world: dict[str, Any]) -> None:
    before = state()
    report = imports.import_accounts(
        actor=world["organizer"], file=accounts(("head-a", "王校长", "", "", "A1S", "学校填报员、校长"))
    )
    assert report.refused[0][0] == 2 and "角色「校长」未知" in report.refused[0][1]
    assert state() == before


def test_another_citys_expert_is_not_moved_into_this_pool(world: dict[str, Any]) -> None:
    before = state()
    report = imports.import_experts(
        actor=world["organizer"], file=experts(("expert-b", "乙专家", "", "", "A", "A1", "教授", "课堂"))
    )
    assert report.refused == [(2, "专家「expert-b」已在乙市的专家库中，不能移入本库")]
    assert state() == before
    assert Expert.objects.get(user__username="expert-b").unit == world["other"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("new-e", "新专家", "", "", "B", "", "", ""), "工作单位「乙市」不在您的管理范围内"),
        (("new-e", "新专家", "", "", "A", "B1", "", ""), "所在区县「乙市一区」不在您的管理范围内"),
        (("teacher-b", "乙老师", "", "", "A", "", "", ""), "账号「teacher-b」已存在，且属于您管理范围以外的单位"),
        (("demo-admin", "管理员", "", "", "A", "", "", ""), "账号「demo-admin」是系统管理账号"),
    ],
)
def test_expert_rows_outside_the_region_are_refused(world: dict[str, Any], row: tuple, reason: str) -> None:
    before = state()
    report = imports.import_experts(actor=world["organizer"], file=experts(row))
    assert report.refused[0][0] == 2 and reason in report.refused[0][1]
    assert state() == before


def test_experts_created_and_updated_are_audited(world: dict[str, Any]) -> None:
    imports.import_experts(
        actor=world["organizer"], file=experts(("expert-a", "甲专家", "", "", "A", "A1", "高级教师", "智慧课堂"))
    )
    expert = Expert.objects.get(user__username="expert-a")
    created = AuditEntry.objects.get(action="import.expert.create")
    assert created.object_id == str(expert.pk) and created.after["unit"] == "A" and created.after["region"] == "A1"
    imports.import_experts(
        actor=world["organizer"], file=experts(("expert-a", "甲专家", "", "", "A1", "A1", "正高级教师", "智慧课堂"))
    )
    updated = AuditEntry.objects.get(action="import.expert.update")
    assert updated.before == {"unit": "A", "title": "高级教师"} and updated.after == {
        "unit": "A1",
        "title": "正高级教师",
    }


def test_the_system_administrator_may_import_anywhere_but_never_over_the_superuser(world: dict[str, Any]) -> None:
    report = imports.import_accounts(
        actor=world["admin"],
        file=accounts(
            ("teacher-b", "乙老师", "", "", "B1S", "学校负责人"), ("new-c", "丙", "", "", "A1S", "学校填报员")
        ),
    )
    assert report.ok and (report.created, report.updated) == (1, 1)
    report = imports.import_accounts(
        actor=world["admin"], file=accounts(("demo-admin", "改名", "", "", "A1S", "学校填报员"))
    )
    assert not report.ok and User.objects.get(username="demo-admin").display_name == "管理员"


# --- item 3: hostile sheets ---------------------------------------------------------------------


def test_a_name_longer_than_the_field_is_a_row_message(world: dict[str, Any]) -> None:
    before = state()
    response = organizer_client(world).post(
        reverse("reports:imports"),
        {"kind": "accounts", "file": accounts(("long-name", "王" * 61, "", "", "A1S", "学校填报员"))},
    )
    assert response.status_code == 200
    assert "姓名超过 60 个字（61 个）" in response.content.decode()
    assert state() == before


FRAMEWORK_TOP = ("一", "", "基础环境", 10, "", "", "", "")


@pytest.mark.parametrize(
    ("points", "reason"),
    [
        ("Infinity", "分值「Infinity」不是有限的数字"),
        ("NaN", "分值「NaN」不是有限的数字"),
        (float("inf"), "分值「」不是数字"),  # openpyxl writes an infinite number as an empty cell
        (1e30, "超过 1000 分"),
        ("1e30", "超过 1000 分"),
        ("0.001", "最多两位小数"),
    ],
)
def test_points_that_are_not_sane_numbers_are_row_messages(world: dict[str, Any], points: object, reason: str) -> None:
    response = organizer_client(world).post(
        reverse("reports:imports"),
        {
            "kind": "framework",
            "key": "hostile-points",
            "title": "t",
            "subject": "school",
            "level_names": "一级指标",
            "file": sheet(imports.FRAMEWORK_COLUMNS, (FRAMEWORK_TOP[0], "", "基础环境", points, "", "", "", "")),
        },
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not FrameworkRecord.objects.filter(key="hostile-points").exists()


def test_rows_shorter_than_the_header_are_read_with_empty_cells(world: dict[str, Any]) -> None:
    before = state()
    response = organizer_client(world).post(
        reverse("reports:imports"), {"kind": "accounts", "file": accounts(("short-row", "王"))}
    )
    assert response.status_code == 200
    assert "角色未填写" in response.content.decode()
    assert state() == before


def test_rows_longer_than_the_header_are_refused(world: dict[str, Any]) -> None:
    before = state()
    report = imports.import_accounts(
        actor=world["organizer"], file=accounts(("long-row", "王", "", "", "A1S", "学校填报员", "", "多出来的"))
    )
    assert report.refused == [(2, "第 8 列在表头以外还有内容，请核对是否错列")]
    assert state() == before


def test_formulas_are_refused_not_read_as_their_cached_value(world: dict[str, Any]) -> None:
    before = state()
    report = imports.import_accounts(
        actor=world["organizer"],
        file=accounts(("formula", '=HYPERLINK("http://evil.example","点我")', "", "", "A1S", "学校填报员")),
    )
    assert report.refused[0][0] == 2 and "“姓名”是公式" in report.refused[0][1]
    assert state() == before


def test_a_nul_byte_in_a_cell_is_refused(world: dict[str, Any]) -> None:
    """openpyxl will not write a NUL; the sheet's XML is written by hand (&#0; and a raw byte)."""
    before = state()
    for cell in (b"a&#0;b", b"a\x00b"):
        data = header_xml(imports.ACCOUNT_COLUMNS).encode() + (
            b'<row r="2"><c t="inlineStr"><is><t>nul-user</t></is></c><c t="inlineStr"><is><t>'
            + cell
            + b'</t></is></c><c/><c/><c t="inlineStr"><is><t>A1S</t></is></c></row>'
        )
        response = organizer_client(world).post(
            reverse("reports:imports"), {"kind": "accounts", "file": with_sheet_xml(accounts(), data)}
        )
        assert response.status_code == 200
        text = response.content.decode()
        assert "未导入" in text and any(m in text for m in ("控制字符", "文件内容已损坏", "无法读取该文件"))
    assert state() == before


def test_a_nul_byte_in_a_form_field_names_the_field(world: dict[str, Any]) -> None:
    response = organizer_client(world).post(
        reverse("reports:imports"),
        {
            "kind": "framework",
            "key": "ok-key",
            "title": "a\x00b",
            "file": sheet(imports.FRAMEWORK_COLUMNS, FRAMEWORK_TOP),
        },
    )
    assert response.status_code == 200 and "名称：" in response.content.decode()
    assert not FrameworkRecord.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_parsing(world: dict[str, Any], settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_MB = 1
    big = io.BytesIO(b"PK" + b"x" * (1024 * 1024 + 10))
    big.name = "big.xlsx"
    response = organizer_client(world).post(reverse("reports:imports"), {"kind": "accounts", "file": big})
    assert response.status_code == 200
    assert "文件大小 1.0 MB，超过上限 1.0 MB" in response.content.decode()


def test_a_zip_bomb_of_blank_rows_is_refused_at_once_without_loading_it(world: dict[str, Any]) -> None:
    """Like the issue's workbook: a small file holding three million blank rows (about 90 MB of
    XML). Refused from the zip directory alone, in well under a second."""
    rows = '<row spans="1:6" ht="15"/>' * 3_000_000  # a row without r= is the next row
    bomb = with_sheet_xml(accounts(), header_xml(imports.ACCOUNT_COLUMNS) + rows)
    assert bomb.getbuffer().nbytes < 5 * 1024 * 1024  # passes the upload size check
    started = time.perf_counter()
    report = imports.import_accounts(actor=world["organizer"], file=bomb)
    elapsed = time.perf_counter() - started
    assert report.refused[0][0] == 0 and "解压后" in report.refused[0][1] and "超过上限 50.0 MB" in report.refused[0][1]
    assert elapsed < 0.5


@pytest.mark.parametrize("dimension", [False, True])
def test_rows_beyond_the_limit_stop_the_reading(world: dict[str, Any], settings, dimension: bool) -> None:  # type: ignore[no-untyped-def]
    """One cell at row 3,000,000 makes openpyxl yield three million empty rows; the reader
    counts them and stops at the limit, with or without a dimension record."""
    settings.IMPORT_MAX_ROWS = 1000
    data = header_xml(imports.ACCOUNT_COLUMNS) + '<row r="3000000"><c t="inlineStr"><is><t>x</t></is></c></row>'
    started = time.perf_counter()
    report = imports.import_accounts(actor=world["organizer"], file=with_sheet_xml(accounts(), data, dimension))
    assert report.refused == [(0, "表格超过 1000 行（空行也计入），请删除多余的行或分批导入")]
    assert time.perf_counter() - started < 0.5


def test_not_a_workbook_is_a_message(world: dict[str, Any]) -> None:
    junk = io.BytesIO(b"this is no zip")
    junk.name = "a.xlsx"
    response = organizer_client(world).post(reverse("reports:imports"), {"kind": "experts", "file": junk})
    assert response.status_code == 200 and "无法读取该文件" in response.content.decode()


# --- item 2: the audit on the imports page --------------------------------------------------------


def _audit_rows(world: dict[str, Any], n: int) -> None:
    for i in range(n):
        record(
            actor=world["organizer"],
            action="import.account.update",
            summary=f"导入更新账号 row{i}",
            before={"display_name": f"旧{i}"},
            after={"display_name": f"新{i}"},
            unit_id=world["school"].pk,
        )


def test_the_imports_page_shows_the_regions_import_audit_paginated_in_constant_queries(
    world: dict[str, Any],
) -> None:
    c = organizer_client(world)
    record(
        actor=world["other_organizer"],
        action="import.account.update",
        summary="乙市的导入",
        unit_id=world["other_school"].pk,
    )
    _audit_rows(world, 1)
    c.get(reverse("reports:imports"))  # session and memberships warmed
    with CaptureQueriesContext(connection) as one:
        page = c.get(reverse("reports:imports")).content.decode()
    assert "导入更新账号 row0" in page and "旧0" in page and "新0" in page and "乙市的导入" not in page
    _audit_rows(world, 60)
    with CaptureQueriesContext(connection) as many:
        page = c.get(reverse("reports:imports") + "?page=2").content.decode()
    assert len(many) == len(one)
    assert "2 / 4" in page and "乙市的导入" not in page
    other = Client()
    other.force_login(world["other_organizer"])
    assert "乙市的导入" in other.get(reverse("reports:imports")).content.decode()


def test_the_page_lists_what_an_import_changed(world: dict[str, Any]) -> None:
    c = organizer_client(world)
    c.post(
        reverse("reports:imports"),
        {"kind": "accounts", "file": accounts(("teacher-a", "甲老师二", "", "", "A1S", "学校填报员"))},
    )
    page = c.get(reverse("reports:imports")).content.decode()
    assert "导入更新账号 teacher-a（甲老师二）" in page and "姓名</span>：<del>甲老师</del> → 甲老师二" in page
    assert "甲市组织者" in page


# --- item 4: long sheets in the background, initial passwords once ---------------------------------


def test_a_long_sheet_runs_in_the_background_and_the_passwords_are_handed_out_once(
    world: dict[str, Any],
    settings,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    settings.IMPORT_INLINE_ROWS = 2
    c = organizer_client(world)
    rows = [(f"bulk{i}", f"批量{i}", "", "", "A1S", "学校填报员") for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("reports:imports"), {"kind": "accounts", "file": accounts(*rows)})
    assert response.status_code == 302
    job = ImportJob.objects.get(user=world["organizer"])
    assert (job.status, job.rows_done, job.rows_total, job.report["created"]) == ("done", 5, 5, 5)
    assert User.objects.filter(username__startswith="bulk").count() == 5
    assert not job.upload and job.passwords and default_storage.exists(job.passwords.name)
    name = job.passwords.name
    part = c.get(reverse("reports:import_job", args=[job.pk])).content.decode()
    assert "已处理 5/5 行" in part and "导入完成：新建 5，更新 0" in part and "hx-trigger" not in part
    assert c.get(reverse("reports:import_passwords", args=[job.pk])).status_code == 405
    outsider = Client()
    outsider.force_login(world["other_organizer"])
    assert outsider.post(reverse("reports:import_passwords", args=[job.pk])).status_code == 404
    download = c.post(reverse("reports:import_passwords", args=[job.pk]))
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(download.content)).active
    assert ws is not None
    table = [tuple(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [u for u, _ in table] == [f"bulk{i}" for i in range(5)]
    assert User.objects.get(username="bulk0").check_password(table[0][1])
    assert not default_storage.exists(name)
    again = c.post(reverse("reports:import_passwords", args=[job.pk]))
    assert again.status_code == 302
    assert AuditEntry.objects.filter(action="import.passwords", actor_id=world["organizer"].pk).count() == 1


def test_a_running_job_polls_for_its_progress(world: dict[str, Any]) -> None:
    job = ImportJob.objects.create(
        user=world["organizer"], kind="accounts", status="running", rows_done=100, rows_total=400, filename="a.xlsx"
    )
    part = organizer_client(world).get(reverse("reports:import_job", args=[job.pk])).content.decode()
    assert "已处理 100/400 行" in part and 'hx-trigger="every 2s"' in part and "<script" not in part
    other = Client()
    other.force_login(world["other_organizer"])
    assert other.get(reverse("reports:import_job", args=[job.pk])).status_code == 404


def test_a_background_import_whose_importer_lost_the_role_imports_nothing(world: dict[str, Any], settings) -> None:  # type: ignore[no-untyped-def]
    job = ImportJob.objects.create(user=world["organizer"], kind="accounts", filename="a.xlsx")
    job.upload.save("a.xlsx", ContentFile(accounts(("late", "迟到", "", "", "A1S", "学校填报员")).getvalue()))
    Membership.objects.filter(user=world["organizer"]).delete()
    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == "refused" and "无导入权限" in job.refused[0][1]
    assert not User.objects.filter(username="late").exists()


def test_initial_passwords_are_hashed_cheaply_and_upgraded_at_first_sign_in(world: dict[str, Any], settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    report = imports.import_accounts(
        actor=world["organizer"], file=accounts(("fresh", "新人", "", "", "A1S", "学校填报员"))
    )
    user = User.objects.get(username="fresh")
    assert user.must_change_password and len(report.passwords[0][1]) == 16
    assert user.password.startswith("pbkdf2_sha256$1000$")
    assert user.check_password(report.passwords[0][1])
    user.refresh_from_db()
    assert PBKDF2PasswordHasher().decode(user.password)["iterations"] > 1000


def test_unclaimed_password_sheets_are_cleaned(world: dict[str, Any]) -> None:
    job = ImportJob.objects.create(user=world["organizer"], kind="accounts", status="done")
    job.passwords.save("p.xlsx", ContentFile(b"secret"))
    name = job.passwords.name
    assert cleanup_imports(keep_hours=72) == 0 and default_storage.exists(name)
    assert cleanup_imports(keep_hours=72, now=timezone.now() + dt.timedelta(hours=73)) == 1
    job.refresh_from_db()
    assert not job.passwords and not default_storage.exists(name)
