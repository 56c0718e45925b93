"""Small template helpers for the application workspace."""

from __future__ import annotations

from typing import Any

from django import template

from campuseval.campaigns import stages

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """`mapping|get:key` — dictionary lookup with a variable key."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.simple_tag
def apply_problem(application: Any) -> str:
    """Why the application cannot be edited or submitted now by the stage dates (申报阶段尚未
    开始, 申报已于 … 截止, 补正已于 … 截止, 活动已结束), or "" while it can."""
    return stages.action_problem(application.campaign, stages.Action.APPLY, application=application) or ""


@register.simple_tag
def stage_problem(campaign: Any, action: str) -> str:
    """Why `action` (county_review, recommend, …) is not open in the campaign now, or ""."""
    return stages.action_problem(campaign, action) or ""
