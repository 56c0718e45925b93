"""Small helpers shared by engine tests: score a dict of answers and read points back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from campuseval.engine import Framework, ScoreResult, load_framework, score
from campuseval.engine.yamlio import load_yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "campuseval" / "frameworks" / "examples"


def run(
    framework: str | Framework,
    answers: dict[str, Any] | None = None,
    *,
    as_of: dt.date = dt.date(2024, 5, 30),
    **extra: Any,
) -> ScoreResult:
    """Score `answers` (code -> fields) plus top-level keys such as context= or choices=."""
    fw = load_framework(framework) if isinstance(framework, str) else framework
    document: dict[str, Any] = {"answers": answers or {}}
    document.update(extra)
    return score(fw, document, as_of=as_of)


def points(result: ScoreResult, code: str) -> Decimal:
    return result.indicators[code].points


def example(name: str) -> dict[str, Any]:
    """An answer file from campuseval/frameworks/examples/ (e.g. "bozhou-2024-school.full")."""
    data = load_yaml((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


D = Decimal
