"""Demo data for review and selection: an expert profile for every demo expert account."""

from __future__ import annotations

from typing import Any

from campuseval.access.rules import county_of
from campuseval.accounts.models import Membership, Role

from .models import Expert


def seed_reviews(stdout: Any = None) -> int:
    """Idempotent: every user with the expert role gets an Expert profile (work unit, region)."""
    created = 0
    for membership in Membership.objects.filter(role=Role.EXPERT).select_related("user", "unit"):
        _, made = Expert.objects.get_or_create(
            user=membership.user,
            defaults={
                "unit": membership.unit,
                "region": county_of(membership.unit),
                "title": "高级教师",
                "fields": "智慧课堂、教育信息化",
            },
        )
        created += made
    if stdout is not None:
        stdout.write(f"专家库：新增 {created} 位专家\n")
    return created
