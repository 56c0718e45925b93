"""Every page a school works on, in Chromium, on an old county PC (1280 × 800) and on a phone
(390 × 844), in Chinese and in English (switched with the shell's own language buttons).

The demo world's 城关区实验小学 has what a school meets in a year: a 泰州 application the county
returned (editable, ★ requirements unmet), a submitted 亳州 application (read-only, 生机比 shown
N∶1) and a final result. On each page: no sideways scrolling
(document.documentElement.scrollWidth <= window.innerWidth), exactly one <main>, the skip link
leads into it; a screenshot per page, viewport and language goes to screenshots/applicant/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from campuseval.accounts.models import User
from campuseval.applications import queries, services
from campuseval.applications.models import Application
from campuseval.reviews.models import Result
from campuseval.shell.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page: Any, base: str, username: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username=username))  # the language cookie stays
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])


def switch_language(page: Any, base: str, language: str) -> None:
    """Press the shell's language button (inside the collapsed menu on a phone)."""
    page.goto(base + "/")
    label = "English" if language == "en" else "中文"
    button = page.get_by_role("button", name=label, exact=True)
    if not button.is_visible():
        page.locator(".navbar-toggler").click()
        page.locator("#ce-nav.show:not(.collapsing)").wait_for()  # opened, not still sliding
    with page.expect_navigation():
        button.click()
    assert page.locator("html").get_attribute("lang") == language


