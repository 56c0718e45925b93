"""A whole framework (and its 申报书) as one workbook: sheets as lists of rows, both ways.

Bureaus work in Excel. In the spirit of XLSForm, one workbook holds everything a framework file
holds, one sheet per kind of thing, one row per thing, Chinese column names; this module turns
the framework mapping the engine loads (`load_yaml` of a framework file) into those sheets and
back, without Django and without openpyxl (`campuseval.spreadsheets.framework_book` writes and
reads the .xlsx). Reading never raises: it returns the mapping, or the problems found, each
naming the sheet, the row (as the spreadsheet numbers it: the header is row 1) and the column,
in Chinese and English. The engine's own validation runs on the result, and its findings are
placed back on the row of the indicator, rule or input they are about.

Every sheet's first row is its header; column order does not matter, an unknown column is
refused. A blank cell means "not given" (the key is left out); a cell holding only `""` is an
empty text. 是/否 answer yes/no columns. A list cell is its items joined by 、 (or a YAML flow
list such as `[a, b]` when an item holds a separator). Numbers are numbers (`8`, `0.2`).

Sheets and columns:

- 设置: 设置项 (a Chinese label, for people) | 键 | 值. 键 is the framework key: `id`, `family`,
  `title`, `authority`, `year`, `edition`, `subject` (学校/区域), `total`, `bonus_total`,
  `rounding.places`, `rounding.mode`, `level_names` (a list), `description`, `source.<name>`
  (e.g. `source.document`), `time_windows.<窗口名>.since` (a date) or `.years` (a number).
  A row whose 键 is blank is read by its 设置项 label.
- 指标: 编码 | 层级 (一级/二级/…) | 上级编码 | 名称 | 分值 | 评价内容 (criterion) | 评分说明
  (scoring) | 佐证材料 (evidence) | 备注 (remarks) | 说明 (note: a decision taken where the seed
  is unclear) | 标记 (★/▲/必要条件/加分项) | 标记说明 (its label) | 达到条件 (满分, 有得分,
  `输入项 <键>` or `得分不低于 <分>`) | 加分部分 (bonus) | 多选一 (choose_one) | 不高于创建评定
  (capped_by_creation). One row per indicator in the tree's order; a top-level indicator has no
  上级编码; children keep the order of their rows. An indicator with several marks has one line
  per mark in each of the three mark cells.
- 输入项: 指标编码 | 所属条目 (for a field of a list input: that input's 键) | 键 | 名称 | 类型
  (数值/是否/单选/多选/条目列表/文字/日期) | 单位 | 最小值 | 最大值 | 整数 | 百分比 | 选项 | 必填 |
  认定方 (申报单位/评审: who decides the value) | 申报书字段 (form_field) | 填写说明 (help).
- 规则: one rule row per leaf: 指标编码 | 规则类型 (e.g. `分档（tiers）`, or just `tiers`) and its
  parameters in columns: 输入项 (input), 分值 (points), 最大值 (max), 上限 (cap), 每项分值 (per),
  目标值 (target), 步长 (step), 差额计法 (shortfall), 下限 (floor), 单位名称 (unit_label),
  评分输入项 (points_input), 分子/分母 (numerator/denominator), 背景信息项 (context), 方向
  (direction), 阈值 (thresholds), 级别字段 (level_field), 时间窗口 (window), 日期字段
  (date_field), 去重字段 (dedupe, the same case counts once), 案例字段 (case_field), 视为同一条的
  字段 (once_per), 起评分 (floor_points), 每增一项分值 (step_points), 必备项 (required), 输入项列表
  (inputs), 加成字段 / 加成系数 (bonus.field / bonus.factor), 名称 (label), 说明 (note). A
  parameter whose value does not fit its column (a list where a number goes) goes to 其他参数
  too. The rule's lists and tables
  follow it on rows with the same 指标编码 and 位置 and a 明细: 档位 (tiers: 最小值, 最大值,
  含上限, 需达到项数, 分值), 条目 (items: 输入项, 分值), 条件 (conditions: 输入项, 最小值,
  最大值, 时间窗口, 日期字段), 选项分值 / 级别分值 / 阈值 (option → 分值 or 阈值, the option in
  选项) and 档次 (bands: 选项, 分值 or 最小值–最大值). A part of a `sum` rule, or a case of a
  `by_context` rule (with 适用情形 and 情形名称), is a rule row of its own whose 位置 is its
  number (1, 2, …; 1.2 inside part 1). Anything else a rule takes goes in 其他参数 as a YAML flow
  mapping, so a new rule type needs no new column.
- 背景信息: the framework's context inputs, the columns of 输入项 without 指标编码.
- 等级与条件: 类别 | 名称 | 键 | 最低分 | 计分口径 (总分/基本分) | 需达到的标记 | 须满足必要条件 |
  指标 | 分值; 类别 is 等级 (a level), 申报条件 (the eligibility minimum), 否决情形 (an
  exclusion: 键 and 名称), 部分 (a named part: 指标 and 分值) or 同一案例只计一次 (名称, 指标).
- 说明: 指标编码 | 说明: the decisions recorded for the whole framework (`notes`).
- 申报书: 类别 | 键 | 名称 | 内容 | 类型 | 单位 | 必填 | 最大值 | 选项 | 填写说明 | 分子 | 分母 |
  百分比 | 小数位数 | 指标体系 | 指标编码 | 输入项列表 | 含义; 类别 is 设置 (键 title/subject/
  source/promise, 内容), 说明 (内容), 分节 (名称; the 字段 rows below it belong to it), 字段
  (类型 整数/数值/百分比/文字/长文本/是否/单选), 自动计算 (a derived value: 分子, 分母, 百分比,
  单位, 小数位数), 签署意见 (内容: an opinion block each level signs) or 对照检查 (a cross check:
  键 the form field, 指标体系, 指标编码, 输入项列表, 含义 全部/任一/涵盖).

Writing refuses (WorkbookError) a key it has no column for rather than dropping it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from .errors import FrameworkError, Problem
from .formdefs import FormDefinitionError, parse_definition
from .framework import check_framework, load_framework_text
from .numbers import NumberRefused, to_decimal
from .rules import REGISTRY
from .yamlio import Node, load_yaml

Sheets = dict[str, list[list[Any]]]

SETTINGS = "设置"
INDICATORS = "指标"
RULES = "规则"
INPUTS = "输入项"
LEVELS = "等级与条件"
CONTEXT = "背景信息"
NOTES = "说明"
FORM = "申报书"
#: inputs before the rules that read them
SHEET_ORDER = (SETTINGS, INDICATORS, INPUTS, RULES, LEVELS, CONTEXT, NOTES, FORM)

#: a cell holding only this is an empty text (a blank cell means the key is left out)
EMPTY_TEXT = '""'
#: what splits a list cell (the writer falls back to a YAML flow list when an item holds one)
LIST_SEPARATORS = re.compile(r"[、，,；;\n]")


class WorkbookError(ValueError):
    """The framework holds something the workbook has no place for (an attribute unknown to
    this module): raised so that it is noticed, never silently dropped."""


@dataclass(frozen=True)
class BookProblem:
    """One finding about a workbook: where (sheet, spreadsheet row, column) and what."""

    sheet: str
    row: int
    column: str
    message_zh: str
    message_en: str
    severity: str = "error"  # error | warning

    def location(self) -> str:
        parts = [f"「{self.sheet}」表"]
        if self.row:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}：{self.message_zh} / {self.message_en}"


@dataclass
class BookResult:
    """What reading a workbook gave: the framework mapping (None if it has errors), the form
    mapping (None if there is none or it has errors) and every problem found."""

    data: dict[str, Any] | None
    form: dict[str, Any] | None
    problems: list[BookProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[BookProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


# --- YAML -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    if "." not in text:
        text += ".0"
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(Node, _Dumper.represent_dict)
_Dumper.add_representer(tuple, _Dumper.represent_list)


def dump_yaml(data: Any) -> str:
    """Framework (or form) data as YAML text that `load_yaml` reads back to equal data:
    decimals stay decimals (`0.20` keeps its digits), dates stay dates, key order is kept."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100000)


def _flow(value: Any) -> str:
    text = yaml.dump(
        value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=True, width=100000
    ).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


# --- cells ------------------------------------------------------------------------------------


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

SUBJECTS = {"school": "学校", "district": "区域"}
INPUT_TYPES_ZH = {
    "number": "数值",
    "bool": "是否",
    "choice": "单选",
    "multi": "多选",
    "items": "条目列表",
    "text": "文字",
    "date": "日期",
}
DECIDERS = {"applicant": "申报单位", "reviewer": "评审"}
DECIDER_ALIASES = {"申报方": "applicant", "评审组": "reviewer", "评审认定": "reviewer"}
BASES = {"total": "总分", "base": "基本分"}
FORM_KINDS_ZH = {
    "int": "整数",
    "number": "数值",
    "percent": "百分比",
    "text": "文字",
    "narrative": "长文本",
    "bool": "是否",
    "choice": "单选",
}
RULE_TYPES_ZH = {
    "yes_no": "是否",
    "choice": "选项赋分",
    "manual": "评审评分",
    "band": "档次评分",
    "tiers": "分档",
    "target_deduction": "目标扣分",
    "count_points": "按数量计分",
    "scenario_count": "场景计数",
    "ratio_by_context": "比值达标",
    "proportional": "按比例",
    "checklist": "逐项计分",
    "n_of_m": "达到项数",
    "deduct_per_missing": "缺项扣分",
    "all_met": "全部满足",
    "level_items": "按级别计分",
    "sum": "分项合计",
    "by_context": "按背景分情形",
}
MEANINGS = {"all": "全部", "any": "任一", "covers": "涵盖"}
ENUMS: dict[str, dict[str, str]] = {
    "means": MEANINGS,
    "subject": SUBJECTS,
    "input_type": INPUT_TYPES_ZH,
    "decided_by": DECIDERS,
    "on": BASES,
    "form_kind": FORM_KINDS_ZH,
}
_TRUE_WORDS = {"是", "true", "yes", "y", "1", "有", "√"}
_FALSE_WORDS = {"否", "false", "no", "n", "0", "无", "×"}
_INT = re.compile(r"[+-]?[0-9]+")
_DEPTHS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Column:
    """A column: the mapping key it holds, its Chinese header and how its cells read."""

    key: str
    title: str
    kind: str = "text"  # text | number | int | bool | list | date | yaml | lines | depth | rule_type | ENUMS


