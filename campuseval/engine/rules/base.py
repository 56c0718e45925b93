"""The base every rule type extends, and the environment a rule evaluates in."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from operator import itemgetter
from random import Random
from typing import Any, ClassVar

from ..inputs import InputSpec
from ..numbers import ZERO, to_decimal

#: A rule's points without explanation: (values, context, as_of, excluded_cases) -> points.
#: `values` are the indicator's cleaned inputs, `context` the framework-wide ones, `as_of` the
#: reference date, `excluded_cases` cases another indicator scores (see `Env.excluded_cases`).
PointsFn = Callable[[Mapping[str, Any], Mapping[str, Any], dt.date, Mapping[str, str]], Decimal]

#: Input types with few possible values, and the most combinations a rule is tabulated for.
FINITE_TYPES = ("bool", "choice")
TABLE_LIMIT = 1024
NO_CASES: Mapping[str, str] = {}


@dataclass(frozen=True)
class Window:
    """A time window such as 近五年 (since 2019-01-01) or 近两年 (two years before as-of)."""

    name: str
    since: dt.date | None = None
    years: int | None = None

    def start(self, as_of: dt.date) -> dt.date:
        if self.since is not None:
            return self.since
        assert self.years is not None
        try:
            return as_of.replace(year=as_of.year - self.years)
        except ValueError:  # 29 February
            return as_of.replace(year=as_of.year - self.years, day=28)

    def describe(self, as_of: dt.date) -> str:
        return f"{self.name}（{self.start(as_of).isoformat()} 起）"


@dataclass(frozen=True)
class BuildContext:
    """What a rule may look up while it is built: the indicator's inputs and the framework's."""

    code: str
    points: Decimal
    inputs: Mapping[str, InputSpec]
    context_inputs: Mapping[str, InputSpec]
    windows: Mapping[str, Window]


@dataclass(slots=True)
class Env:
    """What a rule sees while it evaluates: cleaned values and the framework's settings.
    One per indicator evaluation: lazy explanations keep a reference to it."""

    code: str
    points: Decimal
    values: Mapping[str, Any]
    context: Mapping[str, Any]
    inputs: Mapping[str, InputSpec]
    context_inputs: Mapping[str, InputSpec]
    as_of: dt.date
    windows: Mapping[str, Window]
    excluded_cases: Mapping[str, str] = field(default_factory=dict)

    def label(self, key: str) -> str:
        spec = self.inputs.get(key) or self.context_inputs.get(key)
        return spec.label if spec else key

    def unit(self, key: str) -> str:
        spec = self.inputs.get(key) or self.context_inputs.get(key)
        return spec.unit if spec else ""


class Outcome:
    """A rule's result before the indicator's cap and rounding: points and a Chinese line.

    The line may be given as a function; it is then written only when someone reads it, so
    bulk scoring (rankings, benchmarks) pays for arithmetic, not for prose."""

    __slots__ = ("_explain", "points")

    def __init__(self, points: Decimal, explanation: str | Callable[[], str]) -> None:
        self.points = points
        self._explain = explanation

    @property
    def explanation(self) -> str:
        if not isinstance(self._explain, str):
            self._explain = self._explain()
        return self._explain


@dataclass(frozen=True)
class CaseClaim:
    """A case (作品/案例/课题) an item-based rule would score, for "the same case counts once"."""

    case: str
    points: Decimal


class Rule:
    """One scoring rule shape. Subclasses set `type_name`, parse their spec in `__init__`,
    and implement `max_points`, `compile` and `evaluate`. Registering is the `@register`
    decorator.

    Points are computed by one piece of code: `compile` returns a function from answers to
    points (no explanation; what totals, rankings and the benchmark run), and `evaluate` takes
    its points from that same function (`self.points_for(env)`) and adds the Chinese line. A rule
    that does not override `compile` is scored through its `evaluate` (then `evaluate` must
    not call `points_for`)."""

    type_name: ClassVar[str] = ""
    #: keys of the spec this rule accepts besides `type`; others are refused at load time
    params: ClassVar[frozenset[str]] = frozenset()
    #: whether the points depend on nothing but the values of `input_keys()`, so that a rule
    #: reading only yes/no and choice inputs may be tabulated (see `table`)
    tabulate: ClassVar[bool] = True

    def __init__(self, spec: Mapping[str, Any], ctx: BuildContext) -> None:
        self.spec = spec
        self.ctx = ctx

    # --- helpers for subclasses -------------------------------------------------------
    def _input(self, key: object, *, types: tuple[str, ...]) -> str:
        if not isinstance(key, str) or not key:
            raise ValueError(f"规则 {self.type_name} 需要输入名 / needs an input key")
        spec = self.ctx.inputs.get(key) or self.ctx.context_inputs.get(key)
        if spec is None:
            raise ValueError(f"规则引用了未声明的输入 {key} / rule uses unknown input {key}")
        if spec.type not in types:
            raise ValueError(
                f"输入 {key} 的类型 {spec.type} 不适用于规则 {self.type_name}（需要 {'/'.join(types)}）"
                f" / input type {spec.type} does not suit rule {self.type_name}"
            )
        return key

    def _label(self, key: str) -> str:
        """The input's Chinese label, as `Env.label` gives it (for messages raised while scoring)."""
        spec = self.ctx.inputs.get(key) or self.ctx.context_inputs.get(key)
        return spec.label if spec else key

    def _decimal(self, name: str, default: Decimal | None = None) -> Decimal:
        raw = self.spec.get(name)
        if raw is None:
            if default is None:
                raise ValueError(f"规则 {self.type_name} 缺少参数 {name} / missing parameter {name}")
            return default
        return to_decimal(raw)

    # --- what a rule tells the engine -----------------------------------------------
    def input_keys(self) -> set[str]:
        """Indicator (or context) input keys this rule reads."""
        return set()

    def max_points(self) -> Decimal:
        """The most this rule can award; the validator compares it with the indicator's points."""
        raise NotImplementedError

    def min_points(self) -> Decimal:
        return ZERO

    def evaluate(self, env: Env) -> Outcome:
        raise NotImplementedError

    def compile(self) -> PointsFn:
        """This rule's points as a plain function, built once: bind what it needs as locals,
        raise the same ValueError `evaluate` would. The default goes through `evaluate`."""
        ctx, evaluate = self.ctx, self.evaluate

        def points(
            values: Mapping[str, Any], context: Mapping[str, Any], as_of: dt.date, excluded: Mapping[str, str]
        ) -> Decimal:
            env = Env(
                code=ctx.code,
                points=ctx.points,
                values=values,
                context=context,
                inputs=ctx.inputs,
                context_inputs=ctx.context_inputs,
                as_of=as_of,
                windows=ctx.windows,
                excluded_cases=excluded,
            )
            return evaluate(env).points

        return points

    def points_for(self, env: Env) -> Decimal:
        """The rule's points for an evaluation environment, from the compiled function."""
        return self.fast(env.values, env.context, env.as_of, env.excluded_cases)

    @cached_property
    def table(self) -> tuple[Callable[[Mapping[str, Any]], Any], dict[Any, Decimal]] | None:
        """Every possible result, when the rule reads only a few yes/no and choice inputs of its
        indicator: (key function over the values, key → points), worked out once by running
        the compiled function on each combination. None when that does not apply."""
        keys = sorted(self.input_keys())
        if not self.tabulate or not keys:
            return None
        domains: list[tuple[Any, ...]] = []
        size = 1
        for key in keys:
            spec = self.ctx.inputs.get(key)
            if spec is None or key in self.ctx.context_inputs or spec.type not in FINITE_TYPES:
                return None
            domain: tuple[Any, ...] = (False, True) if spec.type == "bool" else tuple(spec.options)
            size *= len(domain)
            if size > TABLE_LIMIT:
                return None
            domains.append(domain)
        compiled = self.compile()
        getter = itemgetter(*keys)
        table: dict[Any, Decimal] = {}
        some_day = dt.date(2000, 1, 1)  # tabulated rules read no dates
        for combination in itertools.product(*domains):
            values = dict(zip(keys, combination, strict=True))
            try:
                table[getter(values)] = compiled(values, {}, some_day, NO_CASES)
            except ValueError:
                return None
        return getter, table

    @cached_property
    def fast(self) -> PointsFn:
        """The compiled points function, as a table look-up where `table` applies."""
        tabulated = self.table
        if tabulated is None:
            compiled = self.compile()
            if not self.has_conditional_inputs():
                return compiled
            needed = self.conditional_inputs

            def guarded(
                values: Mapping[str, Any], context: Mapping[str, Any], as_of: dt.date, excluded: Mapping[str, str]
            ) -> Decimal:
                # unanswered for this applicant, as `LeafPlan.answered` says: nothing counts (the
                # totals-only code, which checks only the always-required inputs, then agrees)
                if not values.keys() >= needed(context):
                    return ZERO
                return compiled(values, context, as_of, excluded)

            return guarded
        getter, table = tabulated

        def points(
            values: Mapping[str, Any], context: Mapping[str, Any], as_of: dt.date, excluded: Mapping[str, str]
        ) -> Decimal:
            return table[getter(values)]

        return points

    def case_claims(self, env: Env) -> list[CaseClaim]:
        """Cases this rule would score, for framework-wide "same case counts once" policies."""
        return []

    def conditional_inputs(self, context: Mapping[str, Any]) -> frozenset[str]:
        """Optional inputs this rule needs for this applicant's context (a stage-dependent
        question: only a high school answers 建有数字化实验室). Most rules: none."""
        return frozenset()

    def has_conditional_inputs(self) -> bool:
        """Whether `conditional_inputs` can ever name an input (the scoring plan asks once)."""
        return False

    def fix_sample(self, values: dict[str, Any], rng: Random) -> None:
        """Make randomly generated `values` consistent where inputs depend on each other
        (a band's points inside the chosen band); used by property tests and benchmarks."""
