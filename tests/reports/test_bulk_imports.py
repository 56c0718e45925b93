"""Province scale (issue 13, item 5): every sheet is written in write-only mode and read back
whatever wrote it (no dimension record needed); accounts, experts and units are created in
bulk, so an import of 200 rows costs the same number of queries as one of 20; a province is
created by a superuser through the imports page's background job, with the initial-password
sheet handed out once."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campuseval.accounts.models import Membership, Role, User
from campuseval.audit.models import AuditEntry
from campuseval.orgs.models import Unit
from campuseval.reports import imports
from campuseval.reports.audit_log import queue_audit_export
from campuseval.reports.models import ImportJob
from campuseval.reviews.models import Expert
from campuseval.spreadsheets.reading import sheet_of
from campuseval.spreadsheets.writing import Column, build_workbook
from campuseval.units.services import UNIT_COLUMNS, import_units
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
    admin = f.UserFactory(username="root-admin", display_name="系统管理员")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    return {
        "city": city,
        "county": county,
        "admin": admin,
        "organizer": f.person("org-a", city, Role.ORGANIZER, display_name="甲市组织者"),
    }


def written(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> io.BytesIO:
    """A sheet as our own writer makes it: write-only mode, so no dimension record, and rows
    whose trailing cells are empty come back shorter than the header."""
    buffer = io.BytesIO(build_workbook("导入", [Column(c) for c in columns], rows))
    with zipfile.ZipFile(buffer) as archive:
        assert b"<dimension" not in archive.read("xl/worksheets/sheet1.xml")
    buffer.seek(0)
    return buffer


# --- writing ---------------------------------------------------------------------------------------


def test_a_streamed_workbook_reads_back_with_every_row_formats_and_chinese() -> None:
    rows = [[f"第{i}小学", i, None] for i in range(1, 2001)]
    data = build_workbook("学校名单", [Column("学校"), Column("序号", number_format="0"), Column("备注")], rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<dimension" not in xml
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None and ws.title == "学校名单"
    values = list(ws.iter_rows(values_only=True))
    assert len(values) == 2001 and values[0] == ("学校", "序号", "备注")
    assert values[1][:2] == ("第1小学", 1) and values[-1][:2] == ("第2000小学", 2000)
    assert ws["B2"].number_format == "0" and ws["A1"].font.bold and ws.freeze_panes == "A2"


def test_the_audit_export_is_streamed_too(world: dict[str, Any]) -> None:
    for i in range(30):
        AuditEntry.objects.create(action="demo", summary=f"第{i}条：甲市")
    job = queue_audit_export(actor=world["admin"], params={})
    job.refresh_from_db()
    assert job.status == "done"
    with job.file.open("rb") as handle:
        data = handle.read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<dimension" not in archive.read("xl/worksheets/sheet1.xml")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    summaries = [row[7] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert "第29条：甲市" in summaries and len(summaries) == job.rows_total >= 30


# --- reading a write-only sheet ----------------------------------------------------------------


def test_a_write_only_unit_sheet_with_empty_trailing_cells_is_imported(world: dict[str, Any]) -> None:
    rows = [
        ("A2", "甲市二区", "A", "区县"),
        ("A2S", "甲市二区小学", "A2", "学校", "小学", "城镇"),
    ]
    report = import_units(actor=world["organizer"], file=written(UNIT_COLUMNS, rows))
    assert report.ok, report.refused
    school = Unit.objects.get(code="A2S")
    assert school.parent == Unit.objects.get(code="A2") and school.students is None and school.address == ""


def test_write_only_account_and_expert_sheets_are_imported(world: dict[str, Any]) -> None:
    report = imports.import_accounts(
        actor=world["organizer"],
        file=written(imports.ACCOUNT_COLUMNS, [("wo-user", "只写", "", "", "A1", "区县审核员")]),
    )
    assert report.ok and report.created == 1
    assert Membership.objects.filter(user__username="wo-user", unit=world["county"], role=Role.COUNTY_REVIEWER).exists()
    report = imports.import_experts(
        actor=world["organizer"], file=written(imports.EXPERT_COLUMNS, [("wo-expert", "只写专家", "", "", "A")])
    )
    assert report.ok and report.created == 1
    expert = Expert.objects.get(user__username="wo-expert")
    assert expert.unit == world["city"] and expert.region is None and expert.title == ""


# --- bulk: queries do not grow with rows -------------------------------------------------------------


def _school_sheet(n: int, prefix: str) -> io.BytesIO:
    return written(
        UNIT_COLUMNS, [(f"{prefix}{i}", f"甲市一区第{i}小学", "A1", "学校", "小学", "乡村") for i in range(n)]
    )


def _account_sheet(n: int, prefix: str) -> io.BytesIO:
    return written(
        imports.ACCOUNT_COLUMNS,
        [(f"acc-{prefix}{i}", f"教师{i}", "", "", "A1", "区县审核员、评审专家") for i in range(n)],
    )


def _expert_sheet(n: int, prefix: str) -> io.BytesIO:
    return written(
        imports.EXPERT_COLUMNS, [(f"exp-{prefix}{i}", f"专家{i}", "", "", "A", "A1", "教授", "") for i in range(n)]
    )


def _rows_in_db() -> int:
    return sum(m.objects.count() for m in (User, Membership, Expert, Unit, AuditEntry))


@pytest.mark.parametrize(
    ("make", "run"),
    [
        (_school_sheet, lambda actor, file: import_units(actor=actor, file=file)),
        (_account_sheet, lambda actor, file: imports.import_accounts(actor=actor, file=file)),
        (_expert_sheet, lambda actor, file: imports.import_experts(actor=actor, file=file)),
    ],
    ids=["units", "accounts", "experts"],
)
def test_a_bulk_import_costs_the_same_queries_for_20_rows_as_for_200(
    world: dict[str, Any], make: Any, run: Any
) -> None:
    """Reads, checks and updates: the same statements for 20 rows as for 200. Inserts: many rows
    each (one per table on PostgreSQL; SQLite caps a statement at 999 values, so a few)."""
    others: list[int] = []
    for n, prefix in ((20, "s"), (200, "t")):
        file = make(n, prefix)
        before = _rows_in_db()
        actor = User.objects.get(pk=world["organizer"].pk)  # its roles not read yet, as in a request
        with CaptureQueriesContext(connection) as queries:
            report = run(actor, file)
        assert report.ok, report.refused[:3]
        assert report.created == n
        inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
        others.append(len(queries.captured_queries) - len(inserts))
        # one statement per table written (at most five), plus one per 50 more rows
        assert len(inserts) <= 5 + (_rows_in_db() - before) // 50, inserts
    assert others[0] == others[1] <= 14


def test_accounts_in_bulk_are_written_and_audited_one_entry_each(world: dict[str, Any]) -> None:
    report = imports.import_accounts(actor=world["organizer"], file=_account_sheet(30, "b"))
    assert report.created == 30 and len(report.passwords) == 30
    user = User.objects.get(username="acc-b7")
    assert user.must_change_password and user.check_password(dict(report.passwords)["acc-b7"])
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.COUNTY_REVIEWER,
        Role.EXPERT,
    }
    created = AuditEntry.objects.filter(action="import.account.create")
    assert created.count() == 30 and created.filter(object_id=str(user.pk), unit_id=world["county"].pk).exists()
    assert AuditEntry.objects.filter(action="import.membership.create").count() == 60
    # the same sheet again updates nothing, grants nothing twice
    again = imports.import_accounts(actor=world["organizer"], file=_account_sheet(30, "b"))
    assert (again.created, again.updated) == (0, 30)
    assert Membership.objects.filter(user__username__startswith="acc-b").count() == 60


def test_experts_in_bulk_are_created_then_updated(world: dict[str, Any]) -> None:
    imports.import_experts(actor=world["organizer"], file=_expert_sheet(5, "e"))
    rows = [(f"exp-e{i}", f"专家{i}", "", "", "A1", "A1", "研究员", "督导") for i in range(5)]
    report = imports.import_experts(actor=world["organizer"], file=written(imports.EXPERT_COLUMNS, rows))
    assert (report.created, report.updated) == (0, 5)
    expert = Expert.objects.get(user__username="exp-e3")
    assert (expert.unit, expert.title, expert.fields) == (world["county"], "研究员", "督导")
    update = AuditEntry.objects.get(action="import.expert.update", object_id=str(expert.pk))
    assert update.before == {"unit": "A", "title": "教授", "fields": ""}
    assert Membership.objects.filter(user=expert.user, role=Role.EXPERT).count() == 2


# --- the province --------------------------------------------------------------------------------


PROVINCE = [
    ("PR", "示例省", "", "省"),
    ("P-C", "示例省一市", "PR", "市"),
    ("P-C1", "一市一区", "P-C", "区县"),
    ("P-C1S", "一区小学", "P-C1", "学校", "小学", "乡村"),
    ("P-CS", "一市直属中学", "P-C", "学校", "普通高中", "城镇"),
    ("P-S", "省直属实验学校", "PR", "学校", "完全中学", "城镇", "省会路 1 号", 3000, 200, 60),
]


def test_a_superuser_imports_a_province_with_cities_and_direct_schools(world: dict[str, Any]) -> None:
    report = import_units(actor=world["admin"], file=written(UNIT_COLUMNS, PROVINCE))
    assert report.ok, report.refused
    assert report.created == 6
    province = Unit.objects.get(code="PR")
    assert province.kind == "province" and province.parent is None and province.path == f"{province.pk}/"
    city_school = Unit.objects.get(code="P-CS")
    assert city_school.parent.code == "P-C" and city_school.path.startswith(province.path)
    direct = Unit.objects.get(code="P-S")
    assert direct.parent == province and direct.students == 3000
    school = Unit.objects.get(code="P-C1S")
    assert school.path_ids == [
        province.pk,
        Unit.objects.get(code="P-C").pk,
        Unit.objects.get(code="P-C1").pk,
        school.pk,
    ]
    inside = set(Unit.objects.filter(province.subtree().q()).values_list("code", flat=True))
    assert inside == {code for code, *_ in PROVINCE}


def test_an_organizer_may_not_create_a_province_but_imports_a_city_school(world: dict[str, Any]) -> None:
    report = import_units(actor=world["organizer"], file=written(UNIT_COLUMNS, PROVINCE[:1]))
    assert report.refused == [(2, "不能导入省级单位：只有系统管理员（超级用户）可以创建省")]
    assert not Unit.objects.filter(code="PR").exists()
    report = import_units(
        actor=world["organizer"], file=written(UNIT_COLUMNS, [("A-S", "甲市直属中学", "A", "学校", "初中", "城镇")])
    )
    assert report.ok and Unit.objects.get(code="A-S").parent == world["city"]


def test_a_province_row_with_a_parent_is_refused(world: dict[str, Any]) -> None:
    report = import_units(actor=world["admin"], file=written(UNIT_COLUMNS, [("PR", "示例省", "A", "省")]))
    assert report.refused == [(2, "省级单位没有上级单位，“上级单位代码”请留空")]


def test_a_long_unit_sheet_runs_in_the_background_from_the_imports_page(
    world: dict[str, Any],
    settings,
    django_capture_on_commit_callbacks: Any,  # type: ignore[no-untyped-def]
) -> None:
    settings.IMPORT_INLINE_ROWS = 3
    c = Client()
    c.force_login(world["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("reports:imports"), {"kind": "units", "file": written(UNIT_COLUMNS, PROVINCE)})
    assert response.status_code == 302
    job = ImportJob.objects.get(user=world["admin"], kind="units")
    assert (job.status, job.rows_done, job.rows_total, job.report["created"]) == ("done", 6, 6, 6)
    assert Unit.objects.get(code="P-S").parent == Unit.objects.get(code="PR")
    assert AuditEntry.objects.get(action="import.units").after["job"] == job.pk
    outsider = Client()
    outsider.force_login(world["organizer"])
    assert outsider.get(reverse("reports:import_job", args=[job.pk])).status_code == 404


def test_a_province_from_values_in_memory_as_a_benchmark_makes_it(world: dict[str, Any]) -> None:
    """`sheet_of` reads values as an uploaded sheet's cells (numbers as text, formulas refused)."""
    rows = [*PROVINCE, ("P-X", "公式学校", "PR", "学校", "小学", "=A1")]
    report = import_units(actor=world["admin"], sheet=sheet_of(UNIT_COLUMNS, rows))
    assert report.refused == [(8, "“城乡”是公式，请填写值本身（可复制后“选择性粘贴为数值”）")]
    report = import_units(actor=world["admin"], sheet=sheet_of(UNIT_COLUMNS, PROVINCE))
    assert report.ok and Unit.objects.get(code="P-S").classes == 60
