"""Fixtures for cultivation tests: a small clock (Django's `timezone.now` pinned to a date we
pass in), fast password hashing and a private media folder."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.reviews.conftest import world  # noqa: F401 - the review world, shared with these tests


class Clock:
    """Pins `django.utils.timezone.now` (and so `localdate`, auto_now fields and every
    service's deadline check) to a moment the test sets."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, day: dt.date, hour: int = 10) -> dt.datetime:
        self.now = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


#: where each action posts (the project page's URL + this)
ACTION_PATHS = {
    "submit_plan": "plan/submit/",
    "accept_plan": "plan/accept/",
    "return_plan": "plan/return/",
    "open": "evaluation/open/",
    "conclude": "evaluation/conclude/",
    "evaluate": "evaluation/record/",
    "terminate": "terminate/",
    "exclude": "exclude-school/",
}


def act(url: str, action: str) -> str:
    return url + ACTION_PATHS[action]
