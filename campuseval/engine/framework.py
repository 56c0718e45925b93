"""Frameworks as data: load a YAML file into an indicator tree with rules, and check it.

A framework file states the seed's own codes, level names, points, criterion, scoring text
and evidence for every indicator, plus a machine rule for each leaf. `check_framework` finds
everything that would make scores wrong: duplicate codes, points that do not add up, rules
that could award more than their indicator, inputs nobody reads, totals that differ from the
seed. Decisions taken where the seed disagrees with itself are recorded as notes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import FrameworkError, Problem
from .inputs import InputSpec, input_from_spec
from .numbers import ZERO, fmt, to_decimal
from .rules import BuildContext, Rule, Window, build_rule
from .yamlio import Node, line_of, load_yaml

FRAMEWORKS_DIR = Path(__file__).resolve().parent.parent / "frameworks"

MARK_KINDS = {
    "basic": "basic",
    "★": "basic",
    "demonstration": "demonstration",
    "▲": "demonstration",
    "necessary": "necessary",
    "必要条件": "necessary",
    "bonus": "bonus",
    "加分项": "bonus",
}
MARK_NAMES = {"basic": "★基本要求", "demonstration": "▲示范要求", "necessary": "必要条件", "bonus": "加分项"}
REQUIREMENT_KINDS = ("basic", "demonstration", "necessary")

_INDICATOR_KEYS = {
    "code",
    "title",
    "points",
    "criterion",
    "scoring",
    "evidence",
    "marks",
    "bonus",
    "choose_one",
    "children",
    "inputs",
    "rule",
    "note",
    "remarks",
    "capped_by_creation",
}
_TOP_KEYS = {
    "id",
    "family",
    "edition",
    "title",
    "authority",
    "year",
    "source",
    "subject",
    "level_names",
    "total",
    "bonus_total",
    "parts",
    "rounding",
    "time_windows",
    "context",
    "levels",
    "eligibility",
    "same_case_once",
    "notes",
    "indicators",
    "description",
}


@dataclass(frozen=True)
class Mark:
    """A requirement attached to an indicator: ★ basic, ▲ demonstration, 必要条件 necessary,
    or the seed's 加分项 label. `met` says how to tell it is met: `full` points, `any` points,
    a yes/no `input`, or `min_points`."""

    kind: str
    label: str
    met: str = "full"
    input: str = ""
    min_points: Decimal = ZERO

    @property
    def name(self) -> str:
        return MARK_NAMES[self.kind]


@dataclass
class Indicator:
    code: str
    title: str
    points: Decimal
    depth: int
    level_name: str
    line: int
    criterion: str = ""
    scoring: str = ""
    evidence: str = ""
    remarks: str = ""
    note: str = ""
    marks: tuple[Mark, ...] = ()
    bonus: bool = False
    #: at acceptance (验收) the indicator may score no more than it did at creation (创建评定)
    capped_by_creation: bool = False
    choose_one: bool = False
    children: list[Indicator] = field(default_factory=list)
    inputs: dict[str, InputSpec] = field(default_factory=dict)
    rule: Rule | None = None
    parent: Indicator | None = field(default=None, repr=False)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Indicator]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Level:
    name: str
    min_total: Decimal
    requires: tuple[str, ...] = ()
    on: str = "total"


@dataclass(frozen=True)
class Exclusion:
    key: str
    label: str


@dataclass(frozen=True)
class Eligibility:
    """Who may apply or be ranked at all: a minimum self-score, necessary conditions met,
    and none of the exclusions declared (Sichuan: 70 分以上, 必要条件, five 两年内 exclusions)."""

    min_total: Decimal | None = None
    on: str = "total"
    necessary: bool = False
    exclusions: tuple[Exclusion, ...] = ()


@dataclass(frozen=True)
class CasePolicy:
    """ "The same case counts once" across indicators: a case listed under several indicators
    scores only where it earns the most (ties: the first in the framework's order)."""

    indicators: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class Note:
    text: str
    code: str = ""
    line: int = 0


@dataclass
class Framework:
    id: str
    title: str
    subject: str
    level_names: tuple[str, ...]
    total: Decimal
    bonus_total: Decimal
    indicators: list[Indicator]
    path: str = ""
    #: frameworks of one issuer across editions (taizhou-2022-school, a later taizhou edition):
    #: the ladder's held levels and a dashboard's targets are read across one family
    family: str = ""
    #: the issuer's label of this edition (2026版); the platform keeps its own on the record too
    edition: str = ""
    authority: str = ""
    year: int | None = None
    source: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parts_points: dict[str, Decimal] = field(default_factory=dict)
    places: int = 2
    rounding_mode: str = "half_up"
    windows: dict[str, Window] = field(default_factory=dict)
    context: dict[str, InputSpec] = field(default_factory=dict)
    levels: tuple[Level, ...] = ()
    eligibility: Eligibility | None = None
    case_policies: tuple[CasePolicy, ...] = ()
    notes: tuple[Note, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    by_code: dict[str, Indicator] = field(default_factory=dict)

    def walk(self) -> Iterator[Indicator]:
        for top in self.indicators:
            yield from top.walk()

    def leaves(self) -> list[Indicator]:
        return [i for i in self.walk() if i.is_leaf]

    def choose_one_nodes(self) -> list[Indicator]:
        return [i for i in self.walk() if i.choose_one]

    def reviewer_decided_inputs(self) -> dict[str, list[str]]:
        """Leaf code → keys of its inputs the seed leaves to the review group
        (`decided_by: reviewer`), in the file's order; leaves without one are absent. Pages
        label these answers as the applicant's self-estimate, which review replaces."""
        found: dict[str, list[str]] = {}
        for node in self.walk():
            if node.is_leaf:
                keys = [key for key, spec in node.inputs.items() if spec.decided_by == "reviewer"]
                if keys:
                    found[node.code] = keys
        return found

    @property
    def max_total(self) -> Decimal:
        return self.total + self.bonus_total


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, zh: str, en: str, *, line: int = 0, code: str = "", severity: str = "error") -> None:
        self.problems.append(Problem(zh, en, file=self.path, line=line, code=code, severity=severity))

    def build(self, data: Any) -> Framework:
        if not isinstance(data, Node):
            self.problem("框架文件应为 YAML 映射", "framework file must be a YAML mapping", line=1)
            raise FrameworkError(self.problems)
        unknown = set(data) - _TOP_KEYS
        for key in sorted(unknown):
            self.problem(f"未知的顶层键 {key}", f"unknown top-level key {key}", line=data.line)
        for key in ("id", "title", "subject", "level_names", "total", "indicators"):
            if key not in data:
                self.problem(f"缺少必填键 {key}", f"missing required key {key}", line=data.line)
        if any(p.severity == "error" for p in self.problems):
            raise FrameworkError(self.problems)

        windows: dict[str, Window] = {}
        for name, spec in (data.get("time_windows") or {}).items():
            if "since" in spec:
                since = spec["since"]
                if not isinstance(since, dt.date):
                    self.problem(
                        f"时间窗口 {name} 的 since 应为日期", "window since must be a date", line=line_of(spec)
                    )
                    continue
                windows[name] = Window(name=name, since=since)
            elif "years" in spec:
                windows[name] = Window(name=name, years=int(spec["years"]))
            else:
                self.problem(f"时间窗口 {name} 需要 since 或 years", "window needs since or years", line=line_of(spec))

        context: dict[str, InputSpec] = {}
        for spec in data.get("context") or []:
            try:
                inp = input_from_spec(spec)
            except ValueError as exc:
                self.problem(str(exc), "bad context input", line=line_of(spec))
                continue
            context[inp.key] = inp

        level_names = tuple(str(n) for n in data["level_names"])
        fw = Framework(
            id=str(data["id"]),
            title=str(data["title"]),
            subject=str(data["subject"]),
            level_names=level_names,
            total=to_decimal(data["total"]),
            bonus_total=to_decimal(data.get("bonus_total", 0)),
            indicators=[],
            path=self.path,
            family=self._family(data),
            edition=str(data.get("edition", "") or ""),
            authority=str(data.get("authority", "")),
            year=data.get("year"),
            source=dict(data.get("source") or {}),
            description=str(data.get("description", "")),
            windows=windows,
            context=context,
        )
        if fw.subject not in {"school", "district"}:
            self.problem("subject 只能是 school 或 district", "subject must be school or district", line=data.line)
        rounding = data.get("rounding") or {}
        fw.places = int(rounding.get("places", 2))
        fw.rounding_mode = str(rounding.get("mode", "half_up"))

        for raw in data["indicators"] or []:
            node = self._indicator(raw, depth=0, parent=None, fw=fw)
            if node is not None:
                fw.indicators.append(node)

        for name, spec in (data.get("parts") or {}).items():
            fw.parts[str(name)] = tuple(str(c) for c in spec.get("codes", []))
            fw.parts_points[str(name)] = to_decimal(spec.get("points", 0))

        for spec in data.get("levels") or []:
            requires = tuple(MARK_KINDS.get(str(r), str(r)) for r in spec.get("requires", []) or [])
            for r in requires:
                if r not in REQUIREMENT_KINDS:
                    self.problem(f"等级要求 {r} 未知", f"unknown level requirement {r}", line=line_of(spec))
            fw.levels += (
                Level(
                    name=str(spec["name"]),
                    min_total=to_decimal(spec["min_total"]),
                    requires=requires,
                    on=str(spec.get("on", "total")),
                ),
            )
        elig = data.get("eligibility")
        if elig:
            fw.eligibility = Eligibility(
                min_total=to_decimal(elig["min_total"]) if elig.get("min_total") is not None else None,
                on=str(elig.get("on", "total")),
                necessary=bool(elig.get("necessary", False)),
                exclusions=tuple(
                    Exclusion(key=str(e["key"]), label=str(e["label"])) for e in elig.get("exclusions", []) or []
                ),
            )
        for spec in data.get("same_case_once") or []:
            fw.case_policies += (
                CasePolicy(
                    indicators=tuple(str(c) for c in spec.get("indicators", [])),
                    label=str(spec.get("label", "")),
                ),
            )
        for spec in data.get("notes") or []:
            fw.notes += (Note(text=str(spec.get("text", "")), code=str(spec.get("code", "")), line=line_of(spec)),)
        return fw

    def _family(self, data: Any) -> str:
        """The `family` the file states; a file without one (older inline test frameworks) falls
        back to its id up to the first hyphen, the bundled files all state it."""
        given = data.get("family")
        if given is None:
            return str(data["id"]).split("-", 1)[0]
        family = str(given).strip()
        if not family or any(ch.isspace() for ch in family):
            self.problem(
                f"family「{given}」应为不含空格的框架系列名（如 taizhou）",
                "family must be a word without spaces",
                line=line_of(data),
            )
        return family

    def _mark(self, raw: Any, line: int, code: str) -> Mark | None:
        if isinstance(raw, str):
            kind = MARK_KINDS.get(raw)
            if kind is None:
                self.problem(f"未知标记 {raw}", f"unknown mark {raw}", line=line, code=code)
                return None
            return Mark(kind=kind, label="")
        if isinstance(raw, Mapping):
            kind = MARK_KINDS.get(str(raw.get("kind")))
            if kind is None:
                self.problem(f"未知标记 {raw.get('kind')}", "unknown mark kind", line=line_of(raw) or line, code=code)
                return None
            met = raw.get("met", "full")
            if isinstance(met, Mapping):
                if "input" in met:
                    return Mark(kind=kind, label=str(raw.get("label", "")), met="input", input=str(met["input"]))
                if "min_points" in met:
                    return Mark(
                        kind=kind,
                        label=str(raw.get("label", "")),
                        met="min_points",
                        min_points=to_decimal(met["min_points"]),
                    )
                self.problem("met 只能是 full/any/{input}/{min_points}", "bad met", line=line_of(raw), code=code)
                return None
            if met not in {"full", "any"}:
                self.problem("met 只能是 full/any/{input}/{min_points}", "bad met", line=line_of(raw), code=code)
                return None
            return Mark(kind=kind, label=str(raw.get("label", "")), met=str(met))
        self.problem("标记格式错误", "bad mark", line=line, code=code)
        return None

    def _indicator(self, raw: Any, *, depth: int, parent: Indicator | None, fw: Framework) -> Indicator | None:
        line = line_of(raw)
        if not isinstance(raw, Mapping):
            self.problem("指标应为映射", "indicator must be a mapping", line=line)
            return None
        code = str(raw.get("code", "")).strip()
        for key in sorted(set(raw) - _INDICATOR_KEYS):
            self.problem(f"指标有未知键 {key}", f"unknown indicator key {key}", line=line, code=code)
        if not code or "title" not in raw or "points" not in raw:
            self.problem("指标需要 code、title、points", "indicator needs code, title and points", line=line, code=code)
            return None
        level_name = fw.level_names[depth] if depth < len(fw.level_names) else f"第{depth + 1}级"
        try:
            points = to_decimal(raw["points"])
        except ValueError as exc:
            self.problem(str(exc), "points must be a number", line=line, code=code)
            return None
        node = Indicator(
            code=code,
            title=str(raw["title"]),
            points=points,
            depth=depth,
            level_name=level_name,
            line=line,
            criterion=str(raw.get("criterion", "") or "").strip(),
            scoring=str(raw.get("scoring", "") or "").strip(),
            evidence=str(raw.get("evidence", "") or "").strip(),
            remarks=str(raw.get("remarks", "") or "").strip(),
            note=str(raw.get("note", "") or "").strip(),
            bonus=bool(raw.get("bonus", False)),
            choose_one=bool(raw.get("choose_one", False)),
            capped_by_creation=raw.get("capped_by_creation", False) is True,
            parent=parent,
        )
        marks = []
        for m in raw.get("marks") or []:
            mark = self._mark(m, line, code)
            if mark is not None:
                marks.append(mark)
        node.marks = tuple(marks)
        if code in fw.by_code:
            self.problem(
                f"指标编码 {code} 重复（首次出现在第 {fw.by_code[code].line} 行）",
                f"duplicate indicator code {code}",
                line=line,
                code=code,
            )
        else:
            fw.by_code[code] = node

        for child_raw in raw.get("children") or []:
            child = self._indicator(child_raw, depth=depth + 1, parent=node, fw=fw)
            if child is not None:
                node.children.append(child)

        for spec in raw.get("inputs") or []:
            try:
                inp = input_from_spec(spec)
            except ValueError as exc:
                self.problem(str(exc), "bad input", line=line_of(spec) or line, code=code)
                continue
            if inp.key in node.inputs:
                self.problem(f"输入 {inp.key} 重复", f"duplicate input {inp.key}", line=inp.line, code=code)
            node.inputs[inp.key] = inp

        rule_spec = raw.get("rule")
        if node.children and rule_spec is not None:
            self.problem(
                "有下级指标的指标不能有规则", "an indicator with children cannot have a rule", line=line, code=code
            )
        if not node.children:
            if rule_spec is None:
                self.problem("末级指标缺少评分规则 rule", "leaf indicator without a rule", line=line, code=code)
            else:
                ctx = BuildContext(
                    code=code, points=points, inputs=node.inputs, context_inputs=fw.context, windows=fw.windows
                )
                try:
                    node.rule = build_rule(rule_spec, ctx)
                except (ValueError, KeyError, TypeError) as exc:
                    self.problem(f"规则错误：{exc}", f"bad rule: {exc}", line=line_of(rule_spec) or line, code=code)
        elif node.inputs:
            self.problem(
                "有下级指标的指标不能声明输入", "an indicator with children cannot declare inputs", line=line, code=code
            )
        return node


#: a part's points stated in a scoring text, "（1分）" or "(0.5 分)"; a "级" just before it marks
#: one of several levels (市级(0.5分)、省级(1分)), which are alternatives, not parts to add up
_STATED_PART = re.compile(r"(?<!级)[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]")
#: shortest run of characters that makes a repeated scoring text specific to one indicator
_SPECIFIC_RUN = 10
_NOT_WORDS = re.compile(r"[\s，。、；：,.;:（）()“”\"'《》]+")


def _longest_common_run(a: str, b: str) -> int:
    """Length of the longest run of characters found in both texts (ignoring spaces and punctuation)."""
    a, b = _NOT_WORDS.sub("", a), _NOT_WORDS.sub("", b)
    best = 0
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, start=1):
            if ch == other:
                current[j] = previous[j - 1] + 1
                if current[j] > best:
                    best = current[j]
        previous = current
    return best


