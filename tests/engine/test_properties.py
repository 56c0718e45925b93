"""Property tests over random valid answers for every bundled framework."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campuseval.engine import check_framework, framework_paths, load_framework, score
from campuseval.engine.samples import random_answers

AS_OF = dt.date(2024, 5, 30)
FRAMEWORKS = [p.stem for p in framework_paths()]


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_bundled_framework_passes_the_check(framework_id: str) -> None:
    fw = load_framework(framework_id)
    bad = [str(p) for p in fw.problems + check_framework(fw) if p.severity != "note"]
    assert bad == []


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), answered=st.sampled_from([0.0, 0.5, 1.0]))
def test_points_stay_within_bounds_and_add_up(framework_id: str, seed: int, answered: float) -> None:
    fw = load_framework(framework_id)
    result = score(fw, random_answers(fw, random.Random(seed), AS_OF, answered=answered), as_of=AS_OF)
    for node in fw.walk():
        r = result.indicators[node.code]
        assert Decimal(0) <= r.points <= node.points, (node.code, r.points, r.explanation)
        if node.children:
            counted = [
                result.indicators[c.code] for c in node.children if result.indicators[c.code].status != "not_chosen"
            ]
            assert r.points == sum((c.points for c in counted), Decimal(0))
    base = sum((result.indicators[t.code].points for t in fw.indicators if not t.bonus), Decimal(0))
    bonus = sum((result.indicators[t.code].points for t in fw.indicators if t.bonus), Decimal(0))
    assert (result.base_total, result.bonus_total, result.total) == (base, bonus, base + bonus)
    assert result.total <= fw.total + fw.bonus_total
    if answered == 1.0:
        assert result.unanswered == [n.code for n in fw.choose_one_nodes() if n.code not in result.choices]


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_empty_application_scores_zero_and_lists_every_leaf(framework_id: str) -> None:
    fw = load_framework(framework_id)
    result = score(fw, {}, as_of=AS_OF)
    assert result.total == 0
    not_chosen = {c.code for c in fw.walk() if result.indicators[c.code].status == "not_chosen"}
    leaves = [leaf.code for leaf in fw.leaves() if leaf.code not in not_chosen]
    assert [c for c in result.unanswered if c in leaves] == leaves
    assert all(result.indicators[c].explanation for c in leaves)


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), answered=st.sampled_from([0.3, 1.0]))
def test_fast_totals_equal_full_scoring(framework_id: str, seed: int, answered: float) -> None:
    from campuseval.engine import clean_answers, score_clean
    from campuseval.engine.fast import compile_totals

    fw = load_framework(framework_id)
    answers = clean_answers(fw, random_answers(fw, random.Random(seed), AS_OF, answered=answered), as_of=AS_OF)
    assert compile_totals(fw)(answers) == score_clean(fw, answers).total
