"""Deployment tests: the download-response tests reuse the application world (tests/web); the
smoke test starts the real stack (nginx + gunicorn + db_worker) on loopback ports."""

from __future__ import annotations

import pytest

from tests.web.conftest import app, media_root, w  # noqa: F401  (fixtures reused)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "smoke: starts nginx, gunicorn and the task worker against PostgreSQL")
