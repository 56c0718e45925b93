"""An empty answer file for a framework, commented in Chinese, for a school to fill in."""

from __future__ import annotations

import json

from .framework import Framework
from .inputs import InputSpec


def _hint(spec: InputSpec) -> str:
    parts = [spec.label]
    if spec.type == "number":
        kind = "整数" if spec.integer else "数字"
        percent = "，百分比 0–100" if spec.percent else ""
        unit = f"，单位 {spec.unit}" if spec.unit and not spec.percent else ""
        parts.append(f"{kind}{percent}{unit}")
    elif spec.type == "bool":
        parts.append("true 是 / false 否")
    elif spec.type in ("choice", "multi"):
        parts.append(("可选：" if spec.type == "choice" else "多选：") + "、".join(spec.options))
    elif spec.type == "date":
        parts.append("日期 YYYY-MM-DD")
    elif spec.type == "items":
        fields = "；".join(
            f"{f.key}: {f.label}" + (f"（{'/'.join(f.options)}）" if f.options else "") for f in spec.fields
        )
        parts.append(f"条目列表，每条：{fields}")
    if spec.optional:
        parts.append("可不填")
    if spec.decided_by == "reviewer":
        parts.append("由评审认定，此处所填为自评估计")
    return "，".join(parts)


def _value(spec: InputSpec) -> str:
    return "[]" if spec.type in ("items", "multi") else "null"


def answer_template(fw: Framework) -> str:
    """YAML text with every input of every leaf, nothing answered; comments explain each field."""
    lines = [
        f"# {fw.title}",
        f"# 答卷模板 / answer template — framework {fw.id}",
        "# 未填写（null）的指标按 0 分计并列为“未作答”。",
        f"framework: {fw.id}",
        "as_of: null  # 评估基准日 YYYY-MM-DD；时间窗口（近三年等）据此计算",
    ]
    if fw.context:
        lines.append("context:  # 基本情况")
        for spec in fw.context.values():
            lines.append(f"  {spec.key}: {_value(spec)}  # {_hint(spec)}")
    choose = fw.choose_one_nodes()
    if choose:
        lines.append("choices:  # 多选一部分：填所选方向的编码")
        for node in choose:
            options = "、".join(f"{c.code}（{c.title}）" for c in node.children)
            lines.append(f"  {json.dumps(node.code, ensure_ascii=False)}: null  # {node.title}；可选 {options}")
    if fw.eligibility and fw.eligibility.exclusions:
        lines.append("declarations:  # 否决情形声明：存在该情形填 true，不存在填 false")
        for exclusion in fw.eligibility.exclusions:
            lines.append(f"  {exclusion.key}: null  # {exclusion.label}")
    lines.append("answers:")
    for node in fw.leaves():
        lines.append(f"  {json.dumps(node.code, ensure_ascii=False)}:  # {node.title}（{node.points} 分）")
        for spec in node.inputs.values():
            lines.append(f"    {spec.key}: {_value(spec)}  # {_hint(spec)}")
    return "\n".join(lines) + "\n"
