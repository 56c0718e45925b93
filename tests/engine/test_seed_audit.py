"""The seed audit of the six bundled frameworks (issue 14): one worked example per finding,
taken from the seed's own words, each failing before its fix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from campuseval.engine import load_framework, score

from .helpers import D, points, run

AS_OF = dt.date(2024, 5, 30)


def cases(*rows: tuple[str, str]) -> dict[str, Any]:
    """Bozhou school 7.x answers: (case name, level) rows, all dated inside 近五年."""
    return {"cases": [{"name": "评选", "level": level, "date": "2023-01-01", "case": case} for case, level in rows]}


# --- 1. Bozhou district 17.1 part 1: 每所加 0.3 分 and 同一案例只取一项 ------------------------


def test_bozhou_district_17_1_school_counts_if_any_honour_survives_the_same_case_rule() -> None:
    """亳州附件1 八、示范效应：“区域内学校获得国家级信息化应用优秀作品或者教育信息化有关工作
    示范试点（实验）单位的每所加 0.3 分，最多加 3 分”；表头“同一案例如符合多个指标要求，只取一项
    得分”。学校甲的“智慧课堂实录”已在 7.1 作为国家级获奖案例计 1.5 分，不再在 17.1 计分；但学校甲
    另有一项与之无关的国家级试点单位，“每所”仍应计 0.3 分。"""
    result = run(
        "bozhou-2024-district",
        {
            "7.1": {"cases": [{"case": "智慧课堂实录", "level": "国家级", "date": "2022-01-01"}]},
            "17.1": {
                "school_honours": [
                    {
                        "school": "学校甲",
                        "name": "智慧课堂实录",
                        "kind": "国家级信息化应用优秀作品",
                        "date": "2022-01-01",
                    },
                    {
                        "school": "学校甲",
                        "name": "人工智能教育试点",
                        "kind": "国家级教育信息化有关工作示范试点（实验）单位",
                        "date": "2023-01-01",
                    },
                ],
                "district_honours": [],
                "innovations": [],
            },
        },
    )
    assert points(result, "7.1") == D("1.5")
    assert points(result, "17.1") == D("0.3")
    assert "「智慧课堂实录」已在 7.1 计分，同一案例只取一项" in result.indicators["17.1"].explanation


# --- 2. 同一案例只取一项 respects the caps ---------------------------------------------------


def test_bozhou_school_shared_case_goes_where_it_adds_most_to_the_total() -> None:
    """亳州附件2 7.1：“1 个国家级智慧课堂获奖案例得 3 分，满分 6 分加满为止”；7.2：“1 个国家级获奖
    案例得 2 分，满分 3 分加满为止”；表头“同一案例如符合多个指标要求，只取一项得分”。7.1 有三个
    国家级案例（9 分，封顶 6 分），其中“双师课堂”也是 7.2 的国家级案例：放在 7.1 不多得一分，放在
    7.2 得 2 分，故归入 7.2（7.1 仍 6 分，7.2 得 2 分，而不是 6 + 0）。"""
    result = run(
        "bozhou-2024-school",
        {
            "7.1": cases(("双师课堂", "国家级"), ("AI 作文", "国家级"), ("数字实验", "国家级")),
            "7.2": cases(("双师课堂", "国家级")),
        },
    )
    assert (points(result, "7.1"), points(result, "7.2")) == (D(6), D(2))
    text = result.indicators["7.1"].explanation
    assert "「双师课堂」已在 7.2 计分，同一案例只取一项" in text
    assert "同分时归入编码在前的指标" in text


def test_bozhou_school_shared_case_tie_still_goes_to_the_earlier_indicator() -> None:
    """同上；两处得分相同（都未封顶、条目同分）时归入编码在前者，结果确定。"""
    result = run("bozhou-2024-school", {"7.2": cases(("x", "省级")), "7.3": cases(("x", "省级"))})
    assert (points(result, "7.2"), points(result, "7.3")) == (D(1), D(0))
    assert "「x」已在 7.2 计分" in result.indicators["7.3"].explanation


def test_bozhou_school_many_shared_cases_are_shared_out_without_losing_points() -> None:
    """More shared cases than ways tried one by one (SHARE_LIMIT): the stepwise search still
    moves a case out of a capped indicator. 7.1 has ten national cases (capped at 6), all of them
    also in 7.2, 7.3 and 7.4 (each capped at 3): 6 + 3 + 3 + 3 = 15 is reachable."""
    names = [f"案例{i}" for i in range(10)]
    rows = [(n, "国家级") for n in names]
    fw = load_framework("bozhou-2024-school")
    answers = {"7.1": cases(*rows), "7.2": cases(*rows), "7.3": cases(*rows), "7.4": cases(*rows)}
    result = score(fw, {"answers": answers}, as_of=AS_OF)
    assert [points(result, c) for c in ("7.1", "7.2", "7.3", "7.4")] == [D(6), D(3), D(3), D(3)]