def _copied_scoring(fw: Framework) -> list[tuple[Indicator, Indicator]]:
    """(indicator, the one whose scoring text it repeats) where the repeat looks like a copy slip.

    The seeds repeat generic texts on purpose (Bozhou 7.2–7.4 share “1个市级获奖教学案例得0.2分…”),
    so a repeat alone proves nothing. It is a slip when the text restates a long run of the other
    indicator's criterion and none of its own: Bozhou district 15.2 (心理健康) carried 15.1's
    “依托学生体质健康监测有关平台或系统，建立学生体质健康数字档案”."""
    by_text: dict[str, list[Indicator]] = {}
    for node in fw.walk():
        if node.scoring and node.criterion:
            by_text.setdefault(node.scoring, []).append(node)
    found = []
    for text, nodes in by_text.items():
        if len(nodes) < 2:
            continue
        fits = {n.code: _longest_common_run(text, n.criterion) >= _SPECIFIC_RUN for n in nodes}
        owners = [n for n in nodes if fits[n.code]]
        if not owners:
            continue
        for node in nodes:
            if not fits[node.code]:
                found.append((node, owners[0]))
    return found


def check_framework(fw: Framework) -> list[Problem]:
    """Every finding about a loaded framework: errors, warnings and the file's own notes."""
    found: list[Problem] = []

    def add(zh: str, en: str, *, line: int = 0, code: str = "", severity: str = "error") -> None:
        found.append(Problem(zh, en, file=fw.path, line=line, code=code, severity=severity))

    for node, other in _copied_scoring(fw):
        add(
            f"评分说明与 {other.code} 逐字相同，且写的是 {other.code} 的内容而不是本指标的"
            "（疑为复制笔误，请按原文本指标内容改写并在 note 中说明）",
            f"scoring text repeats {other.code}'s word for word and describes {other.code}, not this indicator",
            line=node.line,
            code=node.code,
            severity="warning",
        )
    for node in fw.walk():
        stated = [to_decimal(x) for x in _STATED_PART.findall(node.scoring)]
        if len(stated) < 2:
            continue
        total = sum(stated, ZERO)
        if total != node.points and f"{fmt(total)} 分" not in node.note and f"{fmt(total)}分" not in node.note:
            add(
                f"评分说明列出的分项合计 {fmt(total)} 分（{'、'.join(fmt(x) for x in stated)}），"
                f"与本指标 {fmt(node.points)} 分不符（如原文如此，请在 note 中写明合计 {fmt(total)} 分及处理办法）",
                f"the scoring text's parts add up to {fmt(total)}, the indicator has {fmt(node.points)}",
                line=node.line,
                code=node.code,
                severity="warning",
            )

    for node in fw.walk():
        if node.children:
            if node.choose_one:
                for child in node.children:
                    if child.points != node.points:
                        add(
                            f"多选一方向 {child.code} 的分值 {fmt(child.points)} 与上级 {fmt(node.points)} 不同",
                            f"choose-one alternative {child.code} has {fmt(child.points)} points, "
                            f"parent has {fmt(node.points)}",
                            line=child.line,
                            code=child.code,
                        )
            else:
                total = sum((c.points for c in node.children), ZERO)
                if total != node.points:
                    add(
                        f"下级指标合计 {fmt(total)} 分，与本指标 {fmt(node.points)} 分不符",
                        f"children add up to {fmt(total)}, indicator has {fmt(node.points)}",
                        line=node.line,
                        code=node.code,
                    )
        elif node.rule is not None:
            most = node.rule.max_points()
            if most > node.points:
                add(
                    f"规则最多可得 {fmt(most)} 分，超过指标分值 {fmt(node.points)} 分",
                    f"rule can award {fmt(most)}, more than the indicator's {fmt(node.points)}",
                    line=node.line,
                    code=node.code,
                )
            elif most < node.points and not node.note:
                add(
                    f"规则最多只能得 {fmt(most)} 分，达不到指标分值 {fmt(node.points)} 分"
                    "（如属原文如此，请加 note 说明）",
                    f"rule can award at most {fmt(most)} of {fmt(node.points)} (add a note if the seed says so)",
                    line=node.line,
                    code=node.code,
                    severity="warning",
                )
            used = node.rule.input_keys() | {m.input for m in node.marks if m.met == "input"}
            for key, spec in node.inputs.items():
                if key not in used:
                    add(
                        f"输入 {key}（{spec.label}）没有被规则或标记使用",
                        f"input {key} is used by no rule or mark",
                        line=spec.line or node.line,
                        code=node.code,
                    )
            for mark in node.marks:
                if mark.met == "input" and mark.input not in node.inputs:
                    add(
                        f"标记引用了未声明的输入 {mark.input}",
                        f"mark uses unknown input {mark.input}",
                        line=node.line,
                        code=node.code,
                    )
                elif mark.met == "input" and node.inputs[mark.input].type != "bool":
                    add(
                        f"标记引用的输入 {mark.input} 应为是否型",
                        f"mark input {mark.input} must be yes/no",
                        line=node.line,
                        code=node.code,
                    )
        if node.note:
            add(node.note, "decision recorded in the file", line=node.line, code=node.code, severity="note")
        if node.bonus and node.parent is not None:
            add(
                "加分部分 bonus 只能标在一级指标上",
                "bonus must be set on a top-level indicator",
                line=node.line,
                code=node.code,
            )

    base = sum((t.points for t in fw.indicators if not t.bonus), ZERO)
    bonus = sum((t.points for t in fw.indicators if t.bonus), ZERO)
    if base != fw.total:
        add(
            f"一级指标合计 {fmt(base)} 分，与原文总分 {fmt(fw.total)} 分不符",
            f"top-level indicators add up to {fmt(base)}, the seed states {fmt(fw.total)}",
            line=1,
        )
    if bonus != fw.bonus_total:
        add(
            f"加分部分合计 {fmt(bonus)} 分，与原文加分 {fmt(fw.bonus_total)} 分不符",
            f"bonus sections add up to {fmt(bonus)}, the seed states {fmt(fw.bonus_total)}",
            line=1,
        )
    for name, codes in fw.parts.items():
        missing = [c for c in codes if c not in fw.by_code]
        if missing:
            add(f"部分「{name}」引用了不存在的指标 {missing}", f"part {name} names unknown codes {missing}", line=1)
            continue
        got = sum((fw.by_code[c].points for c in codes), ZERO)
        if got != fw.parts_points[name]:
            add(
                f"部分「{name}」合计 {fmt(got)} 分，与原文 {fmt(fw.parts_points[name])} 分不符",
                f"part {name} adds up to {fmt(got)}, the seed states {fmt(fw.parts_points[name])}",
                line=1,
            )
    kinds = {m.kind for node in fw.walk() for m in node.marks}
    for level in fw.levels:
        for req in level.requires:
            if req not in kinds:
                add(
                    f"等级「{level.name}」要求 {MARK_NAMES.get(req, req)}，但没有指标带此标记",
                    f"level {level.name} requires {req} but no indicator carries it",
                    line=1,
                    severity="warning",
                )
    for policy in fw.case_policies:
        for code in policy.indicators:
            target = fw.by_code.get(code)
            if target is None:
                add(f"同一案例规则引用了不存在的指标 {code}", f"same-case policy names unknown code {code}", line=1)
            elif not target.is_leaf:
                add(f"同一案例规则只能引用末级指标 {code}", f"same-case policy must name leaves: {code}", line=1)
    for note in fw.notes:
        add(note.text, "decision recorded in the file", line=note.line, code=note.code, severity="note")
    return found


