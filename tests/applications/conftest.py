"""Application tests share the application world of tests/web: its world, a started
application and a media root of their own."""

from __future__ import annotations

from tests.web.conftest import app, media_root, w  # noqa: F401  (fixtures reused)
