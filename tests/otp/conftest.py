"""A small world for the second factor: a city with an organizer and a system administrator,
a county and its school with the school's informatization officer."""

from __future__ import annotations

import time
from base64 import b32decode
from dataclasses import dataclass
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from campuseval.accounts.models import Role, User
from campuseval.orgs.models import Unit
from tests import factories as f


@dataclass
class OtpWorld:
    city: Unit
    school: Unit
    organizer: User
    admin: User
    officer: User
    other_organizer: User


@pytest.fixture
def otp_world(db: None) -> OtpWorld:
    city = f.UnitFactory.city(name="示范市")
    county = f.UnitFactory.county(city, name="甲县")
    school = f.UnitFactory.school(county, name="甲县实验小学")
    other = f.UnitFactory.city(name="外市")
    return OtpWorld(
        city=city,
        school=school,
        organizer=f.person("organizer", city, Role.ORGANIZER, display_name="市组织者"),
        admin=f.person("cityadmin", city, Role.ADMIN, display_name="市系统管理员"),
        officer=f.person("officer", school, Role.APPLICANT, display_name="学校填报员"),
        other_organizer=f.person("outsider", other, Role.ORGANIZER, display_name="外市组织者"),
    )


@pytest.fixture
def otp_on(settings: Any) -> None:
    settings.OTP_REQUIRED = True
    settings.OTP_REQUIRED_ROLES = ["organizer", "admin"]


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for the device's key, `steps_ahead` 30-second steps
    from now (the device accepts one step either side, and never the same step twice)."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead)
    return f"{value:0{device.digits}d}"


def code_from_secret(secret: str, steps_ahead: int = 0) -> str:
    """The code for a secret typed in as an app would (base32, spaces ignored)."""
    key = b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def wait_for_fresh_step(margin: float = 3.0) -> None:
    """Wait when the current 30-second step is about to end, so a code computed now is still the
    current one when the server checks it."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.2)
