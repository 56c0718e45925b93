"""The shell's tests run in the application world (tests/web/appworld.py): a city, two counties,
two schools, an open campaign and one person per role."""

from __future__ import annotations

import pytest

from tests.web.appworld import World, build_world


@pytest.fixture
def w(db: None) -> World:
    return build_world()
