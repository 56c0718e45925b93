"""`campuseval` command line: check frameworks, write answer templates, score answer files.

campuseval frameworks list
campuseval frameworks check [FILE ...]
campuseval frameworks template FRAMEWORK [-o FILE]
campuseval score FRAMEWORK INPUT.(json|yaml) [--as-of DATE] [--format table|json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from campuseval.engine import (
    FrameworkError,
    InvalidAnswers,
    answer_template,
    check_framework,
    framework_paths,
    load_framework,
    load_framework_file,
    score,
)
from campuseval.engine.numbers import fmt
from campuseval.engine.report import render_table
from campuseval.engine.yamlio import load_yaml


def _out(text: str) -> None:
    sys.stdout.write(text)


def cmd_list(_: argparse.Namespace) -> int:
    for path in framework_paths():
        try:
            fw = load_framework_file(path)
        except FrameworkError as exc:
            _out(f"{path.stem}\t（无法加载：{len(exc.problems)} 个错误）\n")
            continue
        bonus = f" + {fmt(fw.bonus_total)}" if fw.bonus_total else ""
        _out(f"{fw.id}\t{fmt(fw.total)}{bonus} 分\t{fw.title}\n")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.files] or framework_paths()
    errors = warnings = notes = 0
    for path in paths:
        try:
            fw = load_framework_file(path)
            problems = fw.problems + check_framework(fw)
        except FrameworkError as exc:
            problems = exc.problems
        for p in problems:
            tag = {"error": "错误 error", "warning": "警告 warning", "note": "说明 note"}[p.severity]
            _out(f"[{tag}] {p}\n")
            errors += p.severity == "error"
            warnings += p.severity == "warning"
            notes += p.severity == "note"
    _out(f"\n检查 {len(paths)} 个框架：{errors} 个错误，{warnings} 个警告，{notes} 条说明\n")
    _out(f"checked {len(paths)} frameworks: {errors} errors, {warnings} warnings, {notes} notes\n")
    return 1 if errors or (warnings and args.strict) else 0


def cmd_template(args: argparse.Namespace) -> int:
    fw = load_framework(args.framework)
    text = answer_template(fw)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        _out(f"已写入 {args.output}\n")
    else:
        _out(text)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    fw = load_framework(args.framework)
    path = Path(args.input)
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text, parse_float=str) if path.suffix == ".json" else load_yaml(text)
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    try:
        result = score(fw, raw or {}, as_of=as_of)
    except InvalidAnswers as exc:
        sys.stderr.write("答卷有误 / invalid answers:\n")
        for p in exc.problems:
            sys.stderr.write(f"  - {p}\n")
        return 2
    if args.format == "json":
        _out(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _out(render_table(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="campuseval", description="智慧校园评估遴选平台 命令行工具")
    sub = parser.add_subparsers(dest="command", required=True)
    fw = sub.add_parser("frameworks", help="指标框架 / frameworks").add_subparsers(dest="action", required=True)
    fw.add_parser("list", help="列出框架").set_defaults(func=cmd_list)
    check = fw.add_parser("check", help="校验框架文件")
    check.add_argument("files", nargs="*")
    check.add_argument("--strict", action="store_true", help="警告也视为失败")
    check.set_defaults(func=cmd_check)
    tpl = fw.add_parser("template", help="生成空白答卷")
    tpl.add_argument("framework")
    tpl.add_argument("-o", "--output")
    tpl.set_defaults(func=cmd_template)
    sc = sub.add_parser("score", help="按框架计分")
    sc.add_argument("framework")
    sc.add_argument("input")
    sc.add_argument("--as-of", help="评估基准日 YYYY-MM-DD")
    sc.add_argument("--format", choices=("table", "json"), default="table")
    sc.set_defaults(func=cmd_score)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyError as exc:
        sys.stderr.write(f"{exc.args[0]}\n")
        return 2
    except FrameworkError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