class CellError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh = zh
        self.en = en


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _list_cell(values: list[Any]) -> str:
    if values and all(
        isinstance(v, str) and v and v == v.strip() and not LIST_SEPARATORS.search(v) and not v.startswith(("[", '"'))
        for v in values
    ):
        return "、".join(values)
    return _flow(list(values))


def encode(kind: str, value: Any) -> Any:
    """A mapping value as the cell the workbook shows."""
    if value is None:
        return None  # a YAML null reads back as the key left out, which the engine treats alike
    if kind in ENUMS:
        return ENUMS[kind].get(str(value), value) if isinstance(value, str) else value
    if kind == "rule_type":
        zh = RULE_TYPES_ZH.get(str(value))
        return f"{zh}（{value}）" if zh else value
    if kind == "depth":
        return f"{_DEPTHS[value]}级" if isinstance(value, int) and value < len(_DEPTHS) else str(value + 1)
    if kind == "bool":
        return ("是" if value else "否") if isinstance(value, bool) else value
    if kind == "list":
        return _list_cell(value) if isinstance(value, list) else value
    if kind == "yaml":
        return _flow(value)
    if kind == "text":
        if isinstance(value, str):
            return value if value else EMPTY_TEXT
        return value
    return value


def _cell_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() and abs(raw) < 1e15 else repr(raw)
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        return raw.date().isoformat()
    if hasattr(raw, "isoformat"):
        return str(raw.isoformat())
    return str(raw)


