"""Fixtures for application tests: the world from appworld and a started application."""

from __future__ import annotations

import pytest

from campuseval.applications import services
from campuseval.applications.models import Application

from .appworld import World, build_world


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w(db: None) -> World:
    return build_world()


@pytest.fixture
def app(w: World) -> Application:
    return services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)
