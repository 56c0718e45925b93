"""The persona world with its administrators: the city's system administrator (admin at the
root), 甲县's administrator, 乙县's administrator, another city's administrator and a superuser."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from campuseval.accounts.models import Role, User
from tests import factories as f
from tests.personas import Personas


@dataclass
class Admins:
    p: Personas
    city_admin: User
    county_admin: User
    county_y_admin: User
    outsider_admin: User
    superuser: User

    def client(self, who: str) -> Client:
        c = Client()
        c.force_login(getattr(self, who))
        return c


@pytest.fixture
def admins(personas: Personas) -> Admins:
    p = personas
    return Admins(
        p=p,
        city_admin=f.person("city_admin", p.city, Role.ADMIN, display_name="市管理员"),
        county_admin=f.person("county_admin", p.county, Role.ADMIN, display_name="甲县管理员"),
        county_y_admin=f.person("county_y_admin", p.county_y, Role.ADMIN, display_name="乙县管理员"),
        outsider_admin=f.person("outsider_admin", p.other_city, Role.ADMIN, display_name="外市管理员"),
        superuser=User.objects.create_superuser("root", password=f.PASSWORD),
    )