def _number(raw: Any, integer: bool = False) -> int | Decimal:
    if isinstance(raw, bool):
        raise CellError("应为数字，收到“是/否”", "must be a number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        raw = repr(raw)
    text = _cell_text(raw)
    if _INT.fullmatch(text):
        return int(text)
    try:
        value = to_decimal(raw if isinstance(raw, Decimal) else text)
    except NumberRefused:
        shown = text if len(text) <= 30 else text[:30] + "…"
        raise CellError(f"应为数字，收到「{shown}」", "must be a number") from None
    if integer:
        if value != value.to_integral_value():
            raise CellError(f"应为整数，收到「{text}」", "must be a whole number")
        return int(value)
    return value


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _cell_text(raw)
    match = re.fullmatch(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:[T ]00:00(?::00)?)?", text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError(f"应为日期（如 2019-01-01），收到「{text}」", "must be a date such as 2019-01-01")


def _yaml_cell(text: str) -> Any:
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise CellError(f"不是有效的 YAML 写法（{first}）", "not valid YAML") from None


def decode(kind: str, raw: Any) -> Any:
    """A cell as the mapping value it stands for; MISSING when blank; CellError when wrong."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return MISSING
    if isinstance(raw, str) and raw.strip() == EMPTY_TEXT:
        return ""
    if kind in ("number", "int"):
        return _number(raw, integer=kind == "int")
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = _cell_text(raw).lower()
        if text in _TRUE_WORDS:
            return True
        if text in _FALSE_WORDS:
            return False
        raise CellError(f"应填“是”或“否”，收到「{_cell_text(raw)}」", "must be 是 or 否")
    if kind == "date":
        return _date(raw)
    if kind == "list":
        if isinstance(raw, list):
            return raw
        text = _cell_text(raw)
        if text.startswith("["):
            value = _yaml_cell(text)
            if not isinstance(value, list):
                raise CellError("应为列表，如 [甲, 乙]", "must be a list")
            return value
        return [item.strip() for item in LIST_SEPARATORS.split(text) if item.strip()]
    if kind == "yaml":
        if not isinstance(raw, str):
            return raw
        return _yaml_cell(raw.strip())
    text = _cell_text(raw)
    if kind in ENUMS:
        reverse = {zh: key for key, zh in ENUMS[kind].items()}
        if kind == "decided_by":
            reverse.update(DECIDER_ALIASES)
        if text in ENUMS[kind]:
            return text
        if text not in reverse:
            choices = "、".join(ENUMS[kind].values())
            raise CellError(f"应为：{choices}，收到「{text}」", f"must be one of {', '.join(ENUMS[kind])}")
        return reverse[text]
    if kind == "rule_type":
        match = re.fullmatch(r".*?[（(]\s*([A-Za-z_][A-Za-z0-9_]*)\s*[）)]", text)
        if match:
            text = match[1]
        reverse = {zh: key for key, zh in RULE_TYPES_ZH.items()}
        text = reverse.get(text, text)
        if text not in REGISTRY:
            known = "、".join(f"{RULE_TYPES_ZH.get(k, k)}（{k}）" for k in sorted(REGISTRY))
            raise CellError(f"未知的规则类型「{_cell_text(raw)}」（可用：{known}）", f"unknown rule type {text!r}")
        return text
    if kind == "depth":
        match = re.fullmatch(r"([一二三四五六七八九十])级(?:指标)?", text)
        if match:
            return _DEPTHS.index(match[1])
        if _INT.fullmatch(text) and int(text) >= 1:
            return int(text) - 1
        raise CellError(f"层级应写作“一级”“二级”…，收到「{text}」", "level must be 一级, 二级, …")
    return text


# --- tables -----------------------------------------------------------------------------------


def _header(columns: Iterable[Column]) -> list[Any]:
    return [c.title for c in columns]


def _row(columns: list[Column], values: Mapping[str, Any]) -> list[Any]:
    return [encode(c.kind, values[c.key]) if c.key in values else None for c in columns]


Row = tuple[int, dict[str, Any]]


class _Reader:
    """Reads the sheets into a mapping, collecting problems with their places."""

    def __init__(self, sheets: Mapping[str, Any]) -> None:
        self.sheets = sheets
        self.problems: list[BookProblem] = []

    def problem(self, sheet: str, row: int, column: str, zh: str, en: str, severity: str = "error") -> None:
        self.problems.append(BookProblem(sheet, row, column, zh, en, severity))

    def has_errors(self, *, besides: str = "") -> bool:
        return any(p.severity == "error" and p.sheet != besides for p in self.problems)

    def table(self, name: str, columns: list[Column], required: tuple[str, ...] = ()) -> list[Row]:
        """The sheet's non-blank data rows as (row number, {key: raw cell}); an unknown or
        missing required header is a problem. An absent sheet reads as empty."""
        rows = self.sheets.get(name)
        if rows is None:
            return []
        if not isinstance(rows, (list, tuple)):
            self.problem(name, 0, "", "工作表内容无法读取", "sheet cannot be read")
            return []
        by_title = {c.title: c for c in columns}
        by_title.update({c.key: c for c in columns})
        header = list(rows[0]) if rows else []
        positions: list[Column | None] = []
        seen: set[str] = set()
        for raw in header:
            title = _cell_text(raw) if raw is not None else ""
            if not title:
                positions.append(None)
                continue
            column = by_title.get(title)
            if column is None:
                self.problem(name, 1, title, f"未知的列「{title}」", f"unknown column {title!r}")
            elif column.key in seen:
                self.problem(name, 1, title, f"列「{title}」重复", f"column {title!r} appears twice")
                column = None
            else:
                seen.add(column.key)
            positions.append(column)
        titles = {c.key: c.title for c in columns}
        if rows:
            for key in required:
                if key not in seen:
                    self.problem(name, 1, titles[key], f"缺少列「{titles[key]}」", f"column {titles[key]!r} missing")
        out: list[Row] = []
        for number, values in enumerate(rows[1:], start=2):
            values = list(values or [])
            record: dict[str, Any] = {}
            for index, raw in enumerate(values):
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    continue
                column = positions[index] if index < len(positions) else None
                if column is None:
                    if index >= len(positions) or not (header[index] if index < len(header) else None):
                        self.problem(
                            name,
                            number,
                            "",
                            f"第 {index + 1} 列没有表头，却有内容「{_cell_text(raw)[:20]}」，请核对是否错列",
                            "a cell beyond the header has content",
                        )
                    continue
                record[column.key] = raw
            if record:
                out.append((number, record))
        return out

    def value(self, sheet: str, number: int, column: Column, record: Mapping[str, Any]) -> Any:
        """The column's value in a row, MISSING when blank; a problem (and MISSING) when wrong."""
        if column.key not in record:
            return MISSING
        try:
            return decode(column.kind, record[column.key])
        except CellError as exc:
            self.problem(sheet, number, column.title, f"“{column.title}”{exc.zh}", f"{column.key}: {exc.en}")
            return MISSING

    def fill(self, sheet: str, number: int, columns: Iterable[Column], record: Mapping[str, Any]) -> dict[str, Any]:
        """The row's given values as a mapping (blank cells left out), for the given columns."""
        out: dict[str, Any] = {}
        for column in columns:
            value = self.value(sheet, number, column, record)
            if value is not MISSING:
                out[column.key] = value
        return out

    def only(self, sheet: str, number: int, record: Mapping[str, Any], allowed: set[str], what: str) -> None:
        """Columns filled in a row that mean nothing for its kind of row are problems."""
        for key in record:
            if key not in allowed:
                title = _TITLES.get(sheet, {}).get(key, key)
                self.problem(sheet, number, title, f"{what}不使用“{title}”列", f"column {title!r} does not apply")


# --- 设置 -------------------------------------------------------------------------------------

SETTING_COLUMNS = [Column("label", "设置项"), Column("key", "键"), Column("value", "值", "yaml")]
#: fixed settings: key → (label, kind)
SETTING_KEYS: dict[str, tuple[str, str]] = {
    "id": ("编号", "text"),
    "family": ("系列", "text"),
    "title": ("名称", "text"),
    "authority": ("发布机构", "text"),
    "year": ("年份", "int"),
    "edition": ("版本", "text"),
    "subject": ("评价对象（学校/区域）", "subject"),
    "total": ("总分", "number"),
    "bonus_total": ("加分", "number"),
    "rounding.places": ("保留小数位数", "int"),
    "rounding.mode": ("舍入方式（half_up 四舍五入 / floor / ceil）", "text"),
    "level_names": ("层级名称", "list"),
    "description": ("简介", "text"),
    "source.document": ("依据文件", "text"),
    "source.part": ("依据部分（附件）", "text"),
    "source.notice": ("依据通知", "text"),
}
_LABEL_TO_KEY = {label: key for key, (label, _) in SETTING_KEYS.items()}
_WINDOW_KEY = re.compile(r"time_windows\.(.+)\.(since|years)")
_WINDOW_LABEL = re.compile(r"时间窗口「(.+)」(起始日期|年数)")
_SOURCE_KEY = re.compile(r"source\.(.+)")
#: top-level keys each sheet holds; anything else cannot be written
_TOP_ELSEWHERE = {"indicators", "context", "levels", "eligibility", "same_case_once", "parts", "notes"}
_TOP_DICTS = {"rounding", "source", "time_windows"}


def _setting_kind(key: str) -> str | None:
    if key in SETTING_KEYS:
        return SETTING_KEYS[key][1]
    match = _WINDOW_KEY.fullmatch(key)
    if match:
        return "date" if match[2] == "since" else "int"
    if _SOURCE_KEY.fullmatch(key):
        return "text"
    return None


def _setting_label(key: str) -> str:
    if key in SETTING_KEYS:
        return SETTING_KEYS[key][0]
    match = _WINDOW_KEY.fullmatch(key)
    if match:
        return f"时间窗口「{match[1]}」{'起始日期' if match[2] == 'since' else '年数'}"
    match = _SOURCE_KEY.fullmatch(key)
    return f"依据 {match[1]}" if match else key


def _settings_rows(data: Mapping[str, Any]) -> list[list[Any]]:
    pairs: list[tuple[str, Any]] = []
    for key, value in data.items():
        if key in _TOP_ELSEWHERE:
            continue
        if key in _TOP_DICTS:
            if not isinstance(value, Mapping):
                raise WorkbookError(f"{key} 应为映射 / {key} must be a mapping")
            for sub, subvalue in value.items():
                if key == "time_windows":
                    if not isinstance(subvalue, Mapping):
                        raise WorkbookError(f"时间窗口 {sub} 应为映射 / window {sub} must be a mapping")
                    for part, partvalue in subvalue.items():
                        pairs.append((f"time_windows.{sub}.{part}", partvalue))
                else:
                    pairs.append((f"{key}.{sub}", subvalue))
        else:
            pairs.append((key, value))
    rows = [_header(SETTING_COLUMNS)]
    for key, value in pairs:
        kind = _setting_kind(key)
        if kind is None:
            raise WorkbookError(f"设置 {key} 在工作簿中没有对应的行 / setting {key} has no place in the workbook")
        rows.append([_setting_label(key), key, encode(kind, value)])
    return rows


def _read_settings(reader: _Reader) -> tuple[dict[str, Any], dict[str, int]]:
    data: dict[str, Any] = {}
    where: dict[str, int] = {}
    for number, record in reader.table(SETTINGS, SETTING_COLUMNS, required=("value",)):
        key = _cell_text(record.get("key", "")) if record.get("key") is not None else ""
        label = _cell_text(record["label"]) if record.get("label") is not None else ""
        if not key:
            key = _LABEL_TO_KEY.get(label, "")
            match = _WINDOW_LABEL.fullmatch(label)
            if match:
                key = f"time_windows.{match[1]}.{'since' if match[2] == '起始日期' else 'years'}"
        kind = _setting_kind(key)
        if kind is None:
            shown = key or label
            reader.problem(SETTINGS, number, "键", f"未知的设置项「{shown}」", f"unknown setting {shown!r}")
            continue
        if key in where:
            reader.problem(
                SETTINGS, number, "键", f"设置项「{key}」重复（首次在第 {where[key]} 行）", f"setting {key} twice"
            )
            continue
        where[key] = number
        raw = record.get("value")
        if raw is None:
            continue
        value = reader.value(SETTINGS, number, Column("value", "值", kind), record)
        if value is MISSING:
            continue
        parts = key.split(".")
        if parts[0] == "time_windows":
            parts = ["time_windows", ".".join(parts[1:-1]), parts[-1]]
        target = data
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return data, where


# --- 指标 -------------------------------------------------------------------------------------

INDICATOR_COLUMNS = [
    Column("code", "编码"),
    Column("depth", "层级", "depth"),
    Column("parent", "上级编码"),
    Column("title", "名称"),
    Column("points", "分值", "number"),
    Column("criterion", "评价内容"),
    Column("scoring", "评分说明"),
    Column("evidence", "佐证材料"),
    Column("remarks", "备注"),
    Column("note", "说明"),
    Column("mark_kind", "标记", "lines"),
    Column("mark_label", "标记说明", "lines"),
    Column("mark_met", "达到条件", "lines"),
    Column("bonus", "加分部分", "bool"),
    Column("choose_one", "多选一", "bool"),
    Column("capped_by_creation", "不高于创建评定", "bool"),
]
_INDICATOR_PLAIN = {c.key: c for c in INDICATOR_COLUMNS if c.key not in {"depth", "parent"} and c.kind != "lines"}
#: indicator keys kept on other sheets (or as the tree itself)
_INDICATOR_ELSEWHERE = {"children", "inputs", "rule", "marks"}
MET_WORDS = {"full": "满分", "any": "有得分"}
_MET_INPUT = re.compile(r"(?:输入项|input)\s*[:：]?\s*(\S+)")
_MET_MIN = re.compile(r"(?:得分不低于|min_points)\s*[:：]?\s*([0-9.]+)\s*分?")


def _mark_lines(marks: list[Any]) -> tuple[str, str, str] | None:
    """The three mark cells (one line per mark), or None when a mark does not fit them."""
    kinds, labels, mets = [], [], []
    for mark in marks:
        if isinstance(mark, str) and mark and "\n" not in mark:
            kinds.append(mark)
            labels.append("")
            mets.append("")
            continue
        if not isinstance(mark, Mapping) or set(mark) - {"kind", "label", "met"} or "kind" not in mark:
            return None
        kind, label, met = mark["kind"], mark.get("label"), mark.get("met")
        if not isinstance(kind, str) or not kind or "\n" in kind:
            return None
        if label is not None and (not isinstance(label, str) or not label or "\n" in label):
            return None
        if label is None and met is None:
            return None  # {kind: ★} alone would read back as the plain ★
        if met is None:
            met_text = ""
        elif isinstance(met, str) and met in MET_WORDS:
            met_text = MET_WORDS[met]
        elif isinstance(met, Mapping) and set(met) == {"input"} and isinstance(met["input"], str):
            met_text = f"输入项 {met['input']}"
        elif isinstance(met, Mapping) and set(met) == {"min_points"} and _is_number(met["min_points"]):
            met_text = f"得分不低于 {met['min_points']}"
        else:
            return None
        kinds.append(kind)
        labels.append(label or "")
        mets.append(met_text)
    return "\n".join(kinds), "\n".join(labels), "\n".join(mets)


def _read_marks(reader: _Reader, number: int, record: Mapping[str, Any]) -> list[Any] | None:
    raw_kind = record.get("mark_kind")
    if raw_kind is None:
        for key, title in (("mark_label", "标记说明"), ("mark_met", "达到条件")):
            if record.get(key) is not None:
                reader.problem(INDICATORS, number, title, f"有“{title}”却没有“标记”", f"{title} without a mark")
        return None
    kind_text = str(raw_kind).strip()
    if kind_text.startswith("["):
        try:
            value = _yaml_cell(kind_text)
        except CellError as exc:
            reader.problem(INDICATORS, number, "标记", f"“标记”{exc.zh}", exc.en)
            return None
        if not isinstance(value, list):
            reader.problem(INDICATORS, number, "标记", "“标记”应为列表", "marks must be a list")
            return None
        return value

    def lines(key: str) -> list[str]:
        raw = record.get(key)
        return [] if raw is None else [line.strip() for line in str(raw).replace("\r", "").split("\n")]

    kinds = [k for k in lines("mark_kind") if k]
    labels, mets = lines("mark_label"), lines("mark_met")
    for values, title in ((labels, "标记说明"), (mets, "达到条件")):
        if len([v for v in values if v]) and len(values) > len(kinds):
            reader.problem(
                INDICATORS,
                number,
                title,
                f"“{title}”有 {len(values)} 行，多于标记的 {len(kinds)} 个（每个标记一行）",
                f"{title} has more lines than there are marks",
            )
    marks: list[Any] = []
    for index, kind in enumerate(kinds):
        label = labels[index] if index < len(labels) else ""
        met_text = mets[index] if index < len(mets) else ""
        if not label and not met_text:
            marks.append(kind)
            continue
        mark: dict[str, Any] = {"kind": kind}
        if label:
            mark["label"] = label
        if met_text:
            reverse = {zh: key for key, zh in MET_WORDS.items()}
            if met_text in reverse or met_text in MET_WORDS:
                mark["met"] = reverse.get(met_text, met_text)
            elif match := _MET_INPUT.fullmatch(met_text):
                mark["met"] = {"input": match[1]}
            elif match := _MET_MIN.fullmatch(met_text):
                try:
                    mark["met"] = {"min_points": _number(match[1])}
                except CellError as exc:
                    reader.problem(INDICATORS, number, "达到条件", f"“达到条件”{exc.zh}", exc.en)
            else:
                reader.problem(
                    INDICATORS,
                    number,
                    "达到条件",
                    f"达到条件「{met_text}」应为：满分、有得分、输入项 <键>、得分不低于 <分>",
                    "met must be 满分, 有得分, 输入项 <key> or 得分不低于 <points>",
                )
        marks.append(mark)
    return marks


def _indicator_rows(indicators: list[Any]) -> list[list[Any]]:
    rows = [_header(INDICATOR_COLUMNS)]

    def walk(node: Any, depth: int, parent: str | None) -> None:
        if not isinstance(node, Mapping):
            raise WorkbookError("指标应为映射 / an indicator must be a mapping")
        code = node.get("code")
        for key in node:
            if key not in _INDICATOR_PLAIN and key not in _INDICATOR_ELSEWHERE:
                raise WorkbookError(
                    f"指标 {code} 的属性 {key} 在工作簿中没有对应的列 / indicator key {key} has no column"
                )
        values: dict[str, Any] = {k: v for k, v in node.items() if k in _INDICATOR_PLAIN}
        values["depth"] = depth
        if parent is not None:
            values["parent"] = parent
        row = _row(INDICATOR_COLUMNS, values)
        marks = node.get("marks")
        if marks:
            cells = _mark_lines(list(marks))
            if cells is None:
                row[INDICATOR_COLUMNS.index(_col(INDICATOR_COLUMNS, "mark_kind"))] = _flow(list(marks))
            else:
                for key, text in zip(("mark_kind", "mark_label", "mark_met"), cells, strict=True):
                    row[INDICATOR_COLUMNS.index(_col(INDICATOR_COLUMNS, key))] = text if text.strip() else None
        elif marks is not None:
            raise WorkbookError(f"指标 {code} 的 marks 为空列表 / empty marks")
        rows.append(row)
        for child in node.get("children") or []:
            walk(child, depth + 1, str(code))

    for top in indicators or []:
        walk(top, 0, None)
    return rows


def _col(columns: list[Column], key: str) -> Column:
    for column in columns:
        if column.key == key:
            return column
    raise KeyError(key)


# --- 输入项 / 背景信息 ---------------------------------------------------------------------------

INPUT_COLUMNS = [
    Column("key", "键"),
    Column("label", "名称"),
    Column("type", "类型", "input_type"),
    Column("unit", "单位"),
    Column("min", "最小值", "number"),
    Column("max", "最大值", "number"),
    Column("integer", "整数", "bool"),
    Column("percent", "百分比", "bool"),
    Column("options", "选项", "list"),
    Column("required", "必填", "bool"),  # the inverse of the engine's `optional`
    Column("decided_by", "认定方", "decided_by"),
    Column("form_field", "申报书字段"),
    Column("help", "填写说明"),
]
INPUT_SHEET_COLUMNS = [Column("code", "指标编码"), Column("parent", "所属条目"), *INPUT_COLUMNS]
CONTEXT_COLUMNS = [Column("parent", "所属条目"), *INPUT_COLUMNS]
#: the engine's InputSpec attributes each column stands for (`optional` is 必填 inverted)
INPUT_KEYS = {c.key for c in INPUT_COLUMNS} - {"required"} | {"optional"}


def _input_rows(code: str | None, specs: list[Any], parent: str = "") -> list[list[Any]]:
    columns = INPUT_SHEET_COLUMNS if code is not None else CONTEXT_COLUMNS
    rows: list[list[Any]] = []
    for spec in specs:
        if not isinstance(spec, Mapping):
            raise WorkbookError(f"指标 {code} 的输入应为映射 / an input must be a mapping")
        unknown = set(spec) - INPUT_KEYS - {"fields"}
        if unknown:
            raise WorkbookError(
                f"输入 {spec.get('key')} 的属性 {sorted(unknown)} 在工作簿中没有对应的列"
                f" / input attributes {sorted(unknown)} have no column"
            )
        values = {k: v for k, v in spec.items() if k in INPUT_KEYS and k != "optional"}
        if "optional" in spec:
            optional = spec["optional"]
            values["required"] = (not optional) if isinstance(optional, bool) else optional
        if code is not None:
            values["code"] = code
        if parent:
            values["parent"] = parent
        rows.append(_row(columns, values))
        if "fields" in spec:
            fields = spec["fields"]
            if not isinstance(fields, list) or not fields:
                raise WorkbookError(f"输入 {spec.get('key')} 的 fields 应为非空列表 / fields must be a list")
            path = f"{parent}.{spec.get('key')}" if parent else str(spec.get("key"))
            rows.extend(_input_rows(code, fields, path))
    return rows


def _read_inputs(
    reader: _Reader, sheet: str, rows: list[Row], columns: list[Column]
) -> tuple[dict[str | None, list[dict[str, Any]]], dict[tuple[str | None, str], int]]:
    """Inputs per indicator code (None on 背景信息), and the row of each (code, key path)."""
    by_code: dict[str | None, list[dict[str, Any]]] = {}
    found: dict[tuple[str | None, str], dict[str, Any]] = {}
    where: dict[tuple[str | None, str], int] = {}
    plain = [c for c in columns if c.key not in {"code", "parent"}]
    for number, record in rows:
        code = _cell_text(record["code"]) if "code" in record else None
        if sheet == INPUTS and not code:
            reader.problem(sheet, number, "指标编码", "缺少指标编码", "indicator code missing")
            continue
        spec = reader.fill(sheet, number, plain, record)
        if "required" in spec:
            required = spec.pop("required")
            spec["optional"] = not required
        key = spec.get("key")
        if not isinstance(key, str) or not key:
            reader.problem(sheet, number, "键", "缺少输入项的键", "input key missing")
            continue
        parent = _cell_text(record["parent"]) if "parent" in record else ""
        path = f"{parent}.{key}" if parent else key
        if (code, path) in where:
            reader.problem(
                sheet, number, "键", f"输入项 {path} 重复（首次在第 {where[code, path]} 行）", f"input {path} twice"
            )
            continue
        where[code, path] = number
        if parent:
            owner = found.get((code, parent))
            if owner is None:
                reader.problem(
                    sheet,
                    number,
                    "所属条目",
                    f"所属条目「{parent}」不是此前已列出的输入项",
                    f"parent input {parent!r} not listed before",
                )
                continue
            owner.setdefault("fields", []).append(spec)
        else:
            by_code.setdefault(code, []).append(spec)
        found[code, path] = spec
    return by_code, where


# --- 规则 -------------------------------------------------------------------------------------

RULE_COLUMNS = [
    Column("code", "指标编码"),
    Column("path", "位置"),
    Column("type", "规则类型", "rule_type"),
    Column("entry", "明细"),
    Column("option", "选项"),
    Column("label", "名称"),
    Column("input", "输入项"),
    Column("points", "分值", "number"),
    Column("min", "最小值", "number"),
    Column("max", "最大值", "number"),
    Column("include_max", "含上限", "bool"),
    Column("min_count", "需达到项数", "number"),
    Column("cap", "上限", "number"),
    Column("per", "每项分值", "number"),
    Column("target", "目标值", "number"),
    Column("step", "步长", "number"),
    Column("shortfall", "差额计法"),
    Column("floor", "下限", "number"),
    Column("unit_label", "单位名称"),
    Column("points_input", "评分输入项"),
    Column("numerator", "分子"),
    Column("denominator", "分母"),
    Column("context", "背景信息项"),
    Column("direction", "方向"),
    Column("thresholds", "阈值", "number"),
    Column("level_field", "级别字段"),
    Column("window", "时间窗口"),
    Column("date_field", "日期字段"),
    Column("dedupe", "去重字段"),
    Column("case_field", "案例字段"),
    Column("once_per", "视为同一条的字段", "list"),
    Column("floor_points", "起评分", "number"),
    Column("step_points", "每增一项分值", "number"),
    Column("required", "必备项", "list"),
    Column("inputs", "输入项列表", "list"),
    Column("bonus.field", "加成字段"),
    Column("bonus.factor", "加成系数", "number"),
    Column("when", "适用情形", "list"),
    Column("case_label", "情形名称"),
    Column("note", "说明"),
    Column("extra", "其他参数", "yaml"),
]
_RULE_BY_KEY = {c.key: c for c in RULE_COLUMNS}
#: rule parameters held in a column of the rule's own row
_RULE_SCALARS = {
    c.key
    for c in RULE_COLUMNS
    if c.key
    not in {"code", "path", "type", "entry", "option", "when", "case_label", "extra", "include_max", "min_count"}
    and not c.key.startswith("bonus.")
}
#: list parameters whose entries are rows of their own: 明细 → (parameter, entry keys)
ENTRY_LISTS = {
    "档位": ("tiers", ("min", "max", "include_max", "min_count", "points")),
    "条目": ("items", ("input", "points")),
    "条件": ("conditions", ("input", "min", "max", "window", "date_field")),
}
#: mapping parameters whose entries are rows of their own: 明细 → (parameter, value column)
ENTRY_MAPS = {"选项分值": ("options", "points"), "级别分值": ("points", "points"), "阈值": ("thresholds", "thresholds")}
BANDS = "档次"
BANDS_PARAM = "bands"
_ENTRY_OF_LIST = {param: name for name, (param, _) in ENTRY_LISTS.items()}
#: rule parameters holding rules of their own (rows with a 位置)
RULE_CHILDREN = {"parts", "cases"}
#: every rule parameter with a place of its own (anything else goes in 其他参数)
RULE_PLACES = (
    _RULE_SCALARS | {"bonus", BANDS_PARAM} | {p for p, _ in ENTRY_LISTS.values()} | {p for p, _ in ENTRY_MAPS.values()}
) | RULE_CHILDREN
_ENTRY_OF_MAP = {param: name for name, (param, _) in ENTRY_MAPS.items()}


def _fits(column: Column, value: Any) -> bool:
    """Whether a value can be written in a column and read back equal."""
    if column.kind in ("number", "int"):
        return _is_number(value)
    if column.kind == "bool":
        return isinstance(value, bool)
    if column.kind == "list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if column.kind in ("text", "rule_type"):
        return isinstance(value, str)
    return True


def _entry_row(code: str, path: str, name: str, values: dict[str, Any], extra: dict[str, Any]) -> list[Any]:
    cells = {"code": code, "entry": name, **values}
    if path:
        cells["path"] = path
    if extra:
        cells["extra"] = extra
    return _row(RULE_COLUMNS, cells)


def _rule_rows(code: str, path: str, spec: Any, case: Mapping[str, Any] | None = None) -> list[list[Any]]:
    if not isinstance(spec, Mapping) or not isinstance(spec.get("type"), str):
        raise WorkbookError(f"指标 {code} 的规则应为带 type 的映射 / a rule must be a mapping with a type")
    kind = spec["type"]
    head: dict[str, Any] = {"code": code, "type": kind}
    if path:
        head["path"] = path
    if case is not None:
        if "when" in case:
            head["when"] = case["when"]
        if "label" in case:
            head["case_label"] = case["label"]
    extra: dict[str, Any] = {}
    after: list[list[Any]] = []
    children: list[list[Any]] = []
    for key, value in spec.items():
        if key == "type":
            continue
        if key in _RULE_SCALARS and _fits(_RULE_BY_KEY[key], value):
            head[key] = value
        elif (
            key == "bonus"
            and isinstance(value, Mapping)
            and set(value) <= {"field", "factor"}
            and all(_fits(_RULE_BY_KEY[f"bonus.{k}"], v) for k, v in value.items())
        ):
            head.update({f"bonus.{k}": v for k, v in value.items()})
        elif key in _ENTRY_OF_LIST and isinstance(value, list) and value and all(isinstance(e, Mapping) for e in value):
            name = _ENTRY_OF_LIST[key]
            allowed = ENTRY_LISTS[name][1]
            for entry in value:
                plain = {k: v for k, v in entry.items() if k in allowed and _fits(_RULE_BY_KEY[k], v)}
                rest = {k: v for k, v in entry.items() if k not in plain}
                after.append(_entry_row(code, path, name, plain, rest))
        elif (
            key in _ENTRY_OF_MAP and isinstance(value, Mapping) and value and all(_is_number(v) for v in value.values())
        ):
            name = _ENTRY_OF_MAP[key]
            column = ENTRY_MAPS[name][1]
            for option, amount in value.items():
                after.append(_entry_row(code, path, name, {"option": option, column: amount}, {}))
        elif (
            key == "bands"
            and isinstance(value, Mapping)
            and value
            and all(
                _is_number(v) or (isinstance(v, list) and len(v) == 2 and all(_is_number(x) for x in v))
                for v in value.values()
            )
        ):
            for option, bounds in value.items():
                cells: dict[str, Any] = {"option": option}
                if isinstance(bounds, list):
                    cells["min"], cells["max"] = bounds
                else:
                    cells["points"] = bounds
                after.append(_entry_row(code, path, BANDS, cells, {}))
        elif (
            key == "parts"
            and kind != "by_context"
            and isinstance(value, list)
            and value
            and all(isinstance(p, Mapping) and isinstance(p.get("type"), str) for p in value)
        ):
            for index, part in enumerate(value, start=1):
                children.extend(_rule_rows(code, f"{path}.{index}" if path else str(index), part))
        elif (
            key == "cases"
            and kind == "by_context"
            and isinstance(value, list)
            and value
            and all(
                isinstance(c, Mapping)
                and set(c) <= {"when", "label", "rule"}
                and isinstance(c.get("rule"), Mapping)
                and isinstance(c["rule"].get("type"), str)
                and _fits(_RULE_BY_KEY["when"], c.get("when", []))
                and _fits(_RULE_BY_KEY["case_label"], c.get("label", ""))
                for c in value
            )
        ):
            for index, case_spec in enumerate(value, start=1):
                children.extend(
                    _rule_rows(code, f"{path}.{index}" if path else str(index), case_spec["rule"], case_spec)
                )
        else:
            extra[key] = value
    if extra:
        head["extra"] = extra
    return [_row(RULE_COLUMNS, head), *after, *children]


@dataclass
class _RuleNode:
    number: int
    spec: dict[str, Any]
    case: dict[str, Any] | None
    children: list[_RuleNode] = field(default_factory=list)


def _read_rules(
    reader: _Reader, rows: list[Row]
) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], int], dict[str, int]]:
    """The rule of each indicator code, the row of each (code, position), and the first row
    naming each code."""
    nodes: dict[tuple[str, str], _RuleNode] = {}
    first: dict[str, int] = {}
    roots: dict[str, _RuleNode] = {}
    where: dict[tuple[str, str], int] = {}
    entries: list[Row] = []
    case_keys = {"when", "case_label"}
    for number, record in rows:
        code = _cell_text(record["code"]) if "code" in record else ""
        if not code:
            reader.problem(RULES, number, "指标编码", "缺少指标编码", "indicator code missing")
            continue
        first.setdefault(code, number)
        path = _cell_text(record["path"]) if "path" in record else ""
        if "type" not in record:
            if "entry" not in record:
                reader.problem(
                    RULES, number, "规则类型", "既没有规则类型，也没有明细", "neither a rule type nor an entry"
                )
            else:
                entries.append((number, record))
            continue
        if "entry" in record:
            reader.problem(
                RULES, number, "明细", "规则行不填“明细”（明细写在规则行下方的行上）", "a rule row has no entry"
            )
        kind = reader.value(RULES, number, _RULE_BY_KEY["type"], record)
        if kind is MISSING:
            continue
        if (code, path) in where:
            reader.problem(
                RULES,
                number,
                "位置",
                f"指标 {code} 的规则{('（位置 ' + path + '）') if path else ''}重复（首次在第 {where[code, path]} 行）",
                f"rule of {code} at {path or 'top'} given twice",
            )
            continue
        where[code, path] = number
        reader.only(
            RULES,
            number,
            record,
            _RULE_SCALARS | {"code", "path", "type", "extra", "bonus.field", "bonus.factor"} | case_keys,
            "规则行",
        )
        spec: dict[str, Any] = {"type": kind}
        spec.update(reader.fill(RULES, number, [_RULE_BY_KEY[k] for k in sorted(_RULE_SCALARS)], record))
        bonus = reader.fill(RULES, number, [_RULE_BY_KEY["bonus.field"], _RULE_BY_KEY["bonus.factor"]], record)
        if bonus:
            spec["bonus"] = {k.removeprefix("bonus."): v for k, v in bonus.items()}
        case = None
        if any(k in record for k in case_keys):
            filled = reader.fill(RULES, number, [_RULE_BY_KEY["when"], _RULE_BY_KEY["case_label"]], record)
            case = {("label" if k == "case_label" else k): v for k, v in filled.items()}
        extra = reader.value(RULES, number, _RULE_BY_KEY["extra"], record)
        if extra is not MISSING:
            if not isinstance(extra, Mapping):
                reader.problem(
                    RULES, number, "其他参数", "“其他参数”应为 YAML 映射，如 {键: 值}", "extra must be a mapping"
                )
            else:
                for key, value in extra.items():
                    if key in spec:
                        reader.problem(RULES, number, "其他参数", f"参数 {key} 已在列中给出", f"{key} given twice")
                    spec[key] = value
        node = _RuleNode(number, spec, case)
        nodes[code, path] = node
        if path:
            parent_path = path.rpartition(".")[0]
            parent = nodes.get((code, parent_path))
            if parent is None:
                reader.problem(
                    RULES,
                    number,
                    "位置",
                    f"位置 {path} 之前没有指标 {code} 的上一级规则（位置 {parent_path or '空'}）",
                    f"no enclosing rule before position {path}",
                )
                continue
            parent.children.append(node)
        else:
            roots[code] = node
    for number, record in entries:
        code = _cell_text(record["code"])
        path = _cell_text(record["path"]) if "path" in record else ""
        owner = nodes.get((code, path))
        name = _cell_text(record["entry"])
        if owner is None:
            reader.problem(
                RULES,
                number,
                "明细",
                f"明细「{name}」之前没有指标 {code}{('位置 ' + path) if path else ''} 的规则行",
                "an entry row before its rule row",
            )
            continue
        if owner.number > number:
            reader.problem(RULES, number, "明细", "明细行应写在其规则行的下方", "an entry row must follow its rule row")
            continue
        _read_entry(reader, number, record, name, owner.spec)
    for node in nodes.values():
        if not node.children:
            continue
        if node.spec["type"] == "by_context":
            cases = []
            for child in node.children:
                case = dict(child.case or {})
                case["rule"] = child.spec
                cases.append(case)
            node.spec["cases"] = cases
        else:
            node.spec["parts"] = [child.spec for child in node.children]
        for child in node.children:
            if child.case is not None and node.spec["type"] != "by_context":
                reader.problem(
                    RULES,
                    child.number,
                    "适用情形",
                    "“适用情形”“情形名称”只用于按背景分情形（by_context）规则的情形",
                    "when/case label apply to the cases of a by_context rule only",
                )
    for (_, _path), node in nodes.items():
        if node.case is not None and not _path:
            reader.problem(
                RULES, node.number, "适用情形", "指标的规则本身不填“适用情形”", "the indicator's own rule has no case"
            )
    return {code: node.spec for code, node in roots.items()}, where, first


