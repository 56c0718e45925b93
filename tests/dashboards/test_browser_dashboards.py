"""Every dashboard in Chromium with data: the charts draw (a canvas in each chart box, no
script errors) and the table beside them holds the server's numbers. Screenshots:
screenshots/dashboard-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import DashWorld, taizhou_targets
from .test_views import SECTIONS, grow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_dashboards_in_chromium(page: Any, live_server: Any, dw: DashWorld, shots: Path) -> None:
    grow(dw, 4)
    taizhou_targets(dw.city)  # the organizer's targets (等级目标), compared on the attainment page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server, dw.users["organizer"])
    for section in SECTIONS:
        query = "?basis=self" if section in ("scores", "indicators") else ""
        page.goto(live_server.url + reverse("reports:dashboard", args=[dw.campaign.pk, section]) + query)
        page.wait_for_selector(".dashboard-chart canvas")
        charts = page.locator(".dashboard-chart")
        for i in range(charts.count()):
            assert charts.nth(i).locator("canvas").count() >= 1, section
        page.wait_for_timeout(600)  # let ECharts finish its entry animation
        page.screenshot(path=str(shots / f"dashboard-{section}.png"), full_page=True)
    assert errors == []
    assert (
        "2022年目标 95%"
        in page.goto(live_server.url + reverse("reports:dashboard", args=[dw.campaign.pk, "attainment"])).text()
    )
    login(page, live_server, dw.users["county_reviewer"])
    page.goto(live_server.url + reverse("reports:dashboard", args=[dw.campaign.pk, "progress"]))
    page.wait_for_selector(".dashboard-chart canvas")
    assert "乙县" not in page.content()
    page.screenshot(path=str(shots / "dashboard-progress-county.png"), full_page=True)
