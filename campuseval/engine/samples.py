"""Random valid answers for a framework: property tests, benchmarks and demo data use them."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from .framework import Framework
from .inputs import InputSpec


def _number(spec: InputSpec, rng: random.Random) -> Decimal:
    low = spec.min if spec.min is not None else Decimal(0)
    high = spec.max if spec.max is not None else (Decimal(100) if spec.percent else low + Decimal(1000))
    if spec.integer:
        return Decimal(rng.randint(int(low), int(high)))
    cents = rng.randint(int(low * 10), int(high * 10))
    return Decimal(cents) / Decimal(10)


def random_value(spec: InputSpec, rng: random.Random, as_of: dt.date) -> Any:
    """One valid raw value for an input, as a school could type it."""
    if spec.type == "number":
        return _number(spec, rng)
    if spec.type == "bool":
        return rng.random() < 0.7
    if spec.type == "choice":
        return rng.choice(spec.options)
    if spec.type == "multi":
        return rng.sample(list(spec.options), rng.randint(0, len(spec.options)))
    if spec.type == "text":
        return rng.choice(["已建成", "正在推进", "有典型案例"])
    if spec.type == "date":
        return as_of - dt.timedelta(days=rng.randint(0, 3650))
    if spec.type == "items":
        items = []
        for index in range(rng.randint(0, 6)):
            item: dict[str, Any] = {}
            for sub in spec.fields:
                if sub.key in ("case", "name", "category") and sub.type == "text":
                    item[sub.key] = f"案例{rng.randint(1, 8)}" if sub.key == "case" else f"条目{index}"
                else:
                    item[sub.key] = random_value(sub, rng, as_of)
            items.append(item)
        return items
    raise ValueError(spec.type)


def random_answers(fw: Framework, rng: random.Random, as_of: dt.date, *, answered: float = 0.9) -> dict[str, Any]:
    """An answer document with about `answered` of the leaves filled, all values valid."""
    answers: dict[str, dict[str, Any]] = {}
    for leaf in fw.leaves():
        if rng.random() > answered:
            continue
        values = {key: random_value(spec, rng, as_of) for key, spec in leaf.inputs.items()}
        if leaf.rule is not None:
            leaf.rule.fix_sample(values, rng)
        answers[leaf.code] = values
    doc: dict[str, Any] = {"answers": answers}
    if fw.context:
        doc["context"] = {key: random_value(spec, rng, as_of) for key, spec in fw.context.items()}
    choose = fw.choose_one_nodes()
    if choose:
        doc["choices"] = {node.code: rng.choice(node.children).code for node in choose}
    if fw.eligibility and fw.eligibility.exclusions:
        doc["declarations"] = {e.key: rng.random() < 0.1 for e in fw.eligibility.exclusions}
    return doc
