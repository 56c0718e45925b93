"""Excel imports: clean sheets import, every kind of bad row is refused with its reason and
nothing is written, outsiders are refused."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from campuseval.accounts.models import Membership, Role, User
from campuseval.campaigns.models import FrameworkRecord
from campuseval.engine import load_framework_text, score
from campuseval.reports import imports
from campuseval.reviews.models import Expert

pytestmark = pytest.mark.django_db


def sheet(header: tuple[str, ...], *rows: tuple[object, ...]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_accounts_clean_sheet(world: dict) -> None:
    report = imports.import_accounts(
        actor=world["organizer"],
        file=sheet(
            imports.ACCOUNT_COLUMNS,
            ("wang_x1", "王老师", "13800000001", "wang@example.cn", "X1", "学校填报员"),
            ("li_x", "李科长", "", "", "X", "区县审核员"),
        ),
    )
    assert report.ok and report.created == 2 and [u for u, _ in report.passwords] == ["wang_x1", "li_x"]
    user = User.objects.get(username="wang_x1")
    assert user.check_password(report.passwords[0][1])
    assert Membership.objects.filter(user=user, unit__code="X1", role=Role.APPLICANT).exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("a b", "王", "", "", "X1", "学校填报员"), "用户名「a b」只能包含字母、数字"),
        (("wang1", "", "", "", "X1", "学校填报员"), "姓名未填写"),
        (("wang1", "王", "", "", "NOPE", "学校填报员"), "单位代码「NOPE」不存在"),
        (("wang1", "王", "", "", "X1", "校长"), "角色「校长」未知"),
        (("wang1", "王", "", "bad-mail", "X1", "学校填报员"), "邮箱「bad-mail」格式不正确"),
        (("wang1", "王", "12345", "", "X1", "学校填报员"), "手机「12345」格式不正确"),
        (("wang1", "王", "", "", "X1", "系统管理员"), "只有系统管理员可以导入系统管理员账号"),
    ],
)
def test_accounts_bad_rows_refused_and_nothing_imported(world: dict, row: tuple, reason: str) -> None:
    before = User.objects.count()
    good = ("ok_user", "好", "", "", "X2", "学校填报员")
    report = imports.import_accounts(actor=world["organizer"], file=sheet(imports.ACCOUNT_COLUMNS, good, row))
    assert report.refused[0][0] == 3 and reason in report.refused[0][1]
    assert User.objects.count() == before


def test_duplicate_username_and_scope(world: dict) -> None:
    report = imports.import_accounts(
        actor=world["organizer"],
        file=sheet(
            imports.ACCOUNT_COLUMNS,
            ("dup", "甲", "", "", "X1", "学校填报员"),
            ("dup", "乙", "", "", "X2", "学校填报员"),
        ),
    )
    assert report.refused == [(3, "用户名「dup」与第 2 行重复")]
    with pytest.raises(PermissionDenied):
        imports.import_accounts(actor=world["reviewer"], file=sheet(imports.ACCOUNT_COLUMNS))


def test_expert_pool(world: dict) -> None:
    report = imports.import_experts(
        actor=world["organizer"],
        file=sheet(
            imports.EXPERT_COLUMNS, ("zhang_e", "张教授", "13900000000", "", "Y0", "Y", "正高级教师", "智慧课堂")
        ),
    )
    assert report.ok
    expert = Expert.objects.get(user__username="zhang_e")
    assert (expert.region.code, expert.fields) == ("Y", "智慧课堂")
    bad = imports.import_experts(
        actor=world["organizer"], file=sheet(imports.EXPERT_COLUMNS, ("li_e", "李", "", "", "Y0", "Y0", "", ""))
    )
    assert bad.refused == [(2, "所在区县代码「Y0」不是区县")]


FRAMEWORK_ROWS = (
    ("一", "", "基础环境", 10, "", "", "", ""),
    ("1.1", "一", "网络", 6, "千兆到校", "达到得 6 分", "合同", "★"),
    ("1.2", "一", "终端", 4, "", "", "", "必要条件"),
)


def test_framework_table_becomes_a_checked_draft(world: dict) -> None:
    report, _ = imports.import_framework_table(
        actor=world["organizer"],
        file=sheet(imports.FRAMEWORK_COLUMNS, *FRAMEWORK_ROWS),
        key="city-2025-school",
        title="示例市智慧校园评估",
        subject="school",
        level_names=["一级指标", "二级指标"],
    )
    assert report.ok and report.created == 3
    record = FrameworkRecord.objects.get(key="city-2025-school")
    assert not record.is_active
    fw = load_framework_text(record.source_yaml)
    assert fw.by_code["1.1"].criterion == "千兆到校" and fw.by_code["1.1"].marks[0].kind == "basic"
    result = score(fw, {"answers": {"1.1": {"points": 5}}})
    assert result.total == 5


def test_framework_table_with_points_that_do_not_add_up(world: dict) -> None:
    rows = (FRAMEWORK_ROWS[0], FRAMEWORK_ROWS[1], ("1.2", "一", "终端", 3, "", "", "", ""))
    report, _ = imports.import_framework_table(
        actor=world["organizer"],
        file=sheet(imports.FRAMEWORK_COLUMNS, *rows),
        key="city-2025-bad",
        title="t",
        subject="school",
        level_names=["一", "二"],
    )
    assert report.refused == [(0, "一 下级指标合计 9 分，与本指标 10 分不符")]
    assert not FrameworkRecord.objects.filter(key="city-2025-bad").exists()
    report, _ = imports.import_framework_table(
        actor=world["organizer"],
        file=sheet(imports.FRAMEWORK_COLUMNS, ("1.1", "9", "x", "abc", "", "", "", "◆")),
        key="city-2025-bad",
        title="t",
        subject="school",
        level_names=["一"],
    )
    assert report.refused == [(2, "分值「abc」不是数字")]


def test_import_page(world: dict) -> None:
    c = Client()
    c.force_login(world["organizer"])
    page = c.post(
        reverse("reports:imports"),
        {"kind": "accounts", "file": sheet(imports.ACCOUNT_COLUMNS, ("x y", "王", "", "", "X1", "学校填报员"))},
    ).content.decode()
    assert "未导入。以下行有问题" in page and "用户名「x y」只能包含字母" in page
    outsider = Client()
    outsider.force_login(world["reviewer"])
    assert outsider.get(reverse("reports:imports")).status_code == 404
    template = c.get(reverse("reports:import_template", args=["experts"]))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
