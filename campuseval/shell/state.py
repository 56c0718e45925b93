"""What the shell knows of one request: the user's memberships, their unread count and the
navigation built for them. Plain data, read by the navigation and by the home page queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from campuseval.access.rules import SCHOOL_ROLES
from campuseval.accounts.models import Membership, Role

#: Which membership names the user in the top bar when they hold several.
ROLE_ORDER = [Role.ORGANIZER, Role.COUNTY_REVIEWER, Role.HEAD, Role.APPLICANT, Role.EXPERT, Role.ADMIN]


@dataclass(frozen=True)
class Link:
    """One navigation entry; `children` makes it a drop-down menu."""

    key: str
    label: str | Promise
    url: str = ""
    active: bool = False
    children: tuple[Link, ...] = ()


@dataclass
class Shell:
    memberships: list[Membership]
    unread: int
    links: list[Link] = field(default_factory=list)

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    @property
    def primary(self) -> Membership | None:
        """The membership shown beside the user's name."""
        if not self.memberships:
            return None
        return min(self.memberships, key=lambda m: (ROLE_ORDER.index(Role(m.role)), m.unit.code))

    @property
    def active_label(self) -> str | Promise:
        """The label of the navigation entry the page belongs to (a page's default title)."""
        return next((link.label for link in self.links if link.active), "")

    @property
    def is_school(self) -> bool:
        return bool(self.roles.intersection(SCHOOL_ROLES))

    def units(self, *roles: str) -> list[Any]:
        """Units (with their ancestors loaded) where the user holds one of `roles`."""
        seen: dict[int, Any] = {}
        for m in self.memberships:
            if m.role in roles:
                seen.setdefault(m.unit_id, m.unit)
        return sorted(seen.values(), key=lambda u: u.code)
