"""CampusEval scoring engine: frameworks as YAML data, scored exactly with Decimal.

Pure Python with no Django import, usable as a library:

    from campuseval.engine import load_framework, score
    fw = load_framework("bozhou-2024-school")
    result = score(fw, {"answers": {"1.1": {"bandwidth": 450}}}, as_of=date(2024, 5, 30))
    result.total, result.indicators["1.1"].explanation
"""

from .errors import FrameworkError, InvalidAnswers, Problem
from .framework import (
    FRAMEWORKS_DIR,
    Framework,
    Indicator,
    Mark,
    check_framework,
    framework_paths,
    load_all,
    load_framework,
    load_framework_file,
    load_framework_text,
)
from .inputs import InputSpec
from .rules import REGISTRY as RULE_TYPES
from .scoring import CleanAnswers, IndicatorResult, ScoreResult, clean_answers, score, score_clean
from .template import answer_template

__all__ = [
    "FRAMEWORKS_DIR",
    "RULE_TYPES",
    "CleanAnswers",
    "Framework",
    "FrameworkError",
    "Indicator",
    "IndicatorResult",
    "InputSpec",
    "InvalidAnswers",
    "Mark",
    "Problem",
    "ScoreResult",
    "answer_template",
    "check_framework",
    "clean_answers",
    "framework_paths",
    "load_all",
    "load_framework",
    "load_framework_file",
    "load_framework_text",
    "score",
    "score_clean",
]
