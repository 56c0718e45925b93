"""Rule types. Each lives in its own module of this package and registers itself with
`@register`; adding a rule type means adding one module here, nothing else. A type's points
are computed by its `compile` (what `evaluate`, full scoring and the fast totals all use)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Any

from .base import BuildContext, CaseClaim, Env, Outcome, PointsFn, Rule, Window

REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: make a rule type available to framework files by its `type_name`."""
    if not cls.type_name:
        raise TypeError(f"{cls.__name__} has no type_name")
    if cls.type_name in REGISTRY and REGISTRY[cls.type_name] is not cls:
        raise TypeError(f"rule type {cls.type_name} registered twice")
    REGISTRY[cls.type_name] = cls
    return cls


def build_rule(spec: Mapping[str, Any], ctx: BuildContext) -> Rule:
    """Build a rule from its YAML mapping; ValueError names what is wrong in both languages."""
    if not isinstance(spec, Mapping):
        raise ValueError("rule 应为映射 / rule must be a mapping")
    kind = spec.get("type")
    cls = REGISTRY.get(str(kind))
    if cls is None:
        known = ", ".join(sorted(REGISTRY))
        raise ValueError(f"未知的规则类型 {kind!r}（可用：{known}）/ unknown rule type")
    unknown = set(spec) - {"type", "note", "label"} - cls.params
    if unknown:
        raise ValueError(f"规则 {kind} 有未知参数 {sorted(unknown)} / unknown parameters for rule {kind}")
    return cls(spec, ctx)


def _load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")


_load_all()

__all__ = [
    "REGISTRY",
    "BuildContext",
    "CaseClaim",
    "Env",
    "Outcome",
    "PointsFn",
    "Rule",
    "Window",
    "build_rule",
    "register",
]
