"""A rule chosen by a framework-wide answer such as the school's stage.

Why a type of its own: some indicators ask more of some schools than of others, inside the
same points. Taizhou 2022 一(三)6 ★: 建有信息化创新实践场所。高中学校建有数字化实验室 (one point;
a primary school earns it with the practice space alone, a high school needs the digital
laboratory too); 四(一)2 and 四(五)5 add 生涯规划 for 高中阶段. `ratio_by_context` only switches a
threshold; here the whole rule switches, so every case is an ordinary rule of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from random import Random
from typing import Any

from ..numbers import ZERO
from . import build_rule, register
from .base import CaseClaim, Env, Outcome, PointsFn, Rule


@register
class ByContext(Rule):
    """`context`: a choice input of the framework's `context` (e.g. stage). `cases`: a list of
    `{when: [options], rule: {...}, label: text}`; every option of the context input belongs to
    exactly one case. The case of the answered option scores; its `label` (what that case asks
    more or less) is cited in the explanation. A leaf using this rule is unanswered until the
    context is given, like any rule reading the context.

    An input declared `optional` that some cases read and others do not is asked only of the
    applicants whose case reads it: a primary school leaves 建有数字化实验室 blank and still
    scores; a high school that leaves it blank is unanswered (`conditional_inputs`)."""

    type_name = "by_context"
    params = frozenset({"context", "cases"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        key = spec.get("context")
        if not isinstance(key, str) or key not in ctx.context_inputs:
            raise ValueError(
                "by_context 的 context 应为框架 context 中的输入 / context must be a framework context input"
            )
        self.context_key = self._input(key, types=("choice",))
        options = ctx.context_inputs[key].options
        raw = spec.get("cases")
        if not isinstance(raw, list) or len(raw) < 2:
            raise ValueError("by_context 需要至少两个 cases / by_context needs two or more cases")
        self.cases: list[tuple[tuple[str, ...], Rule, str]] = []
        self.by_option: dict[str, int] = {}
        for case in raw:
            if not isinstance(case, dict) or set(case) - {"when", "rule", "label"}:
                raise ValueError("每个 case 只能有 when、rule、label / each case has when, rule and label only")
            when = case.get("when")
            if not isinstance(when, list) or not when:
                raise ValueError("case 的 when 应为选项列表 / when must list options")
            for option in when:
                if str(option) not in options:
                    raise ValueError(f"when 中的「{option}」不是 {key} 的选项 / unknown option {option}")
                if str(option) in self.by_option:
                    raise ValueError(f"选项「{option}」出现在两个 case 中 / option {option} in two cases")
                self.by_option[str(option)] = len(self.cases)
            if "rule" not in case:
                raise ValueError("case 缺少 rule / case without rule")
            self.cases.append((tuple(str(o) for o in when), build_rule(case["rule"], ctx), str(case.get("label", ""))))
        missing = [o for o in options if o not in self.by_option]
        if missing:
            raise ValueError(f"选项 {missing} 不属于任何 case / options {missing} belong to no case")
        read = [rule.input_keys() for _, rule, _ in self.cases]
        everywhere = set.intersection(*read)
        #: per case, the optional inputs only some cases read: needed when that case applies
        self.needs: list[frozenset[str]] = [
            frozenset(k for k in keys - everywhere if k in ctx.inputs and ctx.inputs[k].optional) for keys in read
        ]

    def input_keys(self) -> set[str]:
        keys: set[str] = {self.context_key}
        for _, rule, _ in self.cases:
            keys |= rule.input_keys()
        return keys

    def max_points(self) -> Decimal:
        return max(rule.max_points() for _, rule, _ in self.cases)

    def min_points(self) -> Decimal:
        return min(rule.min_points() for _, rule, _ in self.cases)

    def fix_sample(self, values: dict[str, Any], rng: Random) -> None:
        for _, rule, _ in self.cases:
            rule.fix_sample(values, rng)

    def _option(self, values: Mapping[str, Any], context: Mapping[str, Any]) -> str:
        return str(context.get(self.context_key, values.get(self.context_key)))

    def _case(self, env: Env) -> tuple[str, Rule, str]:
        option = self._option(env.values, env.context)
        _, rule, label = self.cases[self.by_option[option]]
        return option, rule, label

    def conditional_inputs(self, context: Mapping[str, Any]) -> frozenset[str]:
        option = context.get(self.context_key)
        if option is None:
            return frozenset()
        return self.needs[self.by_option[str(option)]]

    def has_conditional_inputs(self) -> bool:
        return any(self.needs)

    def compile(self) -> PointsFn:
        option_of = self._option
        by_option = {option: self.cases[index][1].fast for option, index in self.by_option.items()}
        needs = {option: self.needs[index] for option, index in self.by_option.items()}

        def fn(v: Mapping[str, Any], c: Mapping[str, Any], a: dt.date, x: Mapping[str, str]) -> Decimal:
            option = option_of(v, c)
            need = needs[option]
            if need and not v.keys() >= need:
                # unanswered for this applicant (see `conditional_inputs`): nothing counts
                return ZERO
            return by_option[option](v, c, a, x)

        return fn

    def case_claims(self, env: Env) -> list[CaseClaim]:
        if self.context_key not in env.context:
            return []
        return self._case(env)[1].case_claims(env)

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)

        def explain() -> str:
            option, rule, label = self._case(env)
            head = f"{env.label(self.context_key)}：{option}" + (f"（{label}）" if label else "")
            return f"{head}；{rule.evaluate(env).explanation}"

        return Outcome(points, explain)