def _read_entry(reader: _Reader, number: int, record: Mapping[str, Any], name: str, spec: dict[str, Any]) -> None:
    """One entry row into its rule's list or table."""
    extra = reader.value(RULES, number, _RULE_BY_KEY["extra"], record)
    if extra is not MISSING and not isinstance(extra, Mapping):
        reader.problem(RULES, number, "其他参数", "“其他参数”应为 YAML 映射，如 {键: 值}", "extra must be a mapping")
        extra = MISSING
    if name in ENTRY_LISTS:
        param, keys = ENTRY_LISTS[name]
        reader.only(RULES, number, record, {"code", "path", "entry", "extra", *keys}, f"明细「{name}」")
        entry = reader.fill(RULES, number, [_RULE_BY_KEY[k] for k in keys], record)
        if extra is not MISSING:
            entry.update(extra)
        target = spec.setdefault(param, [])
        if not isinstance(target, list):
            reader.problem(RULES, number, "明细", f"参数 {param} 已在“其他参数”中给出", f"{param} given twice")
            return
        target.append(entry)
        return
    if name in ENTRY_MAPS or name == BANDS:
        param, value_key = ENTRY_MAPS.get(name, ("bands", "points"))
        allowed = {"code", "path", "entry", "option", value_key} | ({"min", "max"} if name == BANDS else set())
        reader.only(RULES, number, record, allowed, f"明细「{name}」")
        option = reader.value(RULES, number, _RULE_BY_KEY["option"], record)
        if option is MISSING:
            reader.problem(RULES, number, "选项", f"明细「{name}」缺少“选项”", "option missing")
            return
        values = reader.fill(RULES, number, [_RULE_BY_KEY[k] for k in ("min", "max", value_key)], record)
        if name == BANDS and ("min" in values or "max" in values):
            if set(values) != {"min", "max"}:
                reader.problem(
                    RULES,
                    number,
                    "最小值",
                    "档次填“分值”一个数，或“最小值”“最大值”两个数",
                    "a band has points or min and max",
                )
                return
            amount: Any = [values["min"], values["max"]]
        elif value_key in values:
            amount = values[value_key]
        else:
            title = _RULE_BY_KEY[value_key].title
            reader.problem(RULES, number, title, f"明细「{name}」缺少“{title}”", f"{value_key} missing")
            return
        target = spec.get(param)
        if target is None:
            target = spec[param] = {}
        if not isinstance(target, dict):
            reader.problem(
                RULES, number, "明细", f"参数 {param} 已在规则行中给出，不能再有明细「{name}」", f"{param} given twice"
            )
            return
        if option in target:
            reader.problem(RULES, number, "选项", f"选项「{option}」重复", f"option {option!r} twice")
            return
        target[str(option)] = amount
        return
    known = "、".join([*ENTRY_LISTS, *ENTRY_MAPS, BANDS])
    reader.problem(RULES, number, "明细", f"未知的明细「{name}」（可用：{known}）", f"unknown entry {name!r}")


