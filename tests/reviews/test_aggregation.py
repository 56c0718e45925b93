"""Aggregation and ranking rules, computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from campuseval.reviews.aggregation import Candidate, ExpertSheet, Settings, aggregate, combine, rank


def sheets(*totals: str, indicator: dict[str, list[str]] | None = None) -> list[ExpertSheet]:
    out = []
    for i, total in enumerate(totals):
        ind = {code: D(values[i]) for code, values in (indicator or {}).items()}
        out.append(ExpertSheet(expert=f"e{i}", total=D(total), indicators=ind))
    return out


def test_mean_median_trimmed() -> None:
    values = [D(80), D(90), D(70), D(100), D(60)]
    assert combine(values, "mean") == D(80)
    assert combine(values, "median") == D(80)
    assert combine([D(60), D(70), D(90), D(100), D(95)], "trimmed_mean") == D(85)
    assert combine([D(60), D(100), D(95), D(70)], "trimmed_mean") == D("81.25")


def test_trimmed_mean_only_drops_with_five_or_more() -> None:
    result = aggregate(sheets("70", "80", "95"), Settings(method="trimmed_mean"))
    assert result.score == D("81.67")
    result = aggregate(sheets("70", "80", "95", "85", "60"), Settings(method="trimmed_mean"))
    assert result.score == D("78.33")
    assert "去掉一个最高分和一个最低分" in result.method


def test_trimmed_mean_with_fewer_than_five_says_it_fell_back_to_the_mean() -> None:
    result = aggregate(sheets("70", "80", "95"), Settings(method="trimmed_mean"))
    assert result.method == "去掉最高最低分后平均（本项仅 3 位专家，按算术平均），按总分汇总"
    five = aggregate(sheets("70", "80", "95", "85", "60"), Settings(method="trimmed_mean"))
    assert "按算术平均" not in five.method and "5 位专家" in five.method
    weighted = Settings(method="trimmed_mean", site_weight=D("0.3"))
    site = aggregate(sheets("70", "80", "95", "85", "60"), weighted, site_sheets=sheets("70", "72"))
    assert "实地考察/答辩仅 2 位专家，按算术平均" in site.method and "本项仅" not in site.method
    assert "按算术平均" not in aggregate(sheets("70", "80"), Settings(method="mean")).method


def test_indicator_level_sums_indicator_aggregates() -> None:
    data = sheets("10", "6", indicator={"1.1": ["8", "4"], "1.2": ["2", "2"]})
    result = aggregate(data, Settings(method="mean", level="indicator"))
    assert result.indicators == {"1.1": D(6), "1.2": D(2)}
    assert result.score == D(8)


def test_site_weight() -> None:
    result = aggregate(sheets("80", "90"), Settings(site_weight=D("0.3")), site_sheets=sheets("70"))
    assert (result.materials, result.site, result.score) == (D(85), D(70), D("80.50"))
    assert "材料评审 70% + 实地考察/答辩 30%" in result.method
    with pytest.raises(ValueError, match="尚无评分"):
        aggregate(sheets("80"), Settings(site_weight=D("0.3")))


def test_divergence_on_total_and_indicator() -> None:
    data = sheets("90", "70", indicator={"4.1": ["10", "3"], "1.1": ["8", "6"]})
    flagged = aggregate(data, Settings(divergence_total=D(15)))
    assert flagged.divergent and flagged.spread_total == D(20)
    calm = aggregate(data, Settings(divergence_total=D(20)))
    assert not calm.divergent
    by_indicator = aggregate(data, Settings(divergence_indicator=D(5)))
    assert by_indicator.divergent and by_indicator.spread_indicators == {"4.1": D(7)}


def cand(key: str, score: str, rural: bool = False, eligible: bool = True, materials: str = "0") -> Candidate:
    return Candidate(
        key=key, name=key, score=D(score), rural=rural, eligible=eligible, tiebreak=(D(materials),), code=key
    )


def test_rank_with_ties_and_rural_reservation() -> None:
    cands = [
        cand("A", "95"),
        cand("B", "90", materials="88"),
        cand("C", "90", materials="80"),
        cand("D", "85"),
        cand("E", "80", rural=True),
        cand("F", "99", eligible=False),
        cand("G", "70", rural=True),
    ]
    ranked, rule = rank(cands, places=3, rural_places=1)
    by_key = {r.candidate.key: r for r in ranked}
    assert [r.candidate.key for r in ranked if r.rank] == ["A", "B", "C", "D", "E", "G"]
    assert by_key["B"].rank == 2 and by_key["C"].rank == 3
    assert {k for k, r in by_key.items() if r.selected} == {"A", "B", "E"}
    assert by_key["E"].note == "乡村预留名额入选"
    assert by_key["C"].note == "因乡村预留名额未入选"
    assert by_key["F"].rank is None and "不符合资格条件" in by_key["F"].note
    assert "其中乡村学校至少 1 个" in rule


def test_equal_scores_and_tiebreaks_share_a_rank() -> None:
    ranked, _ = rank([cand("A", "90"), cand("B", "90"), cand("C", "80")], places=None)
    assert [r.rank for r in ranked] == [1, 1, 3]


def test_rural_share_rounds_up() -> None:
    cands = [cand(str(i), str(100 - i)) for i in range(10)] + [
        cand("R1", "50", rural=True),
        cand("R2", "40", rural=True),
    ]
    ranked, _ = rank(cands, places=5, rural_share=D("0.3"))
    assert sum(1 for r in ranked if r.selected and r.candidate.rural) == 2
    assert sum(1 for r in ranked if r.selected) == 5
