"""Each dashboard function against the hand-counted world in conftest.py: the expected
numbers are worked out in the comments from the table there."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from campuseval.applications import figures
from campuseval.reports import dashboards
from campuseval.reports.dashboards import Scope

from .conftest import DashWorld, taizhou_targets


def organizer_scope(dw: DashWorld) -> Scope:
    scope = dashboards.scope_for(dw.users["organizer"], dw.campaign)
    assert scope is not None and scope.region is None
    return scope


def reviewer_scope(dw: DashWorld, who: str = "county_reviewer") -> Scope:
    scope = dashboards.scope_for(dw.users[who], dw.campaign)
    assert scope is not None and scope.region is not None
    return scope


def by_name(rows: list[dict], key: str = "name") -> dict[str, dict]:
    return {r[key]: r for r in rows}


# --- scope -----------------------------------------------------------------------------------


def test_scope_per_role(dw: DashWorld) -> None:
    assert organizer_scope(dw).label == "泰州示例市"
    assert reviewer_scope(dw).label == "甲区"
    for who in ("school_officer", "school_head", "expert", "outsider", "other_organizer", "other_reviewer", "sysadmin"):
        assert dashboards.scope_for(dw.users[who], dw.campaign) is None, who
    assert set(dashboards.visible_campaigns(dw.users["county_reviewer"])) == {dw.campaign, dw.previous}
    assert list(dashboards.visible_campaigns(dw.users["other_organizer"])) == []


# --- 1. progress -----------------------------------------------------------------------------


def test_progress_by_county(dw: DashWorld) -> None:
    data = dashboards.progress(organizer_scope(dw))
    rows = by_name(data["rows"], "region")
    # 甲区: XD not started, XE drafting, XC returned, XA and XB reviewed (results exist); the
    # closed school is not counted.
    assert rows["甲区"]["counts"] == {
        "not_started": 1,
        "drafting": 1,
        "submitted": 0,
        "returned": 1,
        "rejected": 0,
        "accepted": 0,
        "recommended": 0,
        "reviewed": 2,
    }
    assert rows["甲区"]["total"] == 5
    # 乙县: YC not started, YA submitted, YB rejected.
    assert rows["乙县"]["counts"]["not_started"] == 1
    assert rows["乙县"]["counts"]["submitted"] == 1
    assert rows["乙县"]["counts"]["rejected"] == 1
    assert rows["乙县"]["total"] == 3
    assert data["total"]["total"] == 8
    assert data["total"]["counts"]["not_started"] == 2
    assert data["total"]["counts"]["reviewed"] == 2
    assert [s["kind"] for s in data["stages"]] == ["申报", "市/省级评审"]
    assert data["stages"][0]["passed"] is True and data["stages"][0]["days_left"] is None
    assert data["stages"][1]["passed"] is False and data["stages"][1]["days_left"] == 20


def test_progress_for_county_reviewer_is_their_county_only(dw: DashWorld) -> None:
    data = dashboards.progress(reviewer_scope(dw))
    assert [r["region"] for r in data["rows"]] == ["甲区"]
    assert data["total"]["total"] == 5
    other = dashboards.progress(reviewer_scope(dw, "outsider_reviewer"))
    assert [r["region"] for r in other["rows"]] == ["乙县"]
    assert other["total"]["total"] == 3


def test_progress_counts_covered_units_only(dw: DashWorld) -> None:
    dw.campaign.covered_units.set([dw.y])
    data = dashboards.progress(organizer_scope(dw))
    rows = by_name(data["rows"], "region")
    # 甲区 is no longer covered: only its applications remain (no "not started" there)
    assert rows["甲区"]["counts"]["not_started"] == 0
    assert rows["甲区"]["total"] == 4
    assert rows["乙县"]["counts"]["not_started"] == 1


# --- 2. score distribution -------------------------------------------------------------------


def test_histogram_bins_include_lower_bound_and_last_bin_takes_the_maximum() -> None:
    assert dashboards.histogram([D(0), D("9.99"), D(10), D(100), D(110)], 11) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    bins = dashboards.score_bins(D(110))
    assert len(bins) == 11 and bins[-1]["label"] == "100–110" and bins[0]["label"] == "0–10"
    assert len(dashboards.score_bins(D(120))) == 12


def test_quartiles_by_linear_interpolation() -> None:
    # sorted 60, 85, 95: Q1 at h = 0.5 → 60 + 0.5 × 25 = 72.5; Q3 at h = 1.5 → 85 + 0.5 × 10 = 90
    assert dashboards.box([D(95), D(60), D(85)]) == {
        "min": D(60),
        "q1": D("72.50"),
        "median": D("85.00"),
        "q3": D("90.00"),
        "max": D(95),
    }
    assert dashboards.box([D(7)]) == {"min": D(7), "q1": D(7), "median": D(7), "q3": D(7), "max": D(7)}
    assert dashboards.box([]) is None


def test_score_distribution_final_basis_is_default_when_results_exist(dw: DashWorld) -> None:
    data = dashboards.score_distribution(organizer_scope(dw))
    assert data["basis"] == "final" and data["max_total"] == D(110)
    groups = by_name(data["groups"])
    # finals: 甲区 92 and 81 (乙县 has no result yet, so no group)
    assert "乙县" not in groups
    x = groups["甲区"]
    assert x["n"] == 2
    assert x["histogram"][8] == 1 and x["histogram"][9] == 1 and sum(x["histogram"]) == 2
    # 81, 92: Q1 = 81 + 0.25 × 11 = 83.75; median 86.5; Q3 = 81 + 0.75 × 11 = 89.25
    assert x["box"] == {"min": D(81), "q1": D("83.75"), "median": D("86.50"), "q3": D("89.25"), "max": D(92)}
    assert x["mean"] == D("86.50")
    assert groups["城镇"]["n"] == 1 and groups["城镇"]["box"]["median"] == D(92)
    assert groups["乡村"]["n"] == 1 and groups["乡村"]["box"]["median"] == D(81)
    assert "四分位数采用线性插值法" in data["quantile_method"]


def test_score_distribution_self_basis(dw: DashWorld) -> None:
    data = dashboards.score_distribution(organizer_scope(dw), "self")
    groups = by_name(data["groups"])
    # 甲区 self: 95, 85, 60 (the draft has no version) → 60, 85, 95
    assert groups["甲区"]["box"] == {
        "min": D(60),
        "q1": D("72.50"),
        "median": D("85.00"),
        "q3": D("90.00"),
        "max": D(95),
    }
    assert groups["甲区"]["mean"] == D("80.00")
    # 乙县: 55, 72 → Q1 = 55 + 0.25 × 17 = 59.25; median 63.5; Q3 = 67.75
    assert groups["乙县"]["box"] == {
        "min": D(55),
        "q1": D("59.25"),
        "median": D("63.50"),
        "q3": D("67.75"),
        "max": D(72),
    }
    # rural 55, 60, 85: Q1 h = 0.5 → 57.5; median 60; Q3 h = 1.5 → 72.5; mean 200 / 3 = 66.67
    assert groups["乡村"]["box"]["q1"] == D("57.50") and groups["乡村"]["box"]["q3"] == D("72.50")
    assert groups["乡村"]["mean"] == D("66.67")
    # all five: 55, 60, 72, 85, 95 → Q1 60, median 72, Q3 85; mean 367 / 5 = 73.4
    everything = groups["合计"]
    assert everything["box"] == {"min": D(55), "q1": D("60.00"), "median": D("72.00"), "q3": D("85.00"), "max": D(95)}
    assert everything["mean"] == D("73.40")
    assert everything["histogram"] == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0]


def test_score_distribution_county_reviewer_sees_own_county(dw: DashWorld) -> None:
    data = dashboards.score_distribution(reviewer_scope(dw, "outsider_reviewer"), "self")
    names = [g["name"] for g in data["groups"]]
    assert "甲区" not in names and names[0] == "乙县"
    assert by_name(data["groups"])["合计"]["n"] == 2


# --- 3. indicator heat map -------------------------------------------------------------------


def test_heatmap_self_basis(dw: DashWorld) -> None:
    data = dashboards.indicator_heatmap(organizer_scope(dw), "self")
    assert [i["code"] for i in data["indicators"]] == ["1", "2", "3"]
    groups = by_name(data["groups"])
    # 甲区 (XA, XB, XC): 1: (45+40+30) / (3 × 50) = 76.67%; 2: (35+30+20) / 120 = 70.83%; 3: 40 / 60 = 66.67%
    assert groups["甲区"]["shares"] == {"1": D("76.7"), "2": D("70.8"), "3": D("66.7")}
    # 乙县 (YA, YB): 1: 60 / 100 = 60%; 2: 47 / 80 = 58.75% → 58.8 (half up); 3: 20 / 40 = 50%
    assert groups["乙县"]["shares"] == {"1": D("60.0"), "2": D("58.8"), "3": D("50.0")}
    # all five: 1: 175 / 250 = 70%; 2: 132 / 200 = 66%; 3: 60 / 100 = 60%
    assert groups["合计"]["shares"] == {"1": D("70.0"), "2": D("66.0"), "3": D("60.0")}
    assert [(w["code"], w["share"]) for w in data["weakest"]] == [("3", D("60.0")), ("2", D("66.0")), ("1", D("70.0"))]
    assert [w["code"] for w in groups["乙县"]["weakest"]] == ["3", "2", "1"]


def test_heatmap_final_basis_uses_result_points(dw: DashWorld) -> None:
    data = dashboards.indicator_heatmap(organizer_scope(dw))
    assert data["basis"] == "final"
    # XA 44/33/15, XB 38/30/13: 1: 82 / 100 = 82%; 2: 63 / 80 = 78.75% → 78.8; 3: 28 / 40 = 70%
    assert by_name(data["groups"])["合计"]["shares"] == {"1": D("82.0"), "2": D("78.8"), "3": D("70.0")}
    assert by_name(data["groups"])["合计"]["n"] == 2


def test_heatmap_leaves_out_directions_not_chosen(dw: DashWorld) -> None:
    version = dw.apps["YB"].versions.get(number=2)
    version.result["indicators"]["3"] = {"points": "0", "max": "20", "status": "not_chosen"}
    version.save()
    figures.record_self(version)  # the figures follow the stored result (as on submission)
    data = dashboards.indicator_heatmap(organizer_scope(dw), "self")
    # 乙县 3 now only YA: 10 / 20 = 50%; overall 3: (40 + 10) / 80 = 62.5%
    assert by_name(data["groups"])["乙县"]["shares"]["3"] == D("50.0")
    assert by_name(data["groups"])["合计"]["shares"]["3"] == D("62.5")


# --- 4. attainment ---------------------------------------------------------------------------


def test_attainment_against_taizhou_targets(dw: DashWorld) -> None:
    taizhou_targets(dw.city)
    data = dashboards.attainment(organizer_scope(dw))
    assert data["levels"] == ["示范型", "优秀型", "合格型"]
    assert [(t["level"], t["share"], t["year"]) for t in data["targets"]] == [
        ("合格型", D(95), 2022),
        ("优秀型", D(20), 2022),
        ("示范型", D(10), 2022),
        ("合格型", D(100), 2024),
    ]
    rows = by_name(data["rows"])
    # 甲区: 5 units; XA 示范型 and XB 优秀型 from results; XC has no level → 1, 2, 2 of 5
    x = rows["甲区"]
    assert x["units"] == 5
    assert x["counts"] == {"示范型": 1, "优秀型": 2, "合格型": 2}
    assert x["shares"] == {"示范型": D("20.0"), "优秀型": D("40.0"), "合格型": D("40.0")}
    assert (x["from_results"], x["from_self"], x["from_held"]) == (2, 0, 0)
    assert [t["met"] for t in x["targets"]] == [False, True, True, False]
    # 乙县: 3 units; YA self-assessed 合格型 → 0, 0, 1 of 3 = 33.3%
    y = rows["乙县"]
    assert y["shares"] == {"示范型": D("0.0"), "优秀型": D("0.0"), "合格型": D("33.3")}
    assert (y["from_results"], y["from_self"]) == (0, 1)
    assert [t["met"] for t in y["targets"]] == [False, False, False, False]
    # city: 8 units → 1 (12.5%), 2 (25%), 3 (37.5%): 优秀 and 示范 targets met, 合格 not
    total = data["total"]
    assert total["name"] == "泰州示例市（合计）"
    assert total["units"] == 8
    assert total["shares"] == {"示范型": D("12.5"), "优秀型": D("25.0"), "合格型": D("37.5")}
    assert [t["met"] for t in total["targets"]] == [False, True, True, False]


def test_attainment_without_targets_for_other_frameworks(dw: DashWorld) -> None:
    taizhou_targets(dw.city)
    dw.record.family = "bozhou"  # another issuer's framework family
    dw.record.save()
    data = dashboards.attainment(organizer_scope(dw))
    assert data["targets"] == []
    assert data["total"]["shares"]["合格型"] == D("37.5")


# --- 5. gap ------------------------------------------------------------------------------------


def test_gap_between_self_and_final(dw: DashWorld) -> None:
    data = dashboards.score_gap(organizer_scope(dw))
    # XA 92 − 95 = −3; XB 81 − 85 = −4
    x = by_name(data["rows"])["甲区"]
    assert x == {
        "name": "甲区",
        "n": 2,
        "self_mean": D("90.00"),
        "final_mean": D("86.50"),
        "gap_mean": D("-3.50"),
        "gap_min": D(-4),
        "gap_max": D(-3),
    }
    assert data["total"]["gap_mean"] == D("-3.50")
    assert [(u["name"], u["gap"]) for u in data["units"]] == [("甲区实验小学", D(-3)), ("甲区乡村小学", D(-4))]
    assert dashboards.score_gap(reviewer_scope(dw, "outsider_reviewer"))["total"]["n"] == 0


# --- 6. year over year -------------------------------------------------------------------------


def test_year_over_year(dw: DashWorld) -> None:
    data = dashboards.year_over_year(organizer_scope(dw))
    assert [c["year"] for c in data["campaigns"]] == [2022, 2024]
    rows = by_name(data["rows"])
    # XD applied only in 2022, XE's 2024 application is a draft: neither is listed
    assert set(rows) == {"甲区实验小学", "甲区乡村小学", "乙县城关中学"}
    xa = rows["甲区实验小学"]
    # 80 (result) → 92 (result): +12; rates 80/110 = 72.7%, 92/110 = 83.6% → +10.9
    assert [(c["score"], c["source"], c["rate"]) for c in xa["cells"]] == [
        (D(80), "评审", D("72.7")),
        (D(92), "评审", D("83.6")),
    ]
    assert xa["gain"] == D(12) and xa["rate_gain"] == D("10.9")
    xb = rows["甲区乡村小学"]
    # 70 (self) → 81 (result): +11; 63.6% → 73.6%
    assert [(c["score"], c["source"]) for c in xb["cells"]] == [(D(70), "自评"), (D(81), "评审")]
    assert xb["gain"] == D(11) and xb["rate_gain"] == D("10.0")
    ya = rows["乙县城关中学"]
    # 65 (result) → 72 (self): +7; 59.1% → 65.5%
    assert ya["gain"] == D(7) and ya["rate_gain"] == D("6.4")
    assert [r["name"] for r in dashboards.year_over_year(reviewer_scope(dw))["rows"]] == [
        "甲区实验小学",
        "甲区乡村小学",
    ]


@pytest.mark.parametrize("who", ["county_reviewer", "outsider_reviewer"])
def test_reviewer_never_sees_the_other_county(dw: DashWorld, who: str) -> None:
    scope = reviewer_scope(dw, who)
    hidden = "乙县" if who == "county_reviewer" else "甲区"
    for data in (
        dashboards.progress(scope),
        dashboards.score_distribution(scope, "self"),
        dashboards.indicator_heatmap(scope, "self"),
        dashboards.attainment(scope),
        dashboards.score_gap(scope),
        dashboards.year_over_year(scope),
    ):
        assert hidden not in repr(data)
