"""Scoring throughput: random valid applications per second for every bundled framework.

    python benchmarks/bench_engine.py [--n 100000] [--framework ID] [--check]

Answers are generated and checked (`clean_answers`) before the clock starts. Two loops are
timed: `score_clean` (the full result: every indicator's points, subtotals, marks, level,
eligibility; explanations are written lazily) and `compile_totals` (totals only, what ranking
and re-scoring a campaign need). One process, one core. `--check` exits non-zero when the
largest framework's totals run below 20,000 applications/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from campuseval.engine import clean_answers, framework_paths, load_framework, score_clean
from campuseval.engine.fast import compile_totals
from campuseval.engine.samples import random_answers

TARGET = 20_000
AS_OF = dt.date(2024, 5, 30)


def bench(framework_id: str, n: int, pool: int) -> tuple[float, float, float, int]:
    fw = load_framework(framework_id)
    rng = random.Random(20241122)
    cleaned = [clean_answers(fw, random_answers(fw, rng, AS_OF, answered=1.0), as_of=AS_OF) for _ in range(pool)]
    leaves = len(fw.leaves())
    start = time.perf_counter()
    for i in range(n):
        score_clean(fw, cleaned[i % pool])
    full = n / (time.perf_counter() - start)
    totals = compile_totals(fw)
    start = time.perf_counter()
    for i in range(n):
        totals(cleaned[i % pool])
    fast = n / (time.perf_counter() - start)
    return full, fast, 1e6 / fast / leaves, leaves


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--pool", type=int, default=500, help="distinct applications cycled through")
    parser.add_argument("--framework", action="append")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    ids = args.framework or [p.stem for p in framework_paths()]
    print(f"{'framework':<26}{'leaves':>7}{'full apps/s':>13}{'totals apps/s':>15}{'µs/indicator':>14}")
    largest = (0, 0.0, "")
    for framework_id in ids:
        full, fast, per_indicator, leaves = bench(framework_id, args.n, args.pool)
        print(f"{framework_id:<26}{leaves:>7}{full:>13,.0f}{fast:>15,.0f}{per_indicator:>14.2f}")
        if leaves > largest[0]:
            largest = (leaves, fast, framework_id)
    if args.check and largest[1] < TARGET:
        print(f"largest framework {largest[2]}: {largest[1]:,.0f} apps/s, below the {TARGET:,} target")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