class Pages:
    def __init__(self, page: Any, base: str, folder: Path, tag: str) -> None:
        self.page, self.base, self.folder, self.tag = page, base, folder, tag
        self.seen: list[str] = []

    def visit(self, path: str, name: str | None, *, skip_link: bool = False) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        self.check(path)
        if skip_link:
            self.page.keyboard.press("Tab")
            focused = self.page.evaluate("() => document.activeElement.getAttribute('href')")
            assert focused == "#main", (path, focused)
            self.page.keyboard.press("Enter")
            assert self.page.evaluate("() => location.hash") == "#main"
        if name:
            self.shoot(name)

    def shoot(self, name: str) -> None:
        """The whole page, cut at 4000 px (a version lists every indicator: 25 000 px on a phone)."""
        height = min(self.page.evaluate("() => document.documentElement.scrollHeight"), 4000)
        width = self.page.viewport_size["width"]
        clip = {"x": 0, "y": 0, "width": width, "height": height}
        self.page.screenshot(path=str(self.folder / f"{name}-{self.tag}.png"), full_page=True, clip=clip)

    def check(self, where: str) -> None:
        widths = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth, document.querySelectorAll('main').length]"
        )
        scroll, inner, mains = widths
        if scroll > inner:
            wide = self.page.evaluate(
                """() => Array.from(document.querySelectorAll('body *'))
                  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                  .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
            )
            raise AssertionError(f"{where}: {scroll} px wide at {inner} px; too wide: {wide}")
        assert mains == 1, (where, mains)
        self.seen.append(where)


def taizhou_and_bozhou(officer: User) -> tuple[Application, Application]:
    mine = list(queries.my_applications(officer))
    taizhou = next(a for a in mine if a.campaign.school_framework.key == "taizhou-2022-school")
    bozhou = next(a for a in mine if a.campaign.school_framework.key == "bozhou-2024-school")
    return taizhou, bozhou


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_applicant_pages_fit_and_read(page: Any, live_server: Any, shots: Path, viewport: str, language: str) -> None:
    seed_demo()
    officer = User.objects.get(username="demo-school")
    taizhou, bozhou = taizhou_and_bozhou(officer)
    assert taizhou.status == "returned" and bozhou.status != "draft"
    folder = shots / "applicant"
    folder.mkdir(exist_ok=True)
    base = live_server.url
    page.set_viewport_size(VIEWPORTS[viewport])
    v = Pages(page, base, folder, f"{viewport}-{language}")

    sign_in(page, base, "demo-school")
    switch_language(page, base, language)
    v.visit("/", "01-home-officer", skip_link=True)
    v.visit("/applications/", "02-mine", skip_link=True)

    # 泰州, returned for correction: every page of the workspace, every indicator
    t = f"/applications/{taizhou.pk}"
    v.visit(f"{t}/", "03-taizhou-form", skip_link=True)
    v.visit(f"{t}/choices/", "04-taizhou-choices")
    fw = services.framework_of(taizhou)
    leaves = list(fw.leaves())
    starred = next(n for n in leaves if any(m.kind == "basic" for m in n.marks))
    with_rows = next((n for n in leaves if any(s.type == "items" for s in n.inputs.values())), None)
    shown = {starred.code: "06-taizhou-indicator-star", leaves[-1].code: "05-taizhou-indicator-last"}
    if with_rows is not None:
        shown[with_rows.code] = "07-taizhou-indicator-rows"
    # one page of each kind (its inputs' types and marks), the longest title and the longest text
    kinds: dict[tuple[Any, ...], Any] = {}
    for node in leaves:
        kinds.setdefault((tuple(s.type for s in node.inputs.values()), tuple(m.kind for m in node.marks)), node)
    longest = [max(leaves, key=lambda n: len(n.title)), max(leaves, key=lambda n: len(n.criterion or ""))]
    every_kind = {n.code: n for n in [*kinds.values(), *longest]}
    for node in leaves:
        if node.code in shown or (viewport == "phone" and node.code in every_kind):
            v.visit(f"{t}/indicator/{node.code}/", shown.get(node.code))
    # answering 否 to a ★ requirement: the score panel names it (a link to the indicator) and the
    # polite live region tells a screen reader the new score
    v.visit(f"{t}/indicator/{starred.code}/", None)
    first_bool = next(spec for spec in starred.inputs.values() if spec.type == "bool")
    page.locator(f"#in_{first_bool.key}_false").check()
    page.locator("#save-status [data-autosave-state=saved]").wait_for(timeout=10000)
    unmet = page.locator("#unmet-requirements")
    assert unmet.locator("a", has_text=f"{starred.code} ★").count() == 1
    label = next(m.label for m in starred.marks if m.kind == "basic")
    assert page.locator("#score-panel").inner_text().count(label) == 1  # listed once, not as prose and list
    assert page.locator("#score-live").get_attribute("aria-live") == "polite"
    assert page.locator("#total").inner_text() in page.locator("#score-live").inner_text()
    v.check("★ unmet")
    v.shoot("06b-taizhou-star-unmet")
    if with_rows is not None:  # a repeatable row added on the page still fits
        v.visit(f"{t}/indicator/{with_rows.code}/", None)
        page.locator("[data-add-row]").first.click()
        page.wait_for_function("() => document.querySelectorAll('tbody tr').length > 0")
        v.check("row added")
    v.visit(f"{t}/submit/", "08-taizhou-submit")
    v.visit(f"{t}/versions/", "09-taizhou-versions")
    v.visit(f"{t}/versions/1/", "10-taizhou-version")

    # 亳州, submitted: read-only pages, the N∶1 ratios explained
    b = f"/applications/{bozhou.pk}"
    v.visit(f"{b}/", "11-bozhou-form")
    derived = page.locator("#derived").inner_text()
    # a ratio shown N∶1 (then 「（自动计算）」, in English " (Computed)"), and the page says why
    assert re.search(r"\d∶1\s*[（(]", derived)
    if language == "zh-hans":
        assert "不是百分数" in derived and "填表说明" in derived
    else:
        assert "not a percentage" in derived
    bleaves = list(services.framework_of(bozhou).leaves())
    v.visit(f"{b}/indicator/{bleaves[0].code}/", "12-bozhou-indicator")
    v.visit(f"{b}/versions/", None)
    v.visit(f"{b}/versions/1/", "13-bozhou-version")

    # the school's final result
    result = Result.objects.filter(application__unit=taizhou.unit).order_by("-pk").first()
    if result is not None:
        v.visit(f"/reviews/results/{result.pk}/", "14-result")

    # the head: home and the submit page with the promise
    sign_in(page, base, "demo-head")
    v.visit("/", "15-home-head")
    v.visit(f"{t}/submit/", "16-taizhou-submit-head")
    assert len(v.seen) >= 15
