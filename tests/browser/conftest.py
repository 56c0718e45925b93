"""Browser tests drive Debian's Chromium through Playwright (never `playwright install`).

Screenshots go to `screenshots/` at the repository root."""

from __future__ import annotations

from tests.reviews.conftest import world  # noqa: F401 - the review world, shared with browser journeys
