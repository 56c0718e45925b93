"""Small per-user pages against the bare view, in the same run (issue 13: ≤ 2.5× each).

    .venv/bin/python -m benchmarks.small_pages --db postgres [--pairs 200]

Builds the deadline-day world (benchmarks.deadline_data: one school, applicant and started
application per simulated user, on the 66-indicator framework), ten of one county's
applications marked submitted (a status update: the county list needs submitted rows, and
completing 66 indicators per school through the services is not what is measured here), and a
county reviewer of that county. Starts the production server exactly as
benchmarks.deadline_day does (deploy/gunicorn.conf.py, DB_CONN_MAX_AGE=60, Redis beside
PostgreSQL when one answers), signs in a school applicant and the county reviewer, then
requests, round after round on the quiet server: the bare view (one query, one small
template, anonymous), the school home, 我的申报, an indicator page, the autosave POST and the
county list (10). Each page's median over the rounds divided by the bare view's median is its
ratio; both are measured in the same seconds, so the ratio holds on a busy machine better
than the milliseconds do. Exits non-zero when a request fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

from benchmarks import deadline_day as dd

TARGET = 2.5
PAGES = ("home", "mine", "indicator_page", "save", "county_list")
#: the floors, not targets: the bare view signed in (session and user read) and inside the shell
FLOORS = ("signed", "shell")
LABELS = {
    "bare": "bare view",
    "signed": "bare, signed in",
    "shell": "bare in the shell",
    "home": "school home /",
    "mine": "我的申报",
    "indicator_page": "indicator page",
    "save": "autosave POST",
    "county_list": "county list (10)",
}


def build(users: int, password: str) -> tuple[Any, str, int]:
    """The deadline world plus a county reviewer whose county has ten submitted applications."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from benchmarks import deadline_data
    from campuseval.accounts.models import Membership, Role, User
    from campuseval.applications.models import Application
    from campuseval.orgs.models import Unit

    world = deadline_data.build(users, password)
    first = Application.objects.select_related("unit__parent").get(pk=world.users[0].application)
    county = first.unit.parent
    assert county is not None and county.kind == Unit.Kind.COUNTY
    reviewer = User.objects.create(username="bench-county", display_name="压测区县", password=make_password(password))
    Membership.objects.create(user=reviewer, unit=county, role=Role.COUNTY_REVIEWER)
    mine = [s.application for s in world.users[1:-1]]  # the first user's own application stays a draft
    submitted = list(
        Application.objects.filter(pk__in=mine, unit__parent=county).order_by("pk").values_list("pk", flat=True)[:10]
    )
    Application.objects.filter(pk__in=submitted).update(
        status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    return world, reviewer.username, len(submitted)


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--pairs", type=int, default=200, help="rounds (each page and the bare view once)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--redis", default=None, help="Redis URL beside PostgreSQL ('' for none)")
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--schools", type=int, default=60, help="schools in the world (spread over the counties)")
    args = parser.parse_args(argv)

    redis_url = dd.redis_for(args.db, args.redis)
    env = dd.server_env(args.db, args.conn_max_age, redis_url)
    dd.fresh_database(args.db)
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "MEDIA_ROOT", "STATIC_ROOT")})
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from benchmarks.deadline_data import SimUser

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    world, county_user, listed = build(args.schools, dd.PASSWORD)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connections.close_all()
    LABELS["county_list"] = f"county list ({listed})"
    print(f"small pages · {args.db} · world built in {time.perf_counter() - began:.0f} s")
    process, how = dd.start_server(args.port, 0, env)
    print(f"server: {how}, DB_CONN_MAX_AGE={args.conn_max_age}, {'Redis' if redis_url else 'no Redis'}")
    record = dd.Record()
    stop = dd.threading.Event()
    try:
        school = dd.User(-1, world, world.users[0], args.port, record, stop)
        school.sign_in()
        county = dd.User(-2, world, SimUser(county_user, 0), args.port, record, stop)
        county.sign_in()
        bare = dd.Browser(args.port, record)
        code = next(iter(world.leaves))
        revision = school.open_indicator(code)
        app = world.users[0].application
        warm = 30
        for seq in range(warm + args.pairs):
            bare.get("bare", "/bench/bare/")
            school.browser.get("home", "/")
            bare.get("bare", "/bench/bare/")
            school.browser.get("mine", "/applications/")
            bare.get("bare", "/bench/bare/")
            school.browser.get("indicator_page", f"/applications/{app}/indicator/{code}/")
            bare.get("bare", "/bench/bare/")
            revision = school.save(code, revision, seq)
            bare.get("bare", "/bench/bare/")
            county.browser.get("county_list", "/reviews/county/")
            bare.get("bare", "/bench/bare/")
            school.browser.get("signed", "/bench/signed/")
            bare.get("bare", "/bench/bare/")
            school.browser.get("shell", "/bench/shell/")
            if seq == warm - 1:
                record.samples.clear()
    finally:
        dd.stop_server(process)
    if record.errors:
        print("failed:", "; ".join(record.errors[:5]))
        return 1
    medians = {
        kind: statistics.median(s.seconds for s in record.samples if s.kind == kind)
        for kind in ("bare", *FLOORS, *PAGES)
    }
    print(f"\n{args.pairs} rounds, one client and no simulated users, {dd.load()} at the end")
    print(f"  {'page':<20}{'median ms':>10}{'× bare':>8}")
    worst = 0.0
    for kind in ("bare", *FLOORS, *PAGES):
        ratio = medians[kind] / medians["bare"]
        if kind in PAGES:
            worst = max(worst, ratio)
        note = "  (floor, not a target)" if kind in FLOORS else ""
        print(f"  {LABELS[kind]:<20}{medians[kind] * 1000:>10.1f}{ratio:>7.1f}×{note}")
    print(f"largest ratio {worst:.1f}× (target ≤ {TARGET}× for every small page)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
