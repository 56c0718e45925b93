"""One measurement of the province benchmark in a fresh process, so that its peak memory
(ru_maxrss) is that of a worker serving it: a page (GET), the autosave (POST), the Excel export
of every application, experts added by hand, auto-assignment, compute results. Prints one JSON
line: seconds, queries, peak_mb and the process's baseline (Django loaded, one bare request
served) as base_mb. Started by `benchmarks.province` with its environment."""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    """The process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries the parent's
    high-water mark over fork and exec, so a child of a big process reports the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    spec: dict[str, Any] = json.loads(sys.argv[1])
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from campuseval.accounts.models import User

    Client().get("/bench/bare/")
    out: dict[str, Any] = {"base_mb": rss_mb()}
    user = User.objects.get(pk=spec["user"]) if spec.get("user") else None
    kind = spec["kind"]
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        if kind in ("page", "save"):
            client = Client()
            if user is not None:
                client.force_login(user)
            response = client.get(spec["url"])
            if kind == "save":
                found = re.search(r'id="revision" value="(\d+)"', response.content.decode())
                data = {"revision": found.group(1) if found else "0", **spec["fields"], "narrative": "压测"}
                response = client.post(spec["url"], data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="save-status")
            out["status"] = response.status_code
            if response.status_code >= 400:
                out["error"] = f"HTTP {response.status_code}"
        elif kind == "export":
            from campuseval.reports import exports

            scope = exports.resolve_scope(user, "applications", spec["campaign"])
            if scope is None:
                raise SystemExit("no export scope for the organizer")
            out["rows"] = exports.LISTS["applications"].count(scope)
            start = time.perf_counter()
            data_bytes = exports.build(scope, "applications")
            out["note"] = f"{len(data_bytes) / 1024:,.0f} KB xlsx"
        elif kind == "audit_export":
            import tempfile

            from campuseval.reports import audit_log

            entries = audit_log.entries_for(user, {})
            out["rows"] = entries.count()
            start = time.perf_counter()
            with tempfile.TemporaryFile() as handle:
                audit_log.write_workbook(handle, audit_log.export_rows(entries))
                out["note"] = f"{handle.tell() / 1024:,.0f} KB xlsx"
        elif kind == "add_experts":
            from campuseval.orgs.models import Unit
            from campuseval.reviews import services as reviews

            school = Unit.objects.filter(kind=Unit.Kind.SCHOOL).select_related("parent").order_by("-code").first()
            county = school.parent if school is not None else None
            stamp = int(time.time())
            start = time.perf_counter()
            for n in range(spec["n"]):
                reviews.add_expert(
                    actor=user,
                    username=f"bench-hand-{stamp}-{n}",
                    display_name=f"手工专家{n + 1}",
                    unit=school,
                    region=county,
                    title="高级教师",
                    fields="信息化",
                )
            out["note"] = f"{(time.perf_counter() - start) / spec['n'] * 1000:.0f} ms each"
        elif kind == "auto_assign":
            from campuseval.reviews import services as reviews
            from campuseval.reviews.models import Assignment, Panel

            panel = Panel.objects.select_related("campaign").get(pk=spec["panel"])
            before = Assignment.objects.filter(panel=panel).count()
            start = time.perf_counter()
            result = reviews.auto_assign(actor=user, panel=panel, per_application=3)
            made, finalists = getattr(result, "made", "?"), getattr(result, "applications", "?")
            out["note"] = f"{made} tasks made for {finalists} finalists ({before} before)"
        elif kind == "score_all":
            from benchmarks.province_data import _score_part, parallel
            from campuseval.campaigns.demo import stage_open
            from campuseval.campaigns.models import Campaign, Stage
            from campuseval.reviews.models import Assignment

            ids = list(Assignment.objects.filter(submitted_at__isnull=True).values_list("pk", flat=True))
            start = time.perf_counter()
            with stage_open(Campaign.objects.get(pk=spec["campaign"]), Stage.Kind.EXPERT_REVIEW):
                parallel(_score_part, ids, 2, 13)
            out["note"] = f"{len(ids)} sheets scored and submitted (demo score_sheet, 2 processes)"
        elif kind == "compute":
            from campuseval.campaigns.models import Campaign
            from campuseval.reviews import services as reviews

            campaign = Campaign.objects.get(pk=spec["campaign"])
            from django.core.exceptions import ValidationError

            start = time.perf_counter()
            try:
                results = reviews.compute_results(actor=user, campaign=campaign)
                out["note"] = f"{len(results)} results"
            except ValidationError as exc:  # finalists without a submitted sheet: the service says so
                out["note"] = f"refused by the service: {len(exc.messages)} problems, e.g. {exc.messages[0]}"
        else:
            raise SystemExit(f"unknown probe {kind}")
        out["seconds"] = time.perf_counter() - start
    out["queries"] = len(captured.captured_queries)
    out["peak_mb"] = rss_mb()
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
