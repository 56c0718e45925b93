"""Checking an answer document against a framework before scoring: every bad field is
reported with its indicator, and the values come out parsed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidAnswers, Problem
from .framework import Framework

ANSWER_KEYS = {"framework", "as_of", "context", "choices", "declarations", "answers", "applicant"}


@dataclass
class CleanAnswers:
    """Answers after checking: parsed values per leaf code, context, choices, declarations."""

    as_of: dt.date
    values: dict[str, dict[str, Any]]
    context: dict[str, Any]
    choices: dict[str, str]
    declarations: dict[str, bool]


def _today() -> dt.date:
    return dt.date.today()


def clean_answers(fw: Framework, raw: Mapping[str, Any], *, as_of: dt.date | None = None) -> CleanAnswers:
    """Check an answer document against the framework and parse every value.

    Raises InvalidAnswers listing every problem (unknown code or field, wrong type, negative
    count, percentage over 100, date after the reference date), each with code and field."""
    problems: list[Problem] = []

    def bad(zh: str, en: str, *, code: str = "", fieldname: str = "") -> None:
        problems.append(Problem(zh, en, code=code, field=fieldname))

    if not isinstance(raw, Mapping):
        raise InvalidAnswers([Problem("答卷应为映射", "answers must be a mapping")])
    for key in sorted(set(raw) - ANSWER_KEYS):
        bad(f"未知的顶层键 {key}", f"unknown top-level key {key}", fieldname=key)
    if raw.get("framework") not in (None, fw.id):
        bad(
            f"答卷属于框架 {raw.get('framework')}，不是 {fw.id}",
            "answers belong to another framework",
            fieldname="framework",
        )
    if as_of is None:
        given = raw.get("as_of")
        if given is None:
            as_of = _today()
        elif isinstance(given, dt.date):
            as_of = given
        else:
            try:
                as_of = dt.date.fromisoformat(str(given))
            except ValueError:
                bad(f"评估基准日「{given}」不是日期", "as_of is not a date", fieldname="as_of")
                as_of = _today()

    context: dict[str, Any] = {}
    raw_context = raw.get("context") or {}
    if not isinstance(raw_context, Mapping):
        bad("context 应为映射", "context must be a mapping", fieldname="context")
        raw_context = {}
    for key, value in raw_context.items():
        spec = fw.context.get(key)
        if spec is None:
            bad(f"未知的基本情况字段 {key}", f"unknown context field {key}", fieldname=f"context.{key}")
            continue
        if value is None:
            continue
        try:
            context[key] = spec.parse(value, as_of=as_of)
        except ValueError as exc:
            bad(str(exc), f"bad value for context field {key}", fieldname=f"context.{key}")

    choices: dict[str, str] = {}
    raw_choices = raw.get("choices") or {}
    choose_nodes = {n.code: n for n in fw.choose_one_nodes()}
    for code, chosen in raw_choices.items() if isinstance(raw_choices, Mapping) else []:
        node = choose_nodes.get(str(code))
        if node is None:
            bad(
                f"指标 {code} 不是多选一部分",
                f"{code} is not a choose-one section",
                code=str(code),
                fieldname="choices",
            )
            continue
        if chosen is None:
            continue
        options = [c.code for c in node.children]
        if str(chosen) not in options:
            bad(
                f"方向「{chosen}」不存在，可选：{'、'.join(options)}",
                "unknown alternative",
                code=str(code),
                fieldname="choices",
            )
            continue
        choices[str(code)] = str(chosen)

    declarations: dict[str, bool] = {}
    known_decl = {e.key: e for e in (fw.eligibility.exclusions if fw.eligibility else ())}
    raw_decl = raw.get("declarations") or {}
    for key, value in raw_decl.items() if isinstance(raw_decl, Mapping) else []:
        if key not in known_decl:
            bad(f"未知的声明项 {key}", f"unknown declaration {key}", fieldname=f"declarations.{key}")
            continue
        if value is None:
            continue
        if not isinstance(value, bool):
            bad(
                f"声明项「{known_decl[key].label}」应填 true 或 false",
                "declaration must be a boolean",
                fieldname=f"declarations.{key}",
            )
            continue
        declarations[key] = value

    values: dict[str, dict[str, Any]] = {}
    raw_answers = raw.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        bad("answers 应为映射：指标编码 → 字段", "answers must map codes to fields", fieldname="answers")
        raw_answers = {}
    for code, fields in raw_answers.items():
        code = str(code)
        node = fw.by_code.get(code)
        if node is None:
            bad(f"未知的指标编码 {code}", f"unknown indicator code {code}", code=code)
            continue
        if not node.is_leaf:
            bad(f"指标 {code} 有下级指标，请在末级指标下作答", f"{code} is not a leaf indicator", code=code)
            continue
        if fields is None:
            continue
        if not isinstance(fields, Mapping):
            bad("应为 字段 → 值 的映射", "must map fields to values", code=code)
            continue
        parsed: dict[str, Any] = {}
        for key, value in fields.items():
            spec = node.inputs.get(str(key))
            if spec is None:
                known = "、".join(node.inputs) or "无"
                bad(f"未知字段 {key}（可填：{known}）", f"unknown field {key}", code=code, fieldname=str(key))
                continue
            if value is None:
                continue
            try:
                parsed[str(key)] = spec.parse(value, as_of=as_of)
            except ValueError as exc:
                bad(str(exc), f"bad value for {key}", code=code, fieldname=str(key))
        values[code] = parsed
    if problems:
        raise InvalidAnswers(problems)
    return CleanAnswers(as_of=as_of, values=values, context=context, choices=choices, declarations=declarations)
