"""What scoring needs from a framework, worked out once per framework object, and the
policies around a leaf's own rule: cap and rounding, choose-one alternatives, and "the same case
counts once". The full walk (`scoring.score_clean`) and the totals-only code generator in
benchmarks/totals_codegen.py both build on these."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .answers import CleanAnswers
from .framework import Framework, Indicator
from .numbers import ROUNDING_MODES, ZERO
from .rules import Env


@dataclass(frozen=True)
class LeafPlan:
    node: Indicator
    required: tuple[tuple[str, str], ...]
    context_required: tuple[tuple[str, str], ...]
    required_keys: frozenset[str]
    context_keys: frozenset[str]
    #: the rule asks some optional inputs only of some applicants (`Rule.conditional_inputs`)
    conditional: bool = False

    def answered(self, values: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
        """Every required input (and every context input the rule reads, and every optional
        input the rule needs for this applicant's context) is given."""
        if not values.keys() >= self.required_keys:
            return False
        if self.context_keys and not context.keys() >= self.context_keys:
            return False
        if self.conditional:
            assert self.node.rule is not None
            return values.keys() >= self.node.rule.conditional_inputs(context)
        return True

    def missing(self, values: Mapping[str, Any], context: Mapping[str, Any]) -> list[str]:
        """Labels of what `answered` finds missing, in the file's order."""
        found = [label for key, label in self.required if key not in values]
        found += [label for key, label in self.context_required if key not in context]
        if self.conditional:
            assert self.node.rule is not None
            needed = self.node.rule.conditional_inputs(context)
            found += [s.label for k, s in self.node.inputs.items() if k in needed and k not in values]
        return found


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
                conditional=node.rule.has_conditional_inputs(),
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


#: the most ways of sharing out a framework's shared cases that are tried one by one; beyond
#: it, cases are moved one at a time while that raises the total (see `excluded_cases`)
SHARE_LIMIT = 512
#: rounds of single moves tried beyond SHARE_LIMIT
MOVE_ROUNDS = 4


def excluded_cases(fw: Framework, answers: CleanAnswers, not_chosen: set[str]) -> dict[str, dict[str, str]]:
    """For "the same case counts once" policies: leaf code → {case: the leaf that scores it}
    for every case this leaf must leave out.

    Why not simply "where the case's own item earns most": an indicator already at its cap
    gains nothing from one more case, while the indicator it is taken from loses it (three
    national cases in 7.1, capped, and one of them also in 7.2 left 7.2 at 0). So every way
    of giving each shared case (one listed by two or more leaves) to one of the leaves listing
    it is scored with the leaves' own rules and caps, and the way with the highest total wins.
    Ties: the way met first when the cases are taken in the order they first appear in the
    policy's indicators and each goes to the earliest indicator that lists it — in words,
    同分时归入编码在前的指标. With more than SHARE_LIMIT ways, start from each case at its
    best item and move one case at a time while the total rises (still deterministic)."""
    plan = scoring_plan(fw)
    excluded: dict[str, dict[str, str]] = {}
    context, as_of = answers.context, answers.as_of
    for policy in fw.case_policies:
        #: case → leaves listing it (policy order), with its best item's points in each
        listed: dict[str, list[tuple[str, Decimal]]] = {}
        for code in policy.indicators:
            leaf_plan = plan.leaves.get(code)
            values = answers.values.get(code, {})
            if code in not_chosen or leaf_plan is None or not leaf_plan.answered(values, context):
                continue
            node = leaf_plan.node
            assert node.rule is not None
            env = Env(
                code=node.code,
                points=node.points,
                values=values,
                context=context,
                inputs=node.inputs,
                context_inputs=fw.context,
                as_of=as_of,
                windows=fw.windows,
            )
            for claim in node.rule.case_claims(env):
                owners = listed.setdefault(claim.case, [])
                if owners and owners[-1][0] == code:  # two parts of one leaf: one owner
                    owners[-1] = (code, max(owners[-1][1], claim.points))
                else:
                    owners.append((code, claim.points))
        shared = {case: owners for case, owners in listed.items() if len(owners) > 1}
        if not shared:
            continue
        cases = list(shared)
        best_choice = _share_out(plan, answers, policy.indicators, shared)
        for case, owner in zip(cases, best_choice, strict=True):
            for code, _ in shared[case]:
                if code != owner:
                    excluded.setdefault(code, {})[case] = owner
    return excluded


def _share_out(
    plan: ScoringPlan,
    answers: CleanAnswers,
    order: tuple[str, ...],
    shared: Mapping[str, list[tuple[str, Decimal]]],
) -> tuple[str, ...]:
    """The leaf each shared case goes to (in `shared`'s order), as `excluded_cases` explains."""
    cases = list(shared)
    involved = sorted({code for owners in shared.values() for code, _ in owners}, key=order.index)
    context, as_of = answers.context, answers.as_of

    def total(choice: tuple[str, ...]) -> Decimal:
        """The involved leaves' points (each capped at its indicator) when case i goes to choice[i]."""
        left_out: dict[str, dict[str, str]] = {}
        for case, owner in zip(cases, choice, strict=True):
            for code, _ in shared[case]:
                if code != owner:
                    left_out.setdefault(code, {})[case] = owner
        points = ZERO
        for code in involved:
            node = plan.leaves[code].node
            assert node.rule is not None
            raw = node.rule.fast(answers.values.get(code, {}), context, as_of, left_out.get(code, {}))
            points += min(raw, node.points)
        return points

    options = [tuple(code for code, _ in shared[case]) for case in cases]
    ways = 1
    for owners in options:
        ways *= len(owners)
    if ways <= SHARE_LIMIT:
        best_choice: tuple[str, ...] = ()
        best_total: Decimal | None = None
        for choice in itertools.product(*options):
            got = total(choice)
            if best_total is None or got > best_total:
                best_choice, best_total = choice, got
        return best_choice
    # each case at its best item (ties: the earlier indicator), then single moves while they help:
    # a move changes only the leaf the case leaves and the leaf it joins, so only those two are
    # scored again, and at most MOVE_ROUNDS rounds are made (bounded work on 200-item lists)
    placed: list[str] = []
    for case in cases:
        top = max(points for _, points in shared[case])
        placed.append(next(code for code, points in shared[case] if points == top))

    def leaf_points(code: str, left_out: Mapping[str, str]) -> Decimal:
        node = plan.leaves[code].node
        assert node.rule is not None
        raw = node.rule.fast(answers.values.get(code, {}), context, as_of, left_out)
        return min(raw, node.points)

    left_out: dict[str, dict[str, str]] = {code: {} for code in involved}
    for case, owner in zip(cases, placed, strict=True):
        for code, _ in shared[case]:
            if code != owner:
                left_out[code][case] = owner
    current = {code: leaf_points(code, left_out[code]) for code in involved}
    for _ in range(MOVE_ROUNDS):
        improved = False
        for index, (case, owners) in enumerate(zip(cases, options, strict=True)):
            for owner in owners:
                held = placed[index]
                if owner == held:
                    continue
                leaving = {**left_out[held], case: owner}
                joining = {k: v for k, v in left_out[owner].items() if k != case}
                now_held, now_owner = leaf_points(held, leaving), leaf_points(owner, joining)
                if now_held + now_owner > current[held] + current[owner]:
                    left_out[held], left_out[owner] = leaving, joining
                    current[held], current[owner] = now_held, now_owner
                    for code, _ in shared[case]:
                        if code not in (held, owner):
                            left_out[code][case] = owner
                    placed[index] = owner
                    improved = True
        if not improved:
            break
    return tuple(placed)
