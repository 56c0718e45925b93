"""Export tests run on the review world (tests/reviews/conftest.py), with tasks run at once
and files written under a temporary media root."""

from __future__ import annotations

import pytest

from tests.reviews.conftest import world  # noqa: F401  (fixture reused)


@pytest.fixture(autouse=True)
def immediate_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
