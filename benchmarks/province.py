"""Province scale (issue 13): a whole province generated through the services on PostgreSQL,
then every page of the issue's table timed with the Django test client, single user.

    .venv/bin/python -m benchmarks.province [--schools 20000] [--db postgres] [--runs 10]
    .venv/bin/python -m benchmarks.province --schools 500          # a quick run
    .venv/bin/python -m benchmarks.province --reuse                # time again, keep the data

What it does, in one run:

1. Drops and creates its own database (PostgreSQL `campuseval_bench_province` on PG_URL's
   server; SQLite: var/bench/province.sqlite3), migrates it and builds the province of
   `benchmarks.province_data` (1 province, 20 cities, 200 counties, 20,000 schools with
   their accounts, a Sichuan school campaign organized by the province, 20,000 applications
   scored, 2,090 submitted, accepted and recommended, 100 experts, 300 scored tasks), each
   step timed; then ANALYZE (this machine's PostgreSQL runs without autovacuum).
2. Times each page after two warm-up requests: p50 over `--runs` requests, the query count
   (CaptureQueriesContext), the HTML size, and the ratio to the bare view (one query, one
   small template: `benchmarks.bare_urls`), requested alternately with the page in the same
   seconds. DJANGO_SETTINGS_MODULE=benchmarks.settings (the product plus `/bench/bare/`),
   DEBUG off, DB_CONN_MAX_AGE=60 as in production.
3. Peak memory per page: each page is requested again in a fresh process
   (`benchmarks.province_probe`), whose ru_maxrss after the request is that page's peak
   worker memory (the process's own baseline, Django loaded and one bare request served, is
   printed beside it).
4. The long operations, each in a fresh process (time, queries, peak memory): the Excel
   export of every application (20,000 rows), compute results, then auto-assignment of
   every finalist without experts (3 each); and 10 experts added by hand one by one.
5. Prints a table with each target and writes benchmarks/results/province.json.

Targets (issue 13): every page p50 ≤ 300 ms and ≤ 300 MB; small per-user pages ≤ 2.5× the
bare view; auto-assignment of 2,000 finalists ≤ 10 s; export of 20,000 rows ≤ 10 s and
≤ 200 MB; import of 20,000 schools with accounts ≤ 5 min; 100 experts ≤ 5 s; generating the
province ≤ 10 minutes."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "campuseval_bench_province"
BENCH_DIR = ROOT / "var" / "bench"
RESULTS = ROOT / "benchmarks" / "results"
WORLD_FILE = BENCH_DIR / "province-world.json"
PAGE_MS, PAGE_MB, SMALL_RATIO = 300.0, 300.0, 2.5
#: seconds of timed requests a slow page gets (at least one run)
PAGE_BUDGET = 10.0
#: seconds an operation may take before it is reported as timed out
OPERATION_TIMEOUT = int(os.environ.get("PROVINCE_OPERATION_TIMEOUT", "420"))

REVISION = re.compile(r'id="revision" value="(\d+)"')


@dataclass
class Page:
    name: str
    user: int | None
    url: str
    small: bool = False
    #: a POST (the autosave): form fields; the revision is read from the page and kept
    save: dict[str, str] | None = None


@dataclass
class Measured:
    name: str
    url: str
    status: int
    p50_ms: float
    queries: int
    html_kb: float
    bare_ms: float
    ratio: float
    small: bool
    peak_mb: float | None = None
    base_mb: float | None = None
    error: str = ""
    runs: int = 0
    #: the first request (cold: nothing cached yet)
    first_ms: float = 0.0


@dataclass
class Operation:
    name: str
    seconds: float
    queries: int | None
    peak_mb: float | None
    target: str
    note: str = ""
    error: str = ""


@dataclass
class Run:
    schools: int
    db: str
    load: str
    world: dict[str, Any]
    generation: list[tuple[str, float, str]] = field(default_factory=list)
    pages: list[Measured] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)


# --- environment ------------------------------------------------------------------------------


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{BENCH_DIR / 'province.sqlite3'}"
    return urlsplit(PG_URL)._replace(path=f"/{PG_DB}").geturl()


def environment(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DATABASE_URL=database_url(db),
        MEDIA_ROOT=str(BENCH_DIR / "province-media"),
        STATIC_ROOT=str(BENCH_DIR / "static"),
        DB_CONN_MAX_AGE="60",
        SECRET_KEY=env.get("SECRET_KEY") or uuid.uuid4().hex * 2,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        LOG_LEVEL="ERROR",
        TASKS_BACKEND=env.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    )
    return env


def fresh_database(db: str) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(BENCH_DIR / "province-media", ignore_errors=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (BENCH_DIR / f"province.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


# --- pages ------------------------------------------------------------------------------------


def pages(world: dict[str, Any]) -> list[Page]:
    from django.urls import reverse

    c, o = world["campaign"], world["organizer"]
    out = [
        Page(f"dashboard {s}", o, reverse("reports:dashboard", args=[c, s]))
        for s in ("progress", "scores", "indicators", "attainment", "gap")
    ]
    out += [
        Page("organizer desk", o, reverse("reviews:organizer", args=[c])),
        Page("unit tree /orgs/", o, reverse("units:tree")),
        Page("audit log", o, reverse("reports:audit_log")),
        Page("county list (10)", world["reviewer_small"], reverse("reviews:county_list"), small=True),
        Page("county list (100)", world["reviewer_big"], reverse("reviews:county_list")),
        Page("recommend page (100)", world["reviewer_big"], reverse("reviews:recommend", args=[c])),
        Page("expert pool", o, reverse("reviews:expert_pool")),
        Page("exports list", o, reverse("reports:exports")),
        Page("accounts list", world["admin"], reverse("people:list")),
        Page("campaign list", o, reverse("campaigns:list")),
    ]
    a, code, s = world["school_application"], world["school_indicator"], world["school_user"]
    out += [
        Page("school home", s, reverse("shell:home"), small=True),
        Page("我的申报", s, reverse("applications:mine"), small=True),
        Page("indicator page", s, reverse("applications:indicator", args=[a, code]), small=True),
        Page(
            "save (autosave POST)",
            s,
            reverse("applications:indicator", args=[a, code]),
            small=True,
            save=world["save_fields"],
        ),
    ]
    return out


def time_page(page: Page, runs: int, users: dict[int, Any]) -> Measured:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    bare_client = Client()
    if page.user is not None:
        client.force_login(users[page.user])
    revision = [0]

    def request() -> Any:
        if page.save is None:
            return client.get(page.url)
        if not revision[0]:
            found = REVISION.search(client.get(page.url).content.decode())
            revision[0] = int(found.group(1)) if found else 0
        data = {"revision": str(revision[0]), **page.save, "narrative": f"压测保存 {uuid.uuid4().hex[:8]}"}
        response = client.post(
            page.url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="save-status", HTTP_HX_CURRENT_URL=page.url
        )
        found = REVISION.search(response.content.decode())
        if found:
            revision[0] = int(found.group(1))
        return response

    try:
        start = time.perf_counter()
        response = request()
        first = time.perf_counter() - start
        if first < 1.0:  # a second warm-up; a page of seconds is warm after one and gets fewer runs
            response = request()
        else:
            runs = max(1, min(runs, int(PAGE_BUDGET / first)))
        bare_client.get("/bench/bare/")
        times, bares = [], []
        for _ in range(runs):
            start = time.perf_counter()
            bare_client.get("/bench/bare/")
            bares.append(time.perf_counter() - start)
            with CaptureQueriesContext(connection) as captured:  # the count kept is the last run's
                start = time.perf_counter()
                response = request()
                times.append(time.perf_counter() - start)
    except Exception as exc:  # a page that fails at scale is a finding, not the end of the run
        return Measured(page.name, page.url, 500, 0, 0, 0, 0, 0, page.small, error=f"{type(exc).__name__}: {exc}"[:300])
    p50, bare = statistics.median(times), statistics.median(bares)
    error = ""
    if response.status_code != 200 and page.save is None:
        error = f"HTTP {response.status_code} {response.get('Location', '')}"
    elif response.status_code >= 400 or (page.save is not None and "已自动保存" not in response.content.decode()):
        error = f"HTTP {response.status_code}" + ("" if response.status_code >= 400 else ", save not confirmed")
    return Measured(
        page.name,
        page.url,
        response.status_code,
        p50 * 1000,
        len(captured.captured_queries),
        len(response.content) / 1024,
        bare * 1000,
        p50 / bare if bare else 0.0,
        page.small,
        error=error,
        runs=runs,
        first_ms=first * 1000,
    )


def probe(env: dict[str, str], spec: dict[str, Any], timeout: int = 900) -> dict[str, Any]:
    """Run `benchmarks.province_probe` with `spec` in a fresh process; its JSON answer."""
    command = [sys.executable, "-m", "benchmarks.province_probe", json.dumps(spec)]
    try:
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": " | ".join(tail)[:400] or f"exit {done.returncode}"}
    return dict(json.loads(lines[-1]))


# --- the world ------------------------------------------------------------------------------------


def save_fields(world: Any) -> tuple[str, dict[str, str]]:
    """A leaf whose inputs a form posts directly (yes/no, number, choice) and values for it."""
    from benchmarks.deadline_data import fillable_leaves
    from campuseval.applications.models import Application
    from campuseval.campaigns.scoring import framework_for

    application = Application.objects.select_related("framework").get(pk=world.school_application)
    leaves = fillable_leaves(framework_for(application.framework))
    code, shapes = next(iter(leaves.items()))
    values = {}
    for key, kind, low, _high, options in shapes:
        values[f"in_{key}"] = "true" if kind == "bool" else options[0] if kind == "choice" else str(low + 1)
    return code, values


def build_world(schools: int, jobs: int) -> tuple[dict[str, Any], list[tuple[str, float, str]]]:
    from benchmarks import province_data

    started = time.perf_counter()
    world = province_data.build(schools, jobs=jobs)
    generation = list(world.timings.steps)
    code, fields = save_fields(world)
    data = {k: v for k, v in asdict(world).items() if k != "timings"}
    data.update(school_indicator=code, save_fields=fields, import_serial=dict(world.timings.serial))
    generation.append(("generation in all (after migrate)", time.perf_counter() - started, ""))
    return data, generation


# --- report -----------------------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "ok" if ok else "MISS"


def print_pages(run: Run) -> None:
    print(f"\npages ({run.schools} schools, {run.db}, test client, single user; {run.load})")
    print(f"  {'page':<24}{'p50 ms':>9}{'queries':>9}{'HTML KB':>9}{'× bare':>8}{'peak MB':>9}{'target':>22}  status")
    for m in run.pages:
        if m.error and not m.p50_ms:
            print(f"  {m.name:<24}  ERROR {m.error}")
            continue
        peak = f"{m.peak_mb:.0f}" if m.peak_mb else "—"
        if m.small:
            target, ok = f"≤ {SMALL_RATIO}× bare", m.ratio <= SMALL_RATIO
        else:
            target, ok = f"≤ {PAGE_MS:.0f} ms", m.p50_ms <= PAGE_MS
        if m.peak_mb and m.peak_mb > PAGE_MB:
            ok = False
        status = mark(ok) + (f" ({m.error})" if m.error else "")
        print(
            f"  {m.name:<24}{m.p50_ms:>9.0f}{m.queries:>9}{m.html_kb:>9.0f}{m.ratio:>8.1f}{peak:>9}"
            f"{target + ', ≤ 300 MB':>22}  {status}"
        )
    bares = [m.bare_ms for m in run.pages if m.bare_ms]
    if bares:
        print(f"  (bare view p50 {statistics.median(bares):.1f} ms, median over the pages' runs)")


def print_operations(run: Run) -> None:
    print("\noperations")
    print(f"  {'operation':<44}{'seconds':>9}{'queries':>9}{'peak MB':>9}  target")
    for op in run.operations:
        if op.error:
            print(f"  {op.name:<44}  ERROR {op.error}")
            continue
        q = "—" if op.queries is None else str(op.queries)
        peak = "—" if op.peak_mb is None else f"{op.peak_mb:.0f}"
        print(f"  {op.name:<44}{op.seconds:>9.1f}{q:>9}{peak:>9}  {op.target} {op.note}")


def write(run: Run, path: Path) -> None:
    """The figures so far (written after every phase: a run stopped half way keeps them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(run), ensure_ascii=False, indent=1), "utf-8")


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=20000)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--runs", type=int, default=10, help="timed requests per page")
    parser.add_argument("--jobs", type=int, default=2, help="processes filling in applications")
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run, time again")
    parser.add_argument("--no-memory", action="store_true", help="skip the per-page memory processes")
    parser.add_argument("--no-operations", action="store_true", help="skip export, compute, auto-assignment")
    parser.add_argument("--output", default=str(RESULTS / "province.json"))
    args = parser.parse_args(argv)

    env = environment(args.db)
    if not args.reuse:
        fresh_database(args.db)
    os.environ.update({k: env[k] for k in env if k not in os.environ or os.environ[k] != env[k]})
    os.environ.pop("DEBUG", None)
    import django

    django.setup()
    from django.core.management import call_command

    from campuseval.accounts.models import User

    generation: list[tuple[str, float, str]] = []
    if args.reuse:
        saved = json.loads(WORLD_FILE.read_text("utf-8"))
        world, generation = saved["world"], [tuple(s) for s in saved["generation"]]  # type: ignore[misc]
        call_command("migrate", verbosity=0)  # code landed since: its migrations
        print(f"province · {args.db} · reusing the database of the last run ({world['schools']} schools)")
    else:
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"province · {args.db} · {args.schools} schools · migrated in {time.perf_counter() - began:.0f} s")
        print("generating through the services:")
        world, generation = build_world(args.schools, args.jobs)
        WORLD_FILE.write_text(json.dumps({"world": world, "generation": generation}, ensure_ascii=False), "utf-8")
        print(f"  {'generation in all (after migrate)':<44}{generation[-1][1]:>9.1f} s  (target ≤ 600 s)")
    run = Run(args.schools if not args.reuse else world["schools"], args.db, "", world, generation)

    from django.db import connections

    from campuseval.campaigns.demo import stage_open
    from campuseval.campaigns.models import Campaign, Stage

    campaign = Campaign.objects.get(pk=world["campaign"])
    people = ("organizer", "admin", "reviewer_small", "reviewer_big", "school_user")
    users = {u.pk: u for u in User.objects.filter(pk__in=[world[k] for k in people])}
    plan = pages(world)
    out = Path(args.output)
    write(run, out)
    # the province at its expert review; the county pages timed with the county review open,
    # so that they show their full lists and forms as during that stage
    with stage_open(campaign, Stage.Kind.EXPERT_REVIEW):
        for page in plan:
            county = page.name.startswith(("county", "recommend"))
            with stage_open(campaign, Stage.Kind.COUNTY_REVIEW) if county else contextlib.nullcontext():
                measured = time_page(page, args.runs, users)
            run.pages.append(measured)
            print(
                f"  {page.name:<24}{measured.p50_ms:>8.0f} ms{measured.queries:>6} q{measured.html_kb:>7.0f} KB"
                f"{measured.ratio:>6.1f}× {measured.error}"
            )
        connections.close_all()
        run.load = load()
        write(run, out)
        if not args.no_memory:
            print("peak memory, one fresh process per page:")
            for page, measured in zip(plan, run.pages, strict=True):
                if page.save is not None:
                    spec = {"kind": "save", "user": page.user, "url": page.url, "fields": page.save}
                else:
                    spec = {"kind": "page", "user": page.user, "url": page.url}
                county = page.name.startswith(("county", "recommend"))
                with stage_open(campaign, Stage.Kind.COUNTY_REVIEW) if county else contextlib.nullcontext():
                    got = probe(env, spec)
                measured.peak_mb, measured.base_mb = got.get("peak_mb"), got.get("base_mb")
                if got.get("error"):
                    measured.error = measured.error or got["error"]
                peak, base = got.get("peak_mb", 0), got.get("base_mb", 0)
                print(f"  {page.name:<24}{peak:>8.0f} MB (process baseline {base:.0f} MB)")
            write(run, out)
        if not args.no_operations:
            operations(run, env, world, out)
    run.load = load()
    print_pages(run)
    print("\ngeneration through the services")
    for name, seconds, note in run.generation:
        print(f"  {name:<44}{seconds:>9.1f} s  {note}")
    print_operations(run)
    write(run, out)
    print(f"\nwritten: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 1 if any(m.error for m in run.pages) or any(op.error for op in run.operations) else 0


def operations(run: Run, env: dict[str, str], world: dict[str, Any], out: Path) -> None:
    units = next((s for name, s, _ in run.generation if name.startswith("units imported")), None)
    accounts = next((s for name, s, _ in run.generation if name.startswith("accounts imported")), None)
    serial = world.get("import_serial") or {}
    if units is not None and accounts is not None:
        one = serial.get("units", units) + serial.get("accounts", accounts)
        run.operations.append(
            Operation(
                f"import {world['schools']} schools with accounts",
                one,
                None,
                None,
                "≤ 300 s",
                f"(sheets one after another, as one worker; {units + accounts:.0f} s two at a time, inside generation)",
            )
        )
    experts = next((s for name, s, _ in run.generation if name.startswith("experts imported")), None)
    if experts is not None:
        run.operations.append(Operation(f"{world['experts']} experts imported", experts, None, None, "≤ 5 s"))
    for name, spec, target in (
        (
            "Excel export, every application",
            {"kind": "export", "user": world["organizer"], "campaign": world["campaign"]},
            "≤ 10 s, ≤ 200 MB",
        ),
        (
            "Excel export, the audit log in the organizer's scope",
            {"kind": "audit_export", "user": world["organizer"]},
            "≤ 10 s, ≤ 200 MB",
        ),
        (
            "10 experts added by hand (add_expert)",
            {"kind": "add_experts", "user": world["organizer"], "n": 10},
            "100 ≤ 5 s",
        ),
        (
            "auto-assignment, every finalist × 3",
            {"kind": "auto_assign", "user": world["organizer"], "panel": world["panel"]},
            "≤ 10 s",
        ),
        (
            "every new task scored (so that every finalist has its sheets)",
            {"kind": "score_all", "campaign": world["campaign"]},
            "",
        ),
        (
            "compute results",
            {"kind": "compute", "user": world["organizer"], "campaign": world["campaign"]},
            "≤ 300 ms page / background",
        ),
    ):
        print(f"  {name} …", flush=True)
        got = probe(env, spec, timeout=OPERATION_TIMEOUT)
        run.operations.append(
            Operation(
                name + (f" ({got['rows']} rows)" if got.get("rows") is not None else ""),
                float(got.get("seconds") or 0),
                got.get("queries"),
                got.get("peak_mb"),
                target,
                str(got.get("note") or ""),
                str(got.get("error") or ""),
            )
        )
        print(f"    {got}", flush=True)
        write(run, out)


if __name__ == "__main__":
    raise SystemExit(main())