# --- 等级与条件 ---------------------------------------------------------------------------------

LEVEL_COLUMNS = [
    Column("kind", "类别"),
    Column("name", "名称"),
    Column("key", "键"),
    Column("min_total", "最低分", "number"),
    Column("on", "计分口径", "on"),
    Column("requires", "需达到的标记", "list"),
    Column("necessary", "须满足必要条件", "bool"),
    Column("codes", "指标", "list"),
    Column("points", "分值", "number"),
]
LEVEL = "等级"
ELIGIBILITY = "申报条件"
EXCLUSION = "否决情形"
PART = "部分"
SAME_CASE = "同一案例只计一次"
#: YAML 1.1 reads an unquoted `on:` key as the boolean true; the loader keeps it as "True"
_ON_KEYS = ("on", "True")


def _basis(spec: Mapping[str, Any]) -> dict[str, Any]:
    for key in _ON_KEYS:
        if key in spec:
            return {"on": spec[key]}
    return {}


def _check_keys(spec: Any, allowed: set[str], what: str) -> Mapping[str, Any]:
    if not isinstance(spec, Mapping):
        raise WorkbookError(f"{what} 应为映射 / {what} must be a mapping")
    unknown = set(spec) - allowed
    if unknown:
        raise WorkbookError(
            f"{what} 的属性 {sorted(unknown)} 在工作簿中没有对应的列 / {sorted(unknown)} have no column"
        )
    return spec


