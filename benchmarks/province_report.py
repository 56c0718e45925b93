"""The province benchmark's figures as the README's tables (Markdown, Chinese headings), read
from the JSON `benchmarks.province` wrote:

    .venv/bin/python -m benchmarks.province_report [benchmarks/results/province.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE_MS, PAGE_MB, SMALL_RATIO = 300.0, 300.0, 2.5

NAMES = {
    "dashboard progress": "看板·申报进度",
    "dashboard scores": "看板·得分分布",
    "dashboard indicators": "看板·指标得分率",
    "dashboard attainment": "看板·等级达标",
    "dashboard gap": "看板·自评与专家评分差",
    "organizer desk": "组织者工作台",
    "unit tree /orgs/": "单位树 `/orgs/`",
    "audit log": "审计日志",
    "county list (10)": "区县初审列表（10 份）",
    "county list (100)": "区县初审列表（100 份）",
    "recommend page (100)": "区县推荐页（100 份）",
    "expert pool": "专家库",
    "exports list": "导出列表",
    "accounts list": "账号列表",
    "campaign list": "活动列表",
    "school home": "学校首页",
    "我的申报": "我的申报",
    "indicator page": "指标页",
    "save (autosave POST)": "自动保存（POST）",
}


def ok(flag: bool) -> str:
    return "是" if flag else "**否**"


def pages(run: dict[str, Any]) -> list[str]:
    out = [
        "| 页面 | p50 | 首次请求 | 查询数 | HTML | bare 的倍数 | 峰值内存 | 目标 | 达标 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in run["pages"]:
        name = NAMES.get(m["name"], m["name"])
        if m["error"] and not m["p50_ms"]:
            out.append(f"| {name} | 出错：{m['error'][:80]} | | | | | | | **否** |")
            continue
        small = m["small"]
        target = f"≤ {SMALL_RATIO}× bare" if small else f"≤ {PAGE_MS:.0f} ms"
        good = m["ratio"] <= SMALL_RATIO if small else m["p50_ms"] <= PAGE_MS
        peak = m.get("peak_mb")
        if peak and peak > PAGE_MB:
            good = False
        runs = f"（{m['runs']} 次）" if m.get("runs") and m["runs"] < 10 else ""
        note = f"（{m['error']}）" if m["error"] else ""
        out.append(
            f"| {name} | {m['p50_ms']:,.0f} ms{runs} | {m.get('first_ms', 0):,.0f} ms | {m['queries']} | "
            f"{m['html_kb']:,.0f} KB | "
            f"{m['ratio']:.1f}× | {f'{peak:.0f} MB' if peak else '—'} | {target}，≤ 300 MB | {ok(good)}{note} |"
        )
    return out


def generation(run: dict[str, Any]) -> list[str]:
    out = ["| 生成步骤（经服务函数） | 耗时 | 说明 |", "|---|---|---|"]
    for name, seconds, note in run["generation"]:
        out.append(f"| {name} | {seconds:,.1f} s | {note} |")
    return out


def operations(run: dict[str, Any]) -> list[str]:
    out = ["| 操作 | 耗时 | 查询数 | 峰值内存 | 目标 | 说明 |", "|---|---|---|---|---|---|"]
    for op in run["operations"]:
        if op["error"]:
            out.append(f"| {op['name']} | 出错 | | | {op['target']} | {op['error'][:120]} |")
            continue
        queries = "—" if op["queries"] is None else f"{op['queries']:,}"
        peak = "—" if op["peak_mb"] is None else f"{op['peak_mb']:.0f} MB"
        out.append(f"| {op['name']} | {op['seconds']:,.1f} s | {queries} | {peak} | {op['target']} | {op['note']} |")
    return out


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "benchmarks" / "results" / "province.json"
    run = json.loads(path.read_text("utf-8"))
    print(f"{run['schools']} 所学校，{run['db']}，{run['load']}\n")
    for block in (pages(run), generation(run), operations(run)):
        print("\n".join(block))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
