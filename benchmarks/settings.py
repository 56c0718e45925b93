"""Benchmark-only settings: the product's settings plus one bare view (`bare_urls`), so the
deadline-day benchmark can serve a reference page from the same gunicorn. Never used by the
product."""

from campuseval.settings import *  # noqa: F403
from campuseval.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "benchmarks.bare_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "benchmarks" / "templates"]
