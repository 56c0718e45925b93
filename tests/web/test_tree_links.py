"""The workspace tree's indicator links (`tree_links`, written in Python because the tree is sent
after every autosave) are the markup of the template loop they replaced, character for character:
every framework, scored, unanswered, not-chosen and never-scored rows, the active row marked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from django.template import Context, Template

from campuseval.engine import framework_paths, load_framework, score

EXAMPLES = Path(__file__).resolve().parents[2] / "campuseval" / "frameworks" / "examples"

#: the loop as it stood in applications/_tree.html before `tree_links`, with the id each link now
#: carries so that an autosave can replace only the links that changed
LOOP = (
    '{% for row in tree %}<a id="tl-{{ forloop.counter0 }}" '
    "href=\"{% url 'applications:indicator' application.pk row.node.code %}\" "
    'style="padding-left:{{ row.node.depth }}em" class="{% if active == row.node.code %}on {% endif %}'
    'st-{{ row.r.status }}" data-code="{{ row.node.code }}">{{ row.node.code }} {{ row.node.title }}'
    '{% if row.node.choose_one %}（选一）{% endif %} <small>{{ row.r.points|default:"0" }}/'
    '{{ row.r.max|default:row.node.points }}{% if row.node.is_leaf %}{% if row.r.status == "scored" %} ✓'
    '{% elif row.r.status == "not_chosen" %} 未选{% else %} 未答{% endif %}{% endif %}</small></a>{% endfor %}'
)
TAG = "{% load applications_tags %}{% tree_links tree application active %}"


def rows(key: str, sample: str) -> list[dict[str, Any]]:
    fw = load_framework(key)
    path = EXAMPLES / f"{key}.{sample}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {"answers": {}}
    doc.pop("framework", None)
    indicators = score(fw, doc, as_of=dt.date(2024, 5, 30)).to_dict()["indicators"]
    # every third row as an application never scored has it (no result at all)
    return [{"node": n, "r": {} if i % 3 == 2 else indicators.get(n.code, {})} for i, n in enumerate(fw.walk())]


@pytest.mark.parametrize("key", [p.stem for p in framework_paths()])
@pytest.mark.parametrize("sample", ["sample", "full", "empty"])
def test_tree_links_are_the_loops_markup(key: str, sample: str) -> None:
    tree = rows(key, sample)
    leaf = next(r["node"].code for r in tree if r["node"].is_leaf)
    for active in (leaf, "form", None):
        context = {"tree": tree, "application": SimpleNamespace(pk=17), "active": active}
        assert Template(TAG).render(Context(context)) == Template(LOOP).render(Context(context))
