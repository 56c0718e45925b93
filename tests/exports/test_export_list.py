""" "My exports" (我的导出) a page at a time: the total, 20 a page, filtered by status and name with
the filters kept across pages, sortable, the same queries for one job as for many, nobody
else's jobs shown and their rows refused."""

from __future__ import annotations

import html
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.reports.models import ExportJob
from tests import factories as f
from tests.personas import Personas

PAGE = reverse("reports:exports")


def jobs(p: Personas, n: int, *, status: str = ExportJob.Status.DONE, word: str = "成绩") -> list[ExportJob]:
    return [
        f.ExportJobFactory(user=p.city_organizer, campaign=p.campaign, title=f"{word}导出{i:02d}", status=status)
        for i in range(n)
    ]


def test_pages_and_filters_kept(personas: Personas) -> None:
    p = personas
    jobs(p, 25)
    jobs(p, 3, status=ExportJob.Status.FAILED, word="申报")
    client = p.client("city_organizer")
    first = client.get(PAGE, {"status": "done", "q": "成绩", "sort": "title"}).content.decode()
    assert "共 25 条" in first and "第 1 / 2 页" in first
    assert "成绩导出00" in first and "成绩导出19" in first and "成绩导出20" not in first and "申报导出" not in first
    link = re.search(r'rel="next" href="([^"]+)"', first)
    assert link is not None
    href = html.unescape(link.group(1))
    assert "status=done" in href and "sort=title" in href and "page=2" in href
    second = client.get(PAGE + href).content.decode()
    assert "成绩导出24" in second and "成绩导出00" not in second and "申报导出" not in second
    failed = client.get(PAGE, {"status": "failed"}).content.decode()
    assert "共 3 条" in failed and "成绩导出" not in failed
    # an unknown status is no filter
    every = ExportJob.objects.filter(user=p.city_organizer).count()
    assert f"共 {every} 条" in client.get(PAGE, {"status": "nonsense"}).content.decode()


def test_sorted_newest_first_by_default_and_by_title(personas: Personas) -> None:
    p = personas
    made = jobs(p, 3)
    client = p.client("city_organizer")
    newest = client.get(PAGE).content.decode()
    assert newest.index(made[2].title) < newest.index(made[0].title)
    by_title = client.get(PAGE, {"sort": "-title"}).content.decode()
    assert by_title.index("成绩导出02") < by_title.index("成绩导出01") < by_title.index("成绩导出00")
    assert 'aria-sort="descending"' in by_title


def test_only_my_jobs(personas: Personas) -> None:
    p = personas
    mine = jobs(p, 2)
    page = p.client("outsider_organizer").get(PAGE).content.decode()
    assert "成绩导出" not in page and "暂无导出记录" in page
    assert p.client("outsider_organizer").get(reverse("reports:export_job", args=[mine[0].pk])).status_code == 404
    assert p.client("anonymous").get(PAGE).status_code == 302


def test_queries_do_not_grow(personas: Personas, django_assert_num_queries: Any) -> None:
    p = personas
    client = p.client("city_organizer")
    client.get(PAGE)
    ExportJob.objects.filter(user=p.city_organizer).delete()
    jobs(p, 1, status=ExportJob.Status.RUNNING)
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE)
    jobs(p, 40, status=ExportJob.Status.RUNNING, word="申报")
    with django_assert_num_queries(len(one)):
        page = client.get(PAGE).content.decode()
    assert page.count('hx-trigger="every 2s"') == 20 and "共 41 条" in page
