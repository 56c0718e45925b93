"""Every asset is vendored: the files exist, are found by staticfiles, and no template loads
anything from another site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from tests.web.appworld import World

ROOT = Path(settings.BASE_DIR)
VENDOR = ROOT / "campuseval" / "static" / "vendor"
FILES = {
    "htmx.min.js": 30_000,
    "bootstrap.min.css": 150_000,
    "bootstrap.bundle.min.js": 50_000,
    "echarts.min.js": 500_000,
}
EXTERNAL = re.compile(r"""\b(?:src|href|action|srcset|data-src)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.mark.parametrize(("name", "least"), FILES.items())
def test_vendor_file_is_there_and_found(name: str, least: int) -> None:
    path = VENDOR / name
    assert path.stat().st_size > least
    assert finders.find(f"vendor/{name}") == str(path)
    assert f"`{name}`" in (VENDOR / "README.md").read_text(encoding="utf-8")


def test_vendor_readme_lists_versions_and_licences() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for text in ("2.0.11", "5.3.9", "6.1.0", "0BSD", "MIT", "Apache-2.0"):
        assert text in readme
    assert {p.name for p in (VENDOR / "licenses").iterdir()} >= {
        "htmx.LICENSE.txt",
        "bootstrap.LICENSE.txt",
        "echarts.LICENSE.txt",
    }


def all_templates() -> list[Path]:
    return sorted(p for p in (ROOT / "campuseval").rglob("templates/**/*.html"))


def test_no_template_loads_from_another_site() -> None:
    templates = all_templates()
    assert any(p.name == "base.html" for p in templates) and len(templates) > 20
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in templates for m in EXTERNAL.finditer(p.read_text())]
    assert offenders == []


def test_pages_use_the_vendored_assets_and_send_csrf_with_htmx(w: World) -> None:
    page = w.client("school_officer").get("/").content.decode()
    assets = ("vendor/bootstrap.min.css", "css/campuseval.css", "vendor/htmx.min.js", "vendor/bootstrap.bundle.min.js")
    for asset in assets:
        assert f"/static/{asset}" in page
    token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", page)
    assert token and len(token.group(1)) >= 32
    assert not EXTERNAL.search(page)
    login = Client().get("/accounts/login/").content.decode()
    assert not EXTERNAL.search(login) and "/static/vendor/bootstrap.min.css" in login


def test_own_stylesheet_and_emblem_exist() -> None:
    assert finders.find("css/campuseval.css")
    assert finders.find("img/emblem.svg")
