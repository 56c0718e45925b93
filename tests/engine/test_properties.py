"""Property tests over random valid answers for every bundled framework."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.totals_codegen import compile_subtotals, compile_totals
from campuseval.engine import check_framework, clean_answers, framework_paths, load_framework, score, score_clean
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
    fw = load_framework(framework_id)
    answers = clean_answers(fw, random_answers(fw, random.Random(seed), AS_OF, answered=answered), as_of=AS_OF)
    result = score_clean(fw, answers)
    total = compile_totals(fw)(answers)
    assert total == result.total
    assert total.as_tuple() == result.total.as_tuple()  # the same Decimal, exponent included
    tops = compile_subtotals(fw)(answers)
    assert tops == {top.code: result.indicators[top.code].points for top in fw.indicators}


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_compiled_rule_points_equal_evaluate(framework_id: str, seed: int) -> None:
    """Each rule's compiled function (table or closure) gives `evaluate`'s points exactly."""
    from campuseval.engine import clean_answers
    from campuseval.engine.rules import Env

    fw = load_framework(framework_id)
    answers = clean_answers(fw, random_answers(fw, random.Random(seed), AS_OF, answered=1.0), as_of=AS_OF)
    for leaf in fw.leaves():
        rule = leaf.rule
        assert rule is not None
        values = answers.values.get(leaf.code, {})
        if not values.keys() >= {k for k, s in leaf.inputs.items() if not s.optional}:
            continue
        if any(k in fw.context and k not in answers.context for k in rule.input_keys()):
            continue
        env = Env(
            code=leaf.code,
            points=leaf.points,
            values=values,
            context=answers.context,
            inputs=leaf.inputs,
            context_inputs=fw.context,
            as_of=answers.as_of,
            windows=fw.windows,
        )
        fast = rule.fast(values, answers.context, answers.as_of, {})
        compiled = rule.compile()(values, answers.context, answers.as_of, {})
        evaluated = rule.evaluate(env)
        assert fast.as_tuple() == compiled.as_tuple() == evaluated.points.as_tuple(), leaf.code
        assert evaluated.explanation
