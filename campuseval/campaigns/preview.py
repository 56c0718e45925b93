"""What an organizer reads before activating a framework: the indicator tree with its points,
inputs and rules in words, a sample answer sheet scored (one they fill in, or the seed's own
sample), the level ladder, and the difference between two editions of one family.

Read-only: everything here works on the engine's Framework and the record's YAML snapshot, so
the preview shows exactly what campaigns will score against."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import yaml
from openpyxl import load_workbook

from campuseval.engine import FRAMEWORKS_DIR, Framework, Indicator, InputSpec, InvalidAnswers, ScoreResult, score
from campuseval.engine.framework import MARK_NAMES
from campuseval.engine.numbers import fmt
from campuseval.engine.workbook import RULE_TYPES_ZH
from campuseval.engine.yamlio import load_yaml
from campuseval.spreadsheets.reading import check_file
from campuseval.spreadsheets.writing import Column, build_workbook

EXAMPLES_DIR = FRAMEWORKS_DIR / "examples"

TYPE_NAMES = {
    "number": "数字",
    "bool": "是/否",
    "choice": "单选",
    "multi": "多选",
    "items": "条目列表",
    "text": "文字",
    "date": "日期",
}


# --- the tree -----------------------------------------------------------------------------------


def _num(value: Any) -> str:
    try:
        return fmt(Decimal(str(value)))
    except Exception:  # a parameter that is no number is shown as written
        return str(value)


def input_words(spec: InputSpec) -> str:
    """One input as the preview lists it: label, type, unit and range, options."""
    parts = [TYPE_NAMES.get(spec.type, spec.type)]
    if spec.type == "number":
        if spec.percent:
            parts.append("百分比")
        elif spec.unit:
            parts.append(f"单位 {spec.unit}")
        if spec.min is not None or spec.max is not None:
            parts.append(f"范围 {spec.describe_range()}")
    if spec.options:
        parts.append("可选：" + "、".join(spec.options))
    if spec.optional:
        parts.append("可不填")
    if spec.decided_by == "reviewer":
        parts.append("由评审认定")
    return f"{spec.label}（{'，'.join(parts)}）"


def rule_words(node: Indicator) -> str:
    """The leaf's rule in words, from its YAML spec: the common types spelt out, every other
    type named with its parameters, so nothing of the rule is hidden from the reader."""
    rule = node.rule
    if rule is None:
        return ""
    spec: Mapping[str, Any] = rule.spec
    kind = str(spec.get("type", ""))
    label = spec.get("label") or ""

    def name(key: Any) -> str:
        found = node.inputs.get(str(key))
        return found.label if found else str(key)

    points = _num(spec.get("points", node.points))
    if kind == "yes_no":
        text = f"“{name(spec.get('input'))}”为是得 {points} 分，否则不得分"
    elif kind == "manual":
        text = f"评审在 0–{_num(spec.get('max', node.points))} 分之间直接评定（{name(spec.get('input'))}）"
    elif kind == "choice":
        options = spec.get("options") or {}
        text = f"按“{name(spec.get('input'))}”所选：" + "；".join(f"{k} {_num(v)} 分" for k, v in options.items())
    elif kind == "tiers":
        found = node.inputs.get(str(spec.get("input")))
        unit = found.unit if found is not None and not found.percent else "%" if found is not None else ""
        tiers = []
        for tier in spec.get("tiers") or []:
            low, high = tier.get("min"), tier.get("max")
            upper = "（含）" if tier.get("include_max") else ""
            if low is not None and high is not None:
                where = f"{_num(low)}{unit}（含）至 {_num(high)}{unit}{upper}"
            elif low is not None:
                where = f"{_num(low)}{unit}（含）以上"
            else:
                where = f"{_num(high)}{unit}{upper}以下"
            tiers.append(f"{where}，得 {_num(tier.get('points'))} 分")
        text = f"按“{name(spec.get('input'))}”分档：" + "；".join(tiers)
    elif kind == "all_met":
        conditions = []
        for cond in spec.get("conditions") or []:
            words = name(cond.get("input"))
            if cond.get("min") is not None:
                words += f" ≥ {_num(cond['min'])}"
            if cond.get("max") is not None:
                words += f" ≤ {_num(cond['max'])}"
            conditions.append(words)
        text = f"以下全部达到得 {points} 分：" + "；".join(conditions)
    elif kind == "count_points":
        cap = f"，最多 {_num(spec['cap'])} 分" if spec.get("cap") is not None else ""
        text = f"“{name(spec.get('input'))}”每项 {_num(spec.get('per'))} 分{cap}"
    elif kind == "target_deduction":
        found = node.inputs.get(str(spec.get("input")))
        unit = str(spec.get("unit_label") or ("个百分点" if found is not None and found.percent else ""))
        if not unit and found is not None:
            unit = found.unit
        step = _num(spec.get("step", 1))
        floor = f"，最低 {_num(spec['floor'])} 分" if spec.get("floor") is not None else ""
        sign = "%" if found is not None and found.percent else ""
        text = (
            f"“{name(spec.get('input'))}”达到 {_num(spec.get('target'))}{sign} 得 {points} 分，"
            f"每少 {step}{unit} 扣 {_num(spec.get('per'))} 分{floor}"
        )
    elif kind == "checklist":
        items = [f"“{name(i.get('input'))}” {_num(i.get('points'))} 分" for i in spec.get("items") or []]
        text = "逐项达到得分：" + "；".join(items)
    elif kind == "n_of_m":
        keys = [name(k) for k in spec.get("inputs") or []]
        tiers = [f"达到 {t.get('min_count')} 项得 {_num(t.get('points'))} 分" for t in spec.get("tiers") or []]
        text = "；".join(tiers) + f"（共 {len(keys)} 项：" + "、".join(keys) + "）"
    elif kind == "scenario_count":
        cap = f"，最多 {_num(spec['cap'])} 分" if spec.get("cap") is not None else ""
        text = (
            f"“{name(spec.get('input'))}”达到 {_num(spec.get('floor'))} 个得 {_num(spec.get('floor_points'))} 分，"
            f"每多 1 个加 {_num(spec.get('step_points'))} 分{cap}"
        )
    elif kind == "level_items" and isinstance(spec.get("points"), Mapping):
        levels = "、".join(f"{k} {_num(v)} 分" for k, v in spec["points"].items())
        extra = []
        if spec.get("window"):
            extra.append(f"限{spec['window']}")
        if spec.get("dedupe"):
            extra.append("同一项只计一次")
        if spec.get("cap") is not None:
            extra.append(f"最多 {_num(spec['cap'])} 分")
        text = f"“{name(spec.get('input'))}”每项按级别计分：{levels}" + (f"（{'，'.join(extra)}）" if extra else "")
    elif kind == "proportional":
        text = f"按比例计分，满分 {points} 分"
    else:
        shown = {k: v for k, v in spec.items() if k not in ("type", "label", "note")}
        text = _flow(shown)
    # named as the workbook's 规则类型 column names it, so the preview and the sheet agree
    text = f"{RULE_TYPES_ZH.get(kind, kind)}（{kind}）：{text}"
    return f"{text}（{label}）" if label else text


def _flow(value: Any) -> str:
    return str(yaml.dump(_plain(value), allow_unicode=True, default_flow_style=True, width=400)).strip()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return fmt(value)
    return value


@dataclass
class TreeRow:
    code: str
    title: str
    points: Decimal
    depth: int
    level_name: str
    is_leaf: bool
    marks: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    rule: str = ""
    criterion: str = ""
    bonus: bool = False
    choose_one: bool = False


def tree_rows(fw: Framework) -> list[TreeRow]:
    """Every indicator in the framework's order, with what the template page shows."""
    return [
        TreeRow(
            code=node.code,
            title=node.title,
            points=node.points,
            depth=node.depth,
            level_name=node.level_name,
            is_leaf=node.is_leaf,
            marks=[m.name + (f"：{m.label}" if m.label else "") for m in node.marks],
            inputs=[input_words(s) for s in node.inputs.values()],
            rule=rule_words(node) if node.is_leaf else "",
            criterion=node.criterion,
            bonus=node.bonus,
            choose_one=node.choose_one,
        )
        for node in fw.walk()
    ]