def _level_rows(data: Mapping[str, Any]) -> list[list[Any]]:
    rows = [_header(LEVEL_COLUMNS)]
    for spec in data.get("levels") or []:
        spec = _check_keys(spec, {"name", "min_total", "requires", *_ON_KEYS}, "等级")
        values = {k: v for k, v in spec.items() if k in {"name", "min_total", "requires"}}
        rows.append(_row(LEVEL_COLUMNS, {"kind": LEVEL, **values, **_basis(spec)}))
    elig = data.get("eligibility")
    if elig is not None:
        elig = _check_keys(elig, {"min_total", "necessary", "exclusions", *_ON_KEYS}, "申报条件")
        values = {k: v for k, v in elig.items() if k in {"min_total", "necessary"}} | _basis(elig)
        if values or not elig.get("exclusions"):
            rows.append(_row(LEVEL_COLUMNS, {"kind": ELIGIBILITY, **values}))
        for exclusion in elig.get("exclusions") or []:
            exclusion = _check_keys(exclusion, {"key", "label"}, "否决情形")
            values = {"key": exclusion.get("key"), "name": exclusion.get("label")}
            rows.append(_row(LEVEL_COLUMNS, {"kind": EXCLUSION, **{k: v for k, v in values.items() if v is not None}}))
    for name, spec in (data.get("parts") or {}).items():
        spec = _check_keys(spec, {"codes", "points"}, "部分")
        rows.append(_row(LEVEL_COLUMNS, {"kind": PART, "name": name, **spec}))
    for spec in data.get("same_case_once") or []:
        spec = _check_keys(spec, {"label", "indicators"}, "同一案例只计一次")
        values = {"name": spec["label"]} if "label" in spec else {}
        if "indicators" in spec:
            values["codes"] = spec["indicators"]
        rows.append(_row(LEVEL_COLUMNS, {"kind": SAME_CASE, **values}))
    return rows


def _read_levels(reader: _Reader) -> tuple[dict[str, Any], dict[str, list[int]]]:
    data: dict[str, Any] = {}
    where: dict[str, list[int]] = {}
    by_key = {c.key: c for c in LEVEL_COLUMNS}
    kinds = {
        LEVEL: {"name", "min_total", "on", "requires"},
        ELIGIBILITY: {"min_total", "on", "necessary"},
        EXCLUSION: {"key", "name"},
        PART: {"name", "codes", "points"},
        SAME_CASE: {"name", "codes"},
    }
    for number, record in reader.table(LEVELS, LEVEL_COLUMNS, required=("kind",)):
        kind = _cell_text(record.get("kind", "")) if record.get("kind") is not None else ""
        if kind not in kinds:
            reader.problem(
                LEVELS, number, "类别", f"类别应为：{'、'.join(kinds)}，收到「{kind}」", f"unknown category {kind!r}"
            )
            continue
        where.setdefault(kind, []).append(number)
        reader.only(LEVELS, number, record, kinds[kind] | {"kind"}, f"类别「{kind}」")
        values = reader.fill(LEVELS, number, [by_key[k] for k in kinds[kind]], record)
        if kind == LEVEL:
            for key in ("name", "min_total"):
                if key not in values:
                    title = by_key[key].title
                    reader.problem(LEVELS, number, title, f"等级缺少“{title}”", f"a level needs {key}")
            data.setdefault("levels", []).append(values)
        elif kind == ELIGIBILITY:
            elig = data.setdefault("eligibility", {})
            if len(where[kind]) > 1:
                reader.problem(LEVELS, number, "类别", "申报条件只能有一行", "one eligibility row only")
            elig.update(values)
        elif kind == EXCLUSION:
            exclusion = {"key": values["key"]} if "key" in values else {}
            if "name" in values:
                exclusion["label"] = values["name"]
            for key, title in (("key", "键"), ("label", "名称")):
                if key not in exclusion:
                    reader.problem(LEVELS, number, title, f"否决情形缺少“{title}”", f"an exclusion needs {key}")
            data.setdefault("eligibility", {}).setdefault("exclusions", []).append(exclusion)
        elif kind == PART:
            name = values.pop("name", None)
            if name is None:
                reader.problem(LEVELS, number, "名称", "部分缺少“名称”", "a part needs a name")
                continue
            parts = data.setdefault("parts", {})
            if name in parts:
                reader.problem(LEVELS, number, "名称", f"部分「{name}」重复", f"part {name} twice")
            parts[name] = values
        else:
            policy = {"label": values["name"]} if "name" in values else {}
            if "codes" in values:
                policy["indicators"] = values["codes"]
            data.setdefault("same_case_once", []).append(policy)
    return data, where


# --- 说明 -------------------------------------------------------------------------------------

NOTE_COLUMNS = [Column("code", "指标编码"), Column("text", "说明")]


def _note_rows(notes: list[Any]) -> list[list[Any]]:
    rows = [_header(NOTE_COLUMNS)]
    for note in notes or []:
        note = _check_keys(note, {"text", "code"}, "说明")
        rows.append(_row(NOTE_COLUMNS, note))
    return rows


# --- 申报书 -----------------------------------------------------------------------------------

FORM_COLUMNS = [
    Column("kind", "类别"),
    Column("key", "键"),
    Column("label", "名称"),
    Column("content", "内容"),
    Column("type", "类型", "form_kind"),
    Column("unit", "单位"),
    Column("required", "必填", "bool"),
    Column("max", "最大值", "number"),
    Column("options", "选项", "list"),
    Column("help", "填写说明"),
    Column("numerator", "分子"),
    Column("denominator", "分母"),
    Column("percent", "百分比", "bool"),
    Column("places", "小数位数", "int"),
    Column("framework", "指标体系"),
    Column("code", "指标编码"),
    Column("inputs", "输入项列表", "list"),
    Column("means", "含义", "means"),
]
FORM_SETTING = "设置"
FORM_NOTE = "说明"
FORM_SECTION = "分节"
FORM_FIELD = "字段"
FORM_DERIVED = "自动计算"
FORM_OPINION = "签署意见"
FORM_CHECK = "对照检查"
FORM_SETTING_KEYS = ("title", "subject", "source", "promise")
_FIELD_KEYS = {"key", "label", "kind", "unit", "required", "max", "options", "help"}
_DERIVED_KEYS = {"key", "label", "numerator", "denominator", "percent", "unit", "places"}
#: a cross check's `field` is the 键 column
_CHECK_KEYS = {"field", "framework", "code", "inputs", "means"}


