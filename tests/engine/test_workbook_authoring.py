"""A bureau writes a small framework from scratch, the way it would in Excel (Chinese names,
every cell typed as text), and the engine scores with it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from campuseval.engine import load_framework_text, score
from campuseval.engine.workbook import dump_yaml, sheets_to_framework

#: what a bureau types: only the columns it needs, in its own order, rule types in Chinese
HAND_WRITTEN: dict[str, list[list[Any]]] = {
    "设置": [
        ["设置项", "值"],
        ["编号", "demo-2025-school"],
        ["系列", "demo"],
        ["名称", "示范市智慧校园评估细则"],
        ["评价对象（学校/区域）", "学校"],
        ["总分", "10"],
        ["层级名称", "一级指标、二级指标"],
        ["时间窗口「近两年」年数", "2"],
    ],
    "指标": [
        ["编码", "上级编码", "名称", "分值", "评分说明", "标记", "标记说明", "达到条件"],
        ["一", "", "基础环境", "10", "", "", "", ""],
        ["1.1", "一", "出口带宽", "6", "100M 以上 6 分，50M 至 100M 3 分", "", "", ""],
        ["1.2", "一", "管理制度", "4", "有管理制度 2 分，有运维制度 2 分", "★", "建有管理制度", "满分"],
    ],
    "规则": [
        ["指标编码", "规则类型", "明细", "输入项", "最小值", "最大值", "分值"],
        ["1.1", "分档", "", "bw", "", "", ""],
        ["1.1", "", "档位", "", "100", "", "6"],
        ["1.1", "", "档位", "", "50", "100", "3"],
        ["1.1", "", "档位", "", "", "50", "0"],
        ["1.2", "逐项计分", "", "", "", "", ""],
        ["1.2", "", "条目", "rules", "", "", "2"],
        ["1.2", "", "条目", "ops", "", "", "2"],
    ],
    "输入项": [
        ["指标编码", "键", "名称", "类型", "单位", "最小值", "认定方"],
        ["1.1", "bw", "出口带宽", "数值", "M", "0", ""],
        ["1.2", "rules", "建有管理制度", "是否", "", "", ""],
        ["1.2", "ops", "建有运维制度", "是否", "", "", "评审"],
    ],
    "等级与条件": [
        ["类别", "名称", "最低分", "需达到的标记"],
        ["等级", "合格", "6", "★"],
    ],
}


def test_a_hand_written_workbook_becomes_a_framework_that_scores() -> None:
    result = sheets_to_framework(HAND_WRITTEN)
    assert [str(p) for p in result.problems] == []
    data = result.data
    assert data is not None
    assert data["subject"] == "school" and data["total"] == 10
    assert data["level_names"] == ["一级指标", "二级指标"]
    assert data["time_windows"] == {"近两年": {"years": 2}}
    leaf = data["indicators"][0]["children"][1]
    assert leaf["marks"] == [{"kind": "★", "label": "建有管理制度", "met": "full"}]
    assert leaf["inputs"][1] == {"key": "ops", "label": "建有运维制度", "type": "bool", "decided_by": "reviewer"}
    fw = load_framework_text(dump_yaml(data), "demo.yaml")
    assert fw.by_code["1.2"].inputs["ops"].decided_by == "reviewer"
    answers = {"answers": {"1.1": {"bw": 80}, "1.2": {"rules": True, "ops": True}}}
    scored = score(fw, answers, as_of=dt.date(2025, 6, 1))
    assert scored.total == Decimal(7)
    assert scored.level == "合格"
    missing = score(
        fw, {"answers": {"1.1": {"bw": 120}, "1.2": {"rules": False, "ops": True}}}, as_of=dt.date(2025, 6, 1)
    )
    assert missing.total == Decimal(8)
    assert missing.level is None  # the ★ requirement is not met


def test_the_same_workbook_with_a_mistake_in_each_sheet_lists_them_all_in_order() -> None:
    sheets = {name: [list(row) for row in rows] for name, rows in HAND_WRITTEN.items()}
    sheets["指标"][3][3] = "四分"
    sheets["规则"][2][6] = "六"
    sheets["输入项"][1][3] = "数字"
    result = sheets_to_framework(sheets)
    assert result.data is None
    assert [(p.sheet, p.row, p.column, p.message_zh) for p in result.errors] == [
        ("指标", 4, "分值", "“分值”应为数字，收到「四分」"),
        ("输入项", 2, "类型", "“类型”应为：数值、是否、单选、多选、条目列表、文字、日期，收到「数字」"),
        ("规则", 3, "分值", "“分值”应为数字，收到「六」"),
    ]
    # once the cells read, the engine checks what they say: a tier above the indicator's points
    sheets["指标"][3][3] = "4"
    sheets["规则"][2][6] = "7"
    sheets["输入项"][1][3] = "数值"
    result = sheets_to_framework(sheets)
    assert [(p.sheet, p.row, p.column, p.message_zh) for p in result.errors] == [
        ("指标", 3, "分值", "规则最多可得 7 分，超过指标分值 6 分"),
    ]