def ladder(fw: Framework) -> list[dict[str, str]]:
    """The level ladder, highest first as the file states it: name, threshold, requirements."""
    rows = []
    for level in fw.levels:
        on = "总分" if level.on == "total" else level.on
        rows.append(
            {
                "name": level.name,
                "min_total": f"{on} ≥ {fmt(level.min_total)}",
                "requires": "、".join(MARK_NAMES.get(r, r) for r in level.requires) or "—",
            }
        )
    return rows


# --- the sample answer sheet ---------------------------------------------------------------------

SAMPLE_COLUMNS = ("部分", "指标编码", "指标名称", "输入项", "名称", "填写说明", "填写值")
SAMPLE_SHEET = "样例答卷"
#: the cell of a yes/no, choice and number input is typed as is; a list of options or of items
#: (multi / items) is written as a YAML flow value, e.g. [教学, 管理] or [{name: 优课, level: 省级}]
LIST_TYPES = ("multi", "items")


def _hint(spec: InputSpec) -> str:
    if spec.type == "bool":
        return "填 是 或 否"
    if spec.type == "number":
        return "填数字" + (f"（{spec.unit}）" if spec.unit else "")
    if spec.type == "choice":
        return "填其中之一：" + "、".join(spec.options)
    if spec.type == "multi":
        return "填选项列表，如 [" + ", ".join(spec.options[:2]) + "]"
    if spec.type == "items":
        keys = ", ".join(f"{f.key}: …" for f in spec.fields)
        return f"填条目列表，如 [{{{keys}}}]"
    if spec.type == "date":
        return "填日期，如 2025-05-30"
    return "填文字"


