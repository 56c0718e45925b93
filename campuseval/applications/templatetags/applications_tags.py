"""Small template helpers for the application workspace."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from campuseval.campaigns import stages
from campuseval.files.checks import limit_attrs

register = template.Library()

#: the characters `reverse()` leaves unquoted in a path
_PATH_SAFE = "!$&'()*+,;=/~:@"


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


def _shown(value: Any) -> str:
    """A value as `{{ value }}` prints it (localized, escaped)."""
    return conditional_escape(value if isinstance(value, str) else localize(value))


#: (indicator id, language) → (indicator, its fixed parts of a tree link); an indicator lives as
#: long as its framework, which is loaded once per process
_LINK_PARTS: dict[tuple[int, str | None], tuple[Any, tuple[str, str, str, str, bool]]] = {}


def _link_parts(node: Any, language: str | None) -> tuple[str, str, str, str, bool]:
    key = (id(node), language)
    cached = _LINK_PARTS.get(key)
    if cached is not None and cached[0] is node:
        return cached[1]
    code = node.code
    one = gettext("（选一）") if node.choose_one else ""
    parts = (
        quote(code, safe=_PATH_SAFE) + "/",
        f'style="padding-left:{_shown(node.depth)}em"',
        f'data-code="{_shown(code)}">{_shown(code)} {_shown(node.title)}{one}',
        _shown(node.points),
        bool(node.is_leaf),
    )
    _LINK_PARTS[key] = (node, parts)
    return parts


def _tree_link(
    row: Mapping[str, Any], index: int, base: str, language: str | None, active: Any, oob: bool = False
) -> str:
    node, r = row["node"], row["r"]
    tail, style, label, points, leaf = _link_parts(node, language)
    status = r.get("status", "")
    mark = ""
    if leaf:
        mark = " ✓" if status == "scored" else " " + (gettext("未选") if status == "not_chosen" else gettext("未答"))
    got, most = r.get("points"), r.get("max")
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<a id="tl-{index}"{swap} href="{conditional_escape(base + tail)}" '
        f'{style} class="{"on " if active == node.code else ""}st-{_shown(status)}" {label} '
        f'<small>{_shown(got) if got else "0"}/{_shown(most) if most else points}{mark}</small></a>'
    )


def _tree_base(application: Any) -> str:
    return reverse("applications:indicator", args=[application.pk, "-"])[:-2]


@register.simple_tag
def tree_links(tree: Iterable[Mapping[str, Any]], application: Any, active: Any) -> SafeString:
    """The workspace tree's indicator links, each with its points and status (✓ 已答, 未选, 未答).

    Written here rather than as a template loop with a `{% url %}` per row: that loop was most
    of a page's time. The markup is the loop's, character for character
    (tests/web/test_tree_links.py)."""
    base, language = _tree_base(application), get_language()
    # every value in a link is escaped
    return mark_safe("".join(_tree_link(row, i, base, language, active) for i, row in enumerate(tree)))


#: what a tree link shows of an indicator's result
_SHOWN_KEYS = ("status", "points", "max")


@register.simple_tag
def tree_changes(
    tree: Iterable[Mapping[str, Any]], before: Mapping[str, Any], application: Any, active: Any
) -> SafeString:
    """After an autosave, only the tree links whose points or status moved, each swapped in by
    its id (`before`: the indicators' results as the page showed them). A save changes one
    indicator and its parents, seldom more; sending the whole tree of 60–300 links after every
    keystroke pause was most of a save's answer."""
    base, language = _tree_base(application), get_language()
    changed = []
    for i, row in enumerate(tree):
        was = before.get(row["node"].code) or {}
        if any(row["r"].get(k) != was.get(k) for k in _SHOWN_KEYS):
            changed.append(_tree_link(row, i, base, language, active, oob=True))
    return mark_safe("".join(changed))  # every value in a link is escaped


@register.simple_tag
def upload_limits(several: bool = False) -> SafeString:
    """`{% upload_limits %}` on a file input: the limits the page checks before sending."""
    return mark_safe(" ".join(f'{k}="{conditional_escape(v)}"' for k, v in limit_attrs(several=several).items()))