def load_framework_file(path: Path | str) -> Framework:
    """Load one framework file. Raises FrameworkError (with file and line) if it cannot be
    built; call `check_framework` for the consistency checks."""
    path = Path(path)
    try:
        shown = str(path.relative_to(Path.cwd()))
    except ValueError:
        shown = str(path)
    builder = _Builder(shown)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except Exception as exc:  # yaml errors carry their own line
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise FrameworkError([Problem(f"YAML 解析失败：{exc}", "YAML parse error", file=shown, line=line)]) from None
    fw = builder.build(data)
    errors = [p for p in builder.problems if p.severity == "error"]
    if errors:
        raise FrameworkError(builder.problems)
    fw.problems = builder.problems
    return fw


def framework_paths(directory: Path = FRAMEWORKS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


_CACHE: dict[str, Framework] = {}


def load_framework(ref: str) -> Framework:
    """Load a framework by its id (from the bundled `frameworks/` folder) or by file path."""
    if ref in _CACHE:
        return _CACHE[ref]
    candidate = Path(ref)
    if candidate.suffix in {".yaml", ".yml"} and candidate.exists():
        return load_framework_file(candidate)
    for path in framework_paths():
        if path.stem == ref:
            fw = load_framework_file(path)
            if fw.id == ref:
                _CACHE[ref] = fw
                return fw
    for path in framework_paths():
        fw = load_framework_file(path)
        if fw.id == ref:
            _CACHE[ref] = fw
            return fw
    known = ", ".join(p.stem for p in framework_paths())
    raise KeyError(f"找不到框架 {ref}（可用：{known}）/ no framework {ref}")


def load_all() -> list[Framework]:
    """Every bundled framework, in file-name order."""
    return [load_framework(p.stem) if p.stem not in _CACHE else _CACHE[p.stem] for p in framework_paths()]


def load_framework_text(text: str, name: str = "<text>") -> Framework:
    """Load a framework from YAML text (the platform keeps a snapshot per campaign)."""
    builder = _Builder(name)
    try:
        data = load_yaml(text)
    except Exception as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise FrameworkError([Problem(f"YAML 解析失败：{exc}", "YAML parse error", file=name, line=line)]) from None
    fw = builder.build(data)
    if any(p.severity == "error" for p in builder.problems):
        raise FrameworkError(builder.problems)
    fw.problems = builder.problems
    return fw