def sample_sheet(fw: Framework) -> bytes:
    """An empty answer sheet for the framework: the reference date, every context field and
    every leaf input on a row, to fill in the 填写值 column and upload to the preview."""
    rows: list[list[Any]] = [["基准日", "", "评估基准日", "as_of", "评估基准日", "填日期，如 2025-05-30", ""]]
    for spec in fw.context.values():
        rows.append(["基本情况", "", "", spec.key, spec.label, _hint(spec), ""])
    for node in fw.leaves():
        for spec in node.inputs.values():
            rows.append(["指标", node.code, node.title, spec.key, spec.label, _hint(spec), ""])
    columns = [Column(name, width) for name, width in zip(SAMPLE_COLUMNS, (8, 12, 28, 18, 36, 30, 20), strict=True)]
    return build_workbook(SAMPLE_SHEET, columns, rows)


@dataclass
class SampleScore:
    """A scored sample, or the problems that stopped it (each a Chinese line naming its row)."""

    source: str
    result: ScoreResult | None = None
    problems: list[str] = field(default_factory=list)
    leaves: list[dict[str, Any]] = field(default_factory=list)
    #: the totals as the engine writes numbers (57.6, not 57.60)
    total: str = ""
    max_total: str = ""


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    return text or None


def read_sample_sheet(fw: Framework, file: IO[bytes]) -> tuple[dict[str, Any] | None, list[str]]:
    """The answer document a filled sample sheet states, or the problems with it (row by row)."""
    problem = check_file(file)
    if problem:
        return None, [problem]
    try:
        file.seek(0)
        book = load_workbook(io.BytesIO(file.read()), read_only=True, data_only=True)
    except Exception:  # any unreadable upload is the user's problem, never a 500
        return None, ["无法读取该文件，请上传由“下载样例答卷”得到并填写的 .xlsx 文件"]
    sheet = book[SAMPLE_SHEET] if SAMPLE_SHEET in book.sheetnames else book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows or [str(c or "").strip() for c in rows[0][: len(SAMPLE_COLUMNS)]] != list(SAMPLE_COLUMNS):
        return None, [f"工作表“{sheet.title}”第 1 行应为：{'、'.join(SAMPLE_COLUMNS)}"]
    document: dict[str, Any] = {"framework": fw.id, "context": {}, "answers": {}}
    problems: list[str] = []
    leaves = {n.code: n for n in fw.leaves()}
    for number, row in enumerate(rows[1:], start=2):
        cells = [*row, *([None] * len(SAMPLE_COLUMNS))][: len(SAMPLE_COLUMNS)]
        part, code, key, value = (_cell(cells[0]), _cell(cells[1]), _cell(cells[3]), _cell(cells[6]))
        if value is None:
            continue
        code, key = (str(code) if code is not None else None), str(key or "")
        if part == "基准日" or key == "as_of":
            document["as_of"] = value
            continue
        spec = fw.context.get(key) if part == "基本情况" else None
        if part != "基本情况":
            node = leaves.get(code or "")
            if node is None:
                problems.append(f"第 {number} 行：指标编码「{code}」不是本框架的末级指标")
                continue
            spec = node.inputs.get(key)
        if spec is None:
            problems.append(
                f"第 {number} 行：输入项「{key}」不属于{'基本情况' if part == '基本情况' else f'指标 {code}'}"
            )
            continue
        if spec.type in LIST_TYPES and isinstance(value, str):
            try:
                value = load_yaml(value)
            except Exception:
                problems.append(f"第 {number} 行：{spec.label}应写成列表，如 [教学, 管理]")
                continue
        if part == "基本情况":
            document["context"][key] = value
        else:
            document["answers"].setdefault(code, {})[key] = value
    return (None, problems) if problems else (document, [])


