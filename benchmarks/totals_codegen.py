"""Totals only, by code generation: the benchmark's second loop, beside the full `score_clean`.

Only the benchmark and its tests use this; the platform scores with `score_clean` (the
reviews' result computation needs every indicator's points, not only totals).

`compile_totals(fw)` turns a framework into one function from checked answers to the total
(`compile_subtotals(fw)`: to the points of each top-level indicator), with no per-indicator
result objects and no explanations. This module holds no scoring rule: a leaf's points come
from its rule's own compiled function (`Rule.fast`, or `Rule.table` where the rule reads only
a few yes/no and choice inputs), and the policies around them are the engine's public helpers
in `campuseval.engine.plan`: `leaf_points` (cap and rounding), `not_chosen_codes` (choose-one),
`excluded_cases` (the same case counts once). What is left here is walking the tree, unrolled into one generated
function: one block per leaf, no recursion, no per-call attribute look-ups. Every framework's
totals and subtotals are tested equal to `score_clean`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from campuseval.engine import CleanAnswers, Framework, Indicator
from campuseval.engine.numbers import ZERO
from campuseval.engine.plan import LeafPlan, excluded_cases, leaf_points, not_chosen_codes, scoring_plan
from campuseval.engine.rules.base import NO_CASES

Totals = Callable[[CleanAnswers], Decimal]
Subtotals = Callable[[CleanAnswers], dict[str, Decimal]]

_COMPILED: dict[tuple[int, str], tuple[Framework, Callable[[CleanAnswers], Any]]] = {}


def compile_totals(fw: Framework) -> Totals:
    """A function from checked answers to the framework's total (base + bonus), equal to
    `score_clean(fw, answers).total`. Overrides by reviewers are not applied."""
    function: Totals = _compiled(fw, "total")
    return function


def compile_subtotals(fw: Framework) -> Subtotals:
    """A function from checked answers to each top-level indicator's points, equal to
    `score_clean(fw, answers).indicators[code].points` for those codes."""
    tops = _compiled(fw, "tops")
    codes = tuple(top.code for top in fw.indicators)

    def subtotals(answers: CleanAnswers) -> dict[str, Decimal]:
        return dict(zip(codes, tops(answers), strict=True))

    return subtotals


def _compiled(fw: Framework, returns: str) -> Callable[[CleanAnswers], Any]:
    cached = _COMPILED.get((id(fw), returns))
    if cached is not None and cached[0] is fw:
        return cached[1]
    function = _generate(fw, returns)
    _COMPILED[(id(fw), returns)] = (fw, function)
    return function


class _Source:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 1

    def add(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)


def _generate(fw: Framework, returns: str) -> Callable[[CleanAnswers], Any]:
    plan = scoring_plan(fw)
    namespace: dict[str, Any] = {
        "ZERO": ZERO,
        "EMPTY": {},
        "NX": NO_CASES,
        "FINISH": leaf_points,
        "EXP": plan.exponent,
        "MODE": plan.rounding,
    }
    src = _Source()
    src.add("V = answers.values")
    src.add("C = answers.context")
    src.add("A = answers.as_of")
    if plan.choose_one:
        src.add("CH = answers.choices")
    policy_codes: set[str] = set()
    if fw.case_policies:
        namespace["FW"], namespace["EXCLUDED"], namespace["NOT_CHOSEN"] = fw, excluded_cases, not_chosen_codes
        src.add("X = EXCLUDED(FW, answers, NOT_CHOSEN(FW, answers.choices))")
        policy_codes = {code for policy in fw.case_policies for code in policy.indicators}
    index = 0
    for top_index, top in enumerate(fw.indicators):
        src.add(f"s{top_index} = ZERO")
        for leaf in top.walk():
            if not leaf.is_leaf:
                continue
            index += 1
            _leaf(src, namespace, plan.leaves[leaf.code], leaf, index, f"s{top_index}", leaf.code in policy_codes)
    sums = [f"s{i}" for i in range(len(fw.indicators))]
    if returns == "tops":
        src.add(f"return ({', '.join(sums)},)")
    else:
        src.add(f"return {' + '.join(sums) or 'ZERO'}")
    text = "def run(answers):\n" + "\n".join(src.lines) + "\n"
    # The source is ours, generated from the checked framework: no answer text reaches it, and
    # codes and keys are embedded with repr().
    exec(compile(text, f"<{returns} {fw.id}>", "exec"), namespace)
    function: Callable[[CleanAnswers], Any] = namespace["run"]
    return function


def _leaf(
    src: _Source,
    namespace: dict[str, Any],
    leaf_plan: LeafPlan,
    leaf: Indicator,
    index: int,
    subtotal: str,
    in_policy: bool,
) -> None:
    """One leaf's block: counted only if its alternative is chosen and every required input
    (and context input its rule reads) is given; then its points, capped and rounded."""
    rule = leaf.rule
    assert rule is not None
    depth = src.depth
    alternatives = _alternatives(leaf)
    if alternatives:
        src.add("if " + " and ".join(f"CH.get({parent!r}) == {child!r}" for parent, child in alternatives) + ":")
        src.depth += 1
    required = leaf_plan.required_keys
    tabulated = None if in_policy else rule.table
    if tabulated is not None:
        getter, table = tabulated
        namespace[f"G{index}"] = getter
        exponent, rounding = namespace["EXP"], namespace["MODE"]
        namespace[f"T{index}"] = {key: leaf_points(raw, leaf.points, exponent, rounding) for key, raw in table.items()}
        keys = rule.input_keys()
        if keys == required and not leaf_plan.context_keys:
            # A missing answer or input shows as KeyError: nothing to add.
            src.add("try:")
            src.add(f"    k = G{index}(V[{leaf.code!r}])")
            src.add("except KeyError:")
            src.add("    pass")
            src.add("else:")
            src.add(f"    {subtotal} += T{index}[k]")
            src.depth = depth
            return
    namespace[f"R{index}"] = required
    condition = f"v.keys() >= R{index}"
    if leaf_plan.context_keys:
        namespace[f"CK{index}"] = leaf_plan.context_keys
        condition += f" and C.keys() >= CK{index}"
    src.add(f"v = V.get({leaf.code!r}, EMPTY)")
    src.add(f"if {condition}:")
    if tabulated is not None:
        src.add(f"    {subtotal} += T{index}[G{index}(v)]")
    else:
        namespace[f"F{index}"] = rule.fast
        namespace[f"CAP{index}"] = leaf.points
        cases = f"X.get({leaf.code!r}, NX)" if in_policy else "NX"
        # FINISH (cap and rounding) leaves a whole number within the cap as it is: skip the call.
        src.add(f"    p = F{index}(v, C, A, {cases})")
        src.add(f"    if p > CAP{index} or p != p.to_integral_value():")
        src.add(f"        p = FINISH(p, CAP{index}, EXP, MODE)")
        src.add(f"    {subtotal} += p")
    src.depth = depth


def _alternatives(leaf: Indicator) -> tuple[tuple[str, str], ...]:
    """(choose-one parent, alternative) pairs a leaf sits under: it counts only if chosen."""
    pairs = []
    node: Indicator | None = leaf
    while node is not None and node.parent is not None:
        if node.parent.choose_one:
            pairs.append((node.parent.code, node.code))
        node = node.parent
    return tuple(pairs)
