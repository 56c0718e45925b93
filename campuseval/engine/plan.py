"""What scoring needs from a framework, worked out once per framework object, and the
policies around a leaf's own rule: cap and rounding, choose-one alternatives, and "the same case
counts once". The full walk (`scoring.score_clean`) and the totals-only code generator in
benchmarks/totals_codegen.py both build on these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .answers import CleanAnswers
from .framework import Framework, Indicator
from .numbers import ROUNDING_MODES
from .rules import Env


@dataclass(frozen=True)
class LeafPlan:
    node: Indicator
    required: tuple[tuple[str, str], ...]
    context_required: tuple[tuple[str, str], ...]
    required_keys: frozenset[str]
    context_keys: frozenset[str]

    def answered(self, values: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
        """Every required input (and every context input the rule reads) is given."""
        return values.keys() >= self.required_keys and (not self.context_keys or context.keys() >= self.context_keys)


@dataclass(frozen=True)
class ScoringPlan:
    """What scoring needs from a framework, worked out once per framework object."""

    order: tuple[Indicator, ...]
    #: every indicator after its children: the order results are worked out in
    postorder: tuple[Indicator, ...]
    leaves: dict[str, LeafPlan]
    choose_one: tuple[Indicator, ...]
    marked: tuple[Indicator, ...]
    #: the rounding step and mode of `fw.places` / `fw.rounding_mode`
    exponent: Decimal
    rounding: str
    #: leaf code → keys of its reviewer-decided inputs (`Framework.reviewer_decided_inputs`)
    reviewer_decided: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_PLANS: dict[int, tuple[Framework, ScoringPlan]] = {}


def scoring_plan(fw: Framework) -> ScoringPlan:
    cached = _PLANS.get(id(fw))
    if cached is not None and cached[0] is fw:
        return cached[1]
    order = tuple(fw.walk())
    leaves = {}
    for node in order:
        if node.is_leaf and node.rule is not None:
            used = node.rule.input_keys()
            required = tuple((k, s.label) for k, s in node.inputs.items() if not s.optional)
            context_required = tuple((k, s.label) for k, s in fw.context.items() if k in used)
            leaves[node.code] = LeafPlan(
                node=node,
                required=required,
                context_required=context_required,
                required_keys=frozenset(k for k, _ in required),
                context_keys=frozenset(k for k, _ in context_required),
            )
    postorder: list[Indicator] = []

    def after_children(node: Indicator) -> None:
        for child in node.children:
            after_children(child)
        postorder.append(node)

    for top in fw.indicators:
        after_children(top)
    plan = ScoringPlan(
        order=order,
        postorder=tuple(postorder),
        leaves=leaves,
        choose_one=tuple(n for n in order if n.choose_one),
        marked=tuple(n for n in order if any(m.kind != "bonus" for m in n.marks)),
        exponent=Decimal(1).scaleb(-fw.places),
        rounding=ROUNDING_MODES[fw.rounding_mode],
        reviewer_decided={code: tuple(keys) for code, keys in fw.reviewer_decided_inputs().items()},
    )
    _PLANS[id(fw)] = (fw, plan)
    return plan


def leaf_points(raw: Decimal, cap: Decimal, exponent: Decimal, rounding: str) -> Decimal:
    """A leaf's points from its rule's: at most the indicator's points, and rounded to the
    framework's places (`exponent`, `rounding`) only when not a whole number."""
    capped = raw if raw <= cap else cap
    return capped if capped == capped.to_integral_value() else capped.quantize(exponent, rounding=rounding)


def not_chosen_codes(fw: Framework, choices: Mapping[str, str]) -> set[str]:
    """Codes (every level) under the alternatives of choose-one sections that were not chosen."""
    not_chosen: set[str] = set()
    for node in scoring_plan(fw).choose_one:
        chosen = choices.get(node.code)
        for child in node.children:
            if child.code != chosen:
                not_chosen.update(n.code for n in child.walk())
    return not_chosen


def excluded_cases(fw: Framework, answers: CleanAnswers, not_chosen: set[str]) -> dict[str, dict[str, str]]:
    """For "the same case counts once" policies: leaf code → {case: the leaf that scores it}
    for every case this leaf must leave out, because another indicator earns more with it."""
    plan = scoring_plan(fw)
    excluded: dict[str, dict[str, str]] = {}
    for policy in fw.case_policies:
        best: dict[str, tuple[Decimal, int, str]] = {}
        for order, code in enumerate(policy.indicators):
            leaf_plan = plan.leaves.get(code)
            values = answers.values.get(code, {})
            if code in not_chosen or leaf_plan is None or not leaf_plan.answered(values, answers.context):
                continue
            node = leaf_plan.node
            assert node.rule is not None
            env = Env(
                code=node.code,
                points=node.points,
                values=values,
                context=answers.context,
                inputs=node.inputs,
                context_inputs=fw.context,
                as_of=answers.as_of,
                windows=fw.windows,
            )
            for claim in node.rule.case_claims(env):
                current = best.get(claim.case)
                if current is None or claim.points > current[0]:
                    best[claim.case] = (claim.points, order, code)
        for case, (_, _, owner) in best.items():
            for code in policy.indicators:
                if code != owner:
                    excluded.setdefault(code, {})[case] = owner
    return excluded
