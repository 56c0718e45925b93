"""The Content-Security-Policy holds on the real pages, in Chromium, with the demo world.

Every page is served with the policy (scripts from this site only: no inline script, no eval),
and Chromium reports no violation while the pages load and work: the school's form, choices and
indicator pages (with an autosave and a repeatable row added and removed), the county list and
review, the organizer's desks, every dashboard with its charts drawn, the expert's list and
sheet, the home and login pages. A violation shows up both as a `securitypolicyviolation`
event (collected by a script Playwright adds to every page) and as a console error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from campuseval.accounts.models import User
from campuseval.applications import queries, services
from campuseval.campaigns.models import Campaign
from campuseval.shell.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


class Visitor:
    """Opens pages as one user and checks each for the header and for violations."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.console: list[str] = []
        self.errors: list[str] = []
        self.seen: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def login(self, username: str) -> None:
        client = Client()
        client.force_login(User.objects.get(username=username))
        self.page.context.clear_cookies()
        self.page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": self.base}]
        )

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path if path.startswith("/") else path)
        assert response.status == 200, (path, response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        self.check(path)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("() => window.__csp || []")
        assert violations == [], (where, violations)
        refused = [m for m in self.console if "Content Security Policy" in m]
        assert refused == [], (where, refused)
        assert self.errors == [], (where, self.errors)
        self.seen.append(where)

    def links(self, pattern: str) -> list[str]:
        hrefs = self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        return list(dict.fromkeys(h for h in hrefs if re.fullmatch(pattern, h)))


def test_pages_pass_the_content_security_policy(page: Any, live_server: Any, shots: Path) -> None:
    seed_demo()
    v = Visitor(page, live_server.url)

    page.context.clear_cookies()
    v.open("/accounts/login/")

    # the school: form, choices, indicators (autosave, repeatable rows)
    v.login("demo-school")
    v.open("/")
    school = User.objects.get(username="demo-school")
    application = next(a for a in queries.my_applications(school) if a.status == "draft")
    base = f"/applications/{application.pk}"
    v.open(f"{base}/")
    v.open(f"{base}/choices/")
    v.open(f"{base}/submit/")
    leaves = list(services.framework_of(application).leaves())
    with_rows = [n.code for n in leaves if any(s.type == "items" for s in n.inputs.values())]
    indicators = [f"{base}/indicator/{code}/" for code in [leaves[0].code, *with_rows[:1], leaves[-1].code]]
    for href in indicators:
        v.open(href)
        if page.locator("[data-add-row]").count():
            rows = page.locator("tbody tr")
            before = rows.count()
            page.locator("[data-add-row]").first.click()
            page.wait_for_function(f"() => document.querySelectorAll('tbody tr').length > {before}")
            page.locator("[data-remove-row]").last.click()
            page.locator("#save-status .ok").wait_for(timeout=10000)
            v.check(href + " rows")
    v.open(indicators[0])
    page.fill("#narrative", "内容安全策略下的自动保存")
    page.locator("#save-status .ok", has_text="已自动保存").wait_for(timeout=10000)
    v.check("autosave")

    # the county
    v.login("demo-county")
    v.open("/reviews/county/")
    reviews = v.links(r"/reviews/county/\d+/")
    assert reviews
    v.open(reviews[0])

    # the organizer: each campaign's desk, every dashboard with its charts
    v.login("demo-organizer")
    for campaign in Campaign.objects.order_by("pk"):
        v.open(f"/reviews/organizer/{campaign.pk}/")
    v.open("/reports/dashboards/")
    dashboards = v.links(r"/reports/dashboards/\d+/[\w-]+/")
    assert dashboards
    drawn = 0
    for href in dashboards:
        v.open(href)
        charts = page.locator(".dashboard-chart")
        for i in range(charts.count()):
            charts.nth(i).locator("canvas").first.wait_for(timeout=10000)
            drawn += 1
        v.check(href + " charts")
    assert drawn
    page.screenshot(path=str(shots / "csp-dashboard.png"), full_page=True)

    # the expert
    v.login("demo-expert1")
    v.open("/reviews/expert/")
    sheets = v.links(r"/reviews/expert/\d+/")
    assert sheets
    for href in sheets:
        v.open(href)
    page.screenshot(path=str(shots / "csp-expert-sheet.png"), full_page=True)
    assert len(v.seen) > 15
    assert any(h.endswith(" rows") for h in v.seen)