def _form_rows(form: Mapping[str, Any] | None) -> list[list[Any]]:
    rows = [_header(FORM_COLUMNS)]
    if form is None:
        return rows
    form = _check_keys(form, {*FORM_SETTING_KEYS, "notes", "sections", "derived", "opinions", "cross_checks"}, "申报书")
    for key in FORM_SETTING_KEYS:
        if key in form:
            rows.append(_row(FORM_COLUMNS, {"kind": FORM_SETTING, "key": key, "content": form[key]}))
    for note in form.get("notes") or []:
        rows.append(_row(FORM_COLUMNS, {"kind": FORM_NOTE, "content": note}))
    for section in form.get("sections") or []:
        section = _check_keys(section, {"title", "fields"}, "申报书分节")
        rows.append(_row(FORM_COLUMNS, {"kind": FORM_SECTION, "label": section.get("title")}))
        for spec in section.get("fields") or []:
            spec = _check_keys(spec, _FIELD_KEYS, "申报书字段")
            values = {("type" if k == "kind" else k): v for k, v in spec.items()}
            rows.append(_row(FORM_COLUMNS, {"kind": FORM_FIELD, **values}))
    for spec in form.get("derived") or []:
        spec = _check_keys(spec, _DERIVED_KEYS, "申报书自动计算项")
        rows.append(_row(FORM_COLUMNS, {"kind": FORM_DERIVED, **spec}))
    for opinion in form.get("opinions") or []:
        rows.append(_row(FORM_COLUMNS, {"kind": FORM_OPINION, "content": opinion}))
    for spec in form.get("cross_checks") or []:
        spec = _check_keys(spec, _CHECK_KEYS, "申报书对照检查")
        values = {("key" if k == "field" else k): v for k, v in spec.items()}
        rows.append(_row(FORM_COLUMNS, {"kind": FORM_CHECK, **values}))
    return rows


def _read_form(reader: _Reader) -> dict[str, Any] | None:
    rows = reader.table(FORM, FORM_COLUMNS, required=("kind",))
    if not rows:
        return None
    before = len(reader.problems)
    by_key = {c.key: c for c in FORM_COLUMNS}
    kinds = {
        FORM_SETTING: {"key", "content"},
        FORM_NOTE: {"content"},
        FORM_SECTION: {"label"},
        FORM_FIELD: {"key", "label", "type", "unit", "required", "max", "options", "help"},
        FORM_DERIVED: _DERIVED_KEYS,
        FORM_OPINION: {"content"},
        FORM_CHECK: {"key", "framework", "code", "inputs", "means"},
    }
    form: dict[str, Any] = {}
    section: dict[str, Any] | None = None
    field_rows: dict[str, int] = {}
    for number, record in rows:
        kind = _cell_text(record.get("kind", "")) if record.get("kind") is not None else ""
        if kind not in kinds:
            reader.problem(
                FORM, number, "类别", f"类别应为：{'、'.join(kinds)}，收到「{kind}」", f"unknown category {kind!r}"
            )
            continue
        reader.only(FORM, number, record, kinds[kind] | {"kind"}, f"类别「{kind}」")
        values = reader.fill(FORM, number, [by_key[k] for k in kinds[kind]], record)
        if kind == FORM_SETTING:
            key = values.get("key")
            if key not in FORM_SETTING_KEYS:
                reader.problem(
                    FORM,
                    number,
                    "键",
                    f"设置的键应为：{'、'.join(FORM_SETTING_KEYS)}，收到「{key}」",
                    "unknown form setting",
                )
            elif key in form:
                reader.problem(FORM, number, "键", f"设置「{key}」重复", f"form setting {key} twice")
            elif "content" in values:
                form[key] = values["content"]
        elif kind in (FORM_NOTE, FORM_OPINION):
            if "content" in values:
                form.setdefault("notes" if kind == FORM_NOTE else "opinions", []).append(values["content"])
        elif kind == FORM_SECTION:
            if "label" not in values:
                reader.problem(FORM, number, "名称", "分节缺少“名称”", "a section needs a title")
            section = {"title": values.get("label", ""), "fields": []}
            form.setdefault("sections", []).append(section)
        elif kind == FORM_FIELD:
            if section is None:
                reader.problem(FORM, number, "类别", "字段之前应有一行“分节”", "a field must follow a section row")
                continue
            spec = {("kind" if k == "type" else k): v for k, v in values.items()}
            for key, title in (("key", "键"), ("label", "名称")):
                if key not in spec:
                    reader.problem(FORM, number, title, f"字段缺少“{title}”", f"a field needs {key}")
            if "key" in spec:
                field_rows.setdefault(str(spec["key"]), number)
            section["fields"].append(spec)
        elif kind == FORM_CHECK:
            for key, title in (("key", "键"), ("code", "指标编码"), ("inputs", "输入项列表")):
                if key not in values:
                    reader.problem(FORM, number, title, f"对照检查缺少“{title}”", f"a cross check needs {key}")
            check = {("field" if k == "key" else k): v for k, v in values.items()}
            form.setdefault("cross_checks", []).append(check)
        else:
            for key, title in (("key", "键"), ("label", "名称"), ("numerator", "分子"), ("denominator", "分母")):
                if key not in values:
                    reader.problem(FORM, number, title, f"自动计算项缺少“{title}”", f"a derived value needs {key}")
            if "key" in values:
                field_rows.setdefault(str(values["key"]), number)
            form.setdefault("derived", []).append(values)
    if "title" not in form:
        reader.problem(FORM, 0, "类别", "申报书缺少标题（类别“设置”、键 title）", "the form needs a title")
    if len(reader.problems) > before:
        return None
    try:
        parse_definition("workbook", form, where=FORM)
    except FormDefinitionError as exc:
        message = str(exc).removeprefix(f"{FORM}: ")
        row = next(
            (
                n
                for key, n in field_rows.items()
                if re.search(rf"(?<![A-Za-z0-9_]){re.escape(key)}(?![A-Za-z0-9_])", message)
            ),
            0,
        )
        column = ("类型" if "类型" in message else "键") if row else ""
        reader.problem(FORM, row, column, message, "the form is not valid")
        return None
    except (KeyError, TypeError, ValueError) as exc:
        reader.problem(FORM, 0, "", f"申报书无法读取：{exc}", "the form cannot be read")
        return None
    return form


# --- both ways --------------------------------------------------------------------------------

_TITLES: dict[str, dict[str, str]] = {
    SETTINGS: {c.key: c.title for c in SETTING_COLUMNS},
    INDICATORS: {c.key: c.title for c in INDICATOR_COLUMNS},
    RULES: {c.key: c.title for c in RULE_COLUMNS},
    INPUTS: {c.key: c.title for c in INPUT_SHEET_COLUMNS},
    CONTEXT: {c.key: c.title for c in CONTEXT_COLUMNS},
    LEVELS: {c.key: c.title for c in LEVEL_COLUMNS},
    NOTES: {c.key: c.title for c in NOTE_COLUMNS},
    FORM: {c.key: c.title for c in FORM_COLUMNS},
}


def framework_to_sheets(data: Mapping[str, Any], form: Mapping[str, Any] | None = None) -> Sheets:
    """The framework mapping (as `load_yaml` gives it) and optionally its 申报书 mapping as
    sheets: sheet name → rows, the first row the header. Raises WorkbookError for a key the
    workbook has no place for."""
    if not isinstance(data, Mapping):
        raise WorkbookError("框架数据应为映射 / framework data must be a mapping")
    indicators = data.get("indicators") or []
    rules = [_header(RULE_COLUMNS)]
    inputs = [_header(INPUT_SHEET_COLUMNS)]

    def walk(node: Mapping[str, Any]) -> None:
        code = str(node.get("code"))
        if node.get("rule") is not None:
            rules.extend(_rule_rows(code, "", node["rule"]))
        if node.get("inputs"):
            inputs.extend(_input_rows(code, list(node["inputs"])))
        for child in node.get("children") or []:
            if isinstance(child, Mapping):
                walk(child)

    sheets: Sheets = {SETTINGS: _settings_rows(data), INDICATORS: _indicator_rows(list(indicators))}
    for top in indicators:
        if isinstance(top, Mapping):
            walk(top)
    sheets[RULES] = rules
    sheets[INPUTS] = inputs
    sheets[LEVELS] = _level_rows(data)
    sheets[CONTEXT] = [_header(CONTEXT_COLUMNS), *_input_rows(None, list(data.get("context") or []))]
    sheets[NOTES] = _note_rows(list(data.get("notes") or []))
    sheets[FORM] = _form_rows(form)
    return {name: sheets[name] for name in SHEET_ORDER}


@dataclass
class _Places:
    """Where each thing came from, to place the engine's findings back on a row."""

    settings: dict[str, int]
    indicators: dict[str, int]
    rules: dict[tuple[str, str], int]
    inputs: dict[tuple[str | None, str], int]
    levels: dict[str, list[int]]


def sheets_to_framework(sheets: Mapping[str, Any], *, check: bool = True) -> BookResult:
    """Read sheets (as `framework_to_sheets` gives them, or as read from a workbook, cells as
    text) back into the framework mapping and the 申报书 mapping. Never raises: whatever is
    wrong is a BookProblem naming sheet, row and column; the engine's validation of the result
    (skipped with `check=False`, for a converter's own tests) is placed on the rows it concerns."""
    reader = _Reader(sheets)
    try:
        data, places = _assemble(reader)
        form = _read_form(reader)
        reader.problems = in_order(reader.problems)
        if check and not reader.has_errors(besides=FORM):
            _validate(reader, data, places)  # the engine's findings follow, in its (causal) order
    except Exception as exc:  # a defect here must not cost the user their upload (nor a 500)
        reader.problem(SETTINGS, 0, "", f"工作簿无法读取：{exc}", f"the workbook cannot be read: {exc}")
        return BookResult(None, None, reader.problems)
    errors = any(p.severity == "error" and p.sheet != FORM for p in reader.problems)
    form_errors = any(p.severity == "error" and p.sheet == FORM for p in reader.problems)
    return BookResult(None if errors else data, None if form_errors else form, reader.problems)


def in_order(problems: list[BookProblem]) -> list[BookProblem]:
    """Problems sheet by sheet in the workbook's order, then by row (a problem about the
    whole book or an unknown sheet first), each sheet's in the order they were found."""
    rank = {name: index for index, name in enumerate(SHEET_ORDER, start=1)}
    return sorted(problems, key=lambda p: (rank.get(p.sheet, 0), p.row))