def score_sample(fw: Framework, document: Mapping[str, Any], source: str) -> SampleScore:
    """Score an answer document: the total, and each leaf's points with the engine's explanation."""
    out = SampleScore(source=source)
    try:
        result = score(fw, document)
    except InvalidAnswers as exc:
        out.problems = [f"{p.location()}：{p.message_zh}" if p.location() else p.message_zh for p in exc.problems]
        return out
    out.result = result
    out.total, out.max_total = fmt(result.total), fmt(result.max_total)
    for node in fw.walk():
        found = result.indicators.get(node.code)
        if found is None:
            continue
        out.leaves.append(
            {
                "code": node.code,
                "title": node.title,
                "depth": node.depth,
                "is_leaf": node.is_leaf,
                "points": fmt(found.points),
                "max_points": fmt(found.max_points),
                "explanation": found.explanation if node.is_leaf else "",
                "status": found.status,
            }
        )
    return out


def seed_sample(fw: Framework) -> dict[str, Any] | None:
    """The sample answers shipped beside a seed framework (frameworks/examples/<id>.sample.yaml)."""
    path: Path = EXAMPLES_DIR / f"{fw.id}.sample.yaml"
    if not path.is_file():
        return None
    data = load_yaml(path.read_text(encoding="utf-8"))
    return dict(data) if isinstance(data, Mapping) else None


# --- two editions side by side --------------------------------------------------------------------


@dataclass
class EditionDiff:
    added: list[tuple[str, str, Decimal]] = field(default_factory=list)
    removed: list[tuple[str, str, Decimal]] = field(default_factory=list)
    points: list[tuple[str, str, Decimal, Decimal]] = field(default_factory=list)
    titles: list[tuple[str, str, str]] = field(default_factory=list)
    rules: list[tuple[str, str, str, str]] = field(default_factory=list)
    inputs: list[tuple[str, str, str, str]] = field(default_factory=list)
    settings: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.added, self.removed, self.points, self.titles, self.rules, self.inputs, self.settings))


def _input_text(node: Indicator) -> str:
    return "；".join(input_words(s) + f" [{s.key}]" for s in node.inputs.values())


def _rule_text(node: Indicator) -> str:
    return _flow(dict(node.rule.spec)) if node.rule is not None else ""


def diff_editions(old: Framework, new: Framework) -> EditionDiff:
    """What changed from `old` to `new`, by indicator code: indicators added and removed,
    points, titles, rules (their full parameters) and inputs changed, and the framework's
    totals and levels."""
    out = EditionDiff()
    before = {n.code: n for n in old.walk()}
    after = {n.code: n for n in new.walk()}
    for code, node in after.items():
        if code not in before:
            out.added.append((code, node.title, node.points))
    for code, node in before.items():
        if code not in after:
            out.removed.append((code, node.title, node.points))
            continue
        other = after[code]
        if node.points != other.points:
            out.points.append((code, other.title, node.points, other.points))
        if node.title != other.title:
            out.titles.append((code, node.title, other.title))
        if _rule_text(node) != _rule_text(other):
            out.rules.append((code, other.title, rule_words(node), rule_words(other)))
        if _input_text(node) != _input_text(other):
            out.inputs.append((code, other.title, _input_text(node), _input_text(other)))
    for label, a, b in _settings_pairs(old, new):
        if a != b:
            out.settings.append((label, a, b))
    return out


def _settings_pairs(old: Framework, new: Framework) -> Iterable[tuple[str, str, str]]:
    yield "名称", old.title, new.title
    yield "总分", fmt(old.total), fmt(new.total)
    yield "加分", fmt(old.bonus_total), fmt(new.bonus_total)
    yield "层级名称", "、".join(old.level_names), "、".join(new.level_names)
    yield "等级", _ladder_text(old), _ladder_text(new)


def _ladder_text(fw: Framework) -> str:
    return "；".join(f"{r['name']} {r['min_total']}（{r['requires']}）" for r in ladder(fw)) or "—"