def _assemble(reader: _Reader) -> tuple[dict[str, Any], _Places]:
    for name in sheets_missing(reader.sheets):
        reader.problem(name, 0, "", f"缺少工作表「{name}」", f"sheet {name!r} missing")
    data, settings_where = _read_settings(reader)
    ind_rows = reader.table(INDICATORS, INDICATOR_COLUMNS, required=("code", "title", "points"))
    rule_rows = reader.table(RULES, RULE_COLUMNS, required=("code", "type"))
    input_rows = reader.table(INPUTS, INPUT_SHEET_COLUMNS, required=("code", "key", "label", "type"))
    context_rows = reader.table(CONTEXT, CONTEXT_COLUMNS, required=("key", "label", "type"))
    rules, rule_where, rule_first = _read_rules(reader, rule_rows)
    inputs, input_where = _read_inputs(reader, INPUTS, input_rows, INPUT_SHEET_COLUMNS)
    context, context_where = _read_inputs(reader, CONTEXT, context_rows, CONTEXT_COLUMNS)
    input_where.update(context_where)
    if context.get(None):
        data["context"] = context[None]

    nodes: dict[str, dict[str, Any]] = {}
    where: dict[str, int] = {}
    parents: dict[str, tuple[str, int]] = {}
    depths: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    for number, record in ind_rows:
        code = reader.value(INDICATORS, number, _col(INDICATOR_COLUMNS, "code"), record)
        if code is MISSING or not code:
            reader.problem(INDICATORS, number, "编码", "缺少编码", "code missing")
            continue
        if code in where:
            reader.problem(
                INDICATORS,
                number,
                "编码",
                f"编码 {code} 重复（首次出现在第 {where[code]} 行）",
                f"duplicate code {code} (first on row {where[code]})",
            )
            continue
        where[code] = number
        node: dict[str, Any] = {}
        for key, column in _INDICATOR_PLAIN.items():
            value = reader.value(INDICATORS, number, column, record)
            if value is not MISSING:
                node[key] = value
        node["code"] = code
        for key, title in (("title", "名称"), ("points", "分值")):
            if key not in node and key not in record:
                reader.problem(INDICATORS, number, title, f"缺少{title}", f"{key} missing")
        marks = _read_marks(reader, number, record)
        if marks is not None:
            node["marks"] = marks
        parent = reader.value(INDICATORS, number, _col(INDICATOR_COLUMNS, "parent"), record)
        if parent is not MISSING and parent:
            parents[code] = (parent, number)
        depth = reader.value(INDICATORS, number, _col(INDICATOR_COLUMNS, "depth"), record)
        if depth is not MISSING:
            depths[code] = (depth, number)
        nodes[code] = node
        order.append(code)

    tops: list[str] = []
    children: dict[str, list[str]] = {}
    for code in order:
        if code not in parents:
            tops.append(code)
            continue
        parent, number = parents[code]
        if parent == code:
            reader.problem(
                INDICATORS, number, "上级编码", "上级编码不能是本指标自己", "an indicator cannot be its own parent"
            )
        elif parent not in nodes:
            reader.problem(
                INDICATORS,
                number,
                "上级编码",
                f"上级编码 {parent} 在“编码”列中不存在",
                f"unknown parent code {parent}",
            )
        else:
            children.setdefault(parent, []).append(code)
    placed: set[str] = set()

    def build(code: str, depth: int) -> dict[str, Any]:
        placed.add(code)
        node = nodes[code]
        if code in depths and depths[code][0] != depth:
            given, number = depths[code]
            reader.problem(
                INDICATORS,
                number,
                "层级",
                f"层级写的是{encode('depth', given)}，按上级编码应为{encode('depth', depth)}",
                f"level {given + 1} given, the parent code makes it level {depth + 1}",
            )
        kids = [build(child, depth + 1) for child in children.get(code, []) if child not in placed]
        for kid in kids:
            if _is_number(kid.get("points")) and _is_number(node.get("points")) and kid["points"] > node["points"]:
                reader.problem(
                    INDICATORS,
                    where[kid["code"]],
                    "分值",
                    f"分值 {kid['points']} 超过上级指标 {code} 的分值 {node['points']}",
                    f"points {kid['points']} exceed those of the parent {code} ({node['points']})",
                )
        if kids:
            node["children"] = kids
        if code in inputs:
            node["inputs"] = inputs[code]
        if code in rules:
            node["rule"] = rules[code]
        return node

    data["indicators"] = [build(code, 0) for code in tops]
    for code in order:
        if code not in placed and code in parents and parents[code][0] in nodes and parents[code][0] != code:
            reader.problem(
                INDICATORS,
                parents[code][1],
                "上级编码",
                f"指标 {code} 的上级编码形成循环，连不到一级指标",
                "the parent codes form a loop",
            )
    for code, number in rule_first.items():
        if code not in nodes:
            reader.problem(
                RULES, number, "指标编码", f"指标编码 {code} 在「指标」表中不存在", f"unknown indicator {code}"
            )
    for (code, _path), number in input_where.items():
        if code is not None and code not in nodes:
            reader.problem(
                INPUTS, number, "指标编码", f"指标编码 {code} 在「指标」表中不存在", f"unknown indicator {code}"
            )

    levels, level_where = _read_levels(reader)
    data.update(levels)
    notes = []
    for number, record in reader.table(NOTES, NOTE_COLUMNS, required=("text",)):
        note = reader.fill(NOTES, number, NOTE_COLUMNS, record)
        if "text" not in note:
            reader.problem(NOTES, number, "说明", "缺少说明文字", "note text missing")
        notes.append(note)
    if notes:
        data["notes"] = notes
    return data, _Places(settings_where, where, rule_where, input_where, level_where)


def sheets_missing(sheets: Mapping[str, Any]) -> list[str]:
    """The sheets a framework workbook needs that are absent (申报书, 背景信息, 说明 and
    等级与条件 may be left out)."""
    return [name for name in (SETTINGS, INDICATORS, RULES, INPUTS) if name not in sheets]


# --- the engine's findings, placed back ---------------------------------------------------------

_INPUT_IN_MESSAGE = re.compile(r"输入 ?([A-Za-z_][A-Za-z0-9_]*)")
_INPUT_COLUMN_WORDS = (
    ("类型", "类型"),
    ("label", "名称"),
    ("标签", "名称"),
    ("options", "选项"),
    ("选项", "选项"),
    ("decided_by", "认定方"),
    ("fields", "所属条目"),
    ("属性", "键"),
)


def _validate(reader: _Reader, data: dict[str, Any], places: _Places) -> None:
    try:
        fw = load_framework_text(dump_yaml(data), "workbook")
        found = fw.problems + check_framework(fw)
    except FrameworkError as exc:
        found = exc.problems
    except Exception as exc:  # malformed structure the engine does not check for
        reader.problem(SETTINGS, 0, "", f"指标体系无法载入：{exc!r}", f"the framework cannot be loaded: {exc!r}")
        return
    for problem in found:
        if problem.severity == "note":
            continue
        sheet, row, column = _place(problem, places)
        reader.problem(sheet, row, column, problem.message_zh, problem.message_en, problem.severity)


def _place(problem: Problem, places: _Places) -> tuple[str, int, str]:
    """The sheet, row and column an engine finding is about, as near as can be told."""
    zh, en, code = problem.message_zh, problem.message_en.lower(), problem.code
    if code and code in places.indicators:
        row = places.indicators[code]
        if en.startswith(("bad input", "duplicate input")) or "used by no rule" in en or "cannot declare inputs" in en:
            match = _INPUT_IN_MESSAGE.search(zh)
            key = match[1] if match else ""
            input_row = places.inputs.get((code, key)) or next(
                (n for (c, _), n in sorted(places.inputs.items(), key=lambda item: item[1]) if c == code), 0
            )
            if input_row:
                column = next((title for word, title in _INPUT_COLUMN_WORDS if word in zh), "键")
                return INPUTS, input_row, column
        if en.startswith("bad rule") or "cannot have a rule" in en:
            column = "输入项" if "输入" in zh else ("其他参数" if "未知参数" in zh else "规则类型")
            return RULES, places.rules.get((code, ""), 0), column
        if "mark" in en:
            return INDICATORS, row, "达到条件" if "met" in en or "input" in en else "标记"
        if "bonus" in en:
            return INDICATORS, row, "加分部分"
        if "points" in en or "add up" in en or "award" in en:
            return INDICATORS, row, "分值"
        if "without a rule" in en:
            return INDICATORS, row, "编码"
        return INDICATORS, row, ""
    if "context" in en:
        match = re.search(r"([A-Za-z_][A-Za-z0-9_]*)", zh)
        return CONTEXT, places.inputs.get((None, match[1] if match else ""), 0), ""
    for words, key in (
        (("top-level indicators",), "total"),
        (("bonus sections",), "bonus_total"),
        (("family",), "family"),
        (("subject",), "subject"),
    ):
        if any(w in en for w in words):
            return SETTINGS, places.settings.get(key, 0), "值"
    match = re.match(r"(?:unknown top-level key|missing required key) (\S+)", en)
    if match:
        return SETTINGS, places.settings.get(match[1], 0), "键" if match[1] in places.settings else ""
    if "window" in en:
        row = next((n for k, n in places.settings.items() if k.startswith("time_windows.")), 0)
        return SETTINGS, row, "值"
    for word, kind, column in (
        ("part ", PART, "指标"),
        ("same-case", SAME_CASE, "指标"),
        ("level", LEVEL, "需达到的标记"),
    ):
        if word in en:
            rows = places.levels.get(kind, [])
            return LEVELS, rows[0] if len(rows) == 1 else 0, column
    return SETTINGS, 0, ""


def rows_of(sheets: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """A sheet's data rows as {header: cell}, e.g. for a page previewing an upload."""
    rows = sheets.get(name) or []
    if not rows:
        return []
    header = [str(h) if h is not None else "" for h in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]
