"""The 申报书 and the indicators, asked once.

Where a framework input states the same fact as a field of the application form, the input
names that field in its `form_field` and takes its value from the form: the school types it
once, on the form, and the indicator shows it read-only ("linked" inputs below). Where the two
ask about the same thing in different words (the form's one yes/no covers two scored items, or
the indicator asks for more than the form), they stay two answers; the form file lists these
pairs under `cross_checks`, and a pair that disagrees is named on the indicator page and on the
submission page. Such a disagreement never blocks a submission: which of the two is right is
the school's to settle and the reviewer's to see, so it is shown, not guessed away.

A cross check in a form file:

    cross_checks:
      - {field: has_ops, framework: bozhou-2024-school, code: "2.2", inputs: [staff, funding], means: all}

`means`: `all` — the form says 是 exactly when every listed input is 是; `any` — exactly when at
least one is; `covers` — the form asks more broadly, so an input answered 是 needs 是 on the form.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext

from campuseval.engine import Framework, formdefs

MEANINGS = ("all", "any", "covers")


@dataclass(frozen=True)
class CrossCheck:
    field: str
    framework: str
    code: str
    inputs: tuple[str, ...]
    means: str


@dataclass(frozen=True)
class Disagreement:
    """One pair that disagrees: the indicator it concerns and the sentence the pages show."""

    code: str
    message: str


def form_keys(definition: formdefs.FormDefinition) -> set[str]:
    """Every key a `form_field` may name in this form: its fields and its derived values."""
    return {f.key for f in definition.fields()} | {d.key for d in definition.derived}


#: (framework id(), form key) → (framework, its linked inputs): a framework and a form live as
#: long as the process, and every save asks
_LINKED: dict[tuple[int, str], tuple[Framework, dict[str, dict[str, str]]]] = {}


def linked_inputs(fw: Framework, definition: formdefs.FormDefinition) -> dict[str, dict[str, str]]:
    """{leaf code: {input key: form field}} of the inputs this form answers. An input whose
    `form_field` the campaign's form does not have (a framework used with another form) is
    asked on its indicator as any other input. Read-only: shared between calls."""
    cached = _LINKED.get((id(fw), definition.key))
    if cached is not None and cached[0] is fw:
        return cached[1]
    found = _linked(fw, definition)
    _LINKED[(id(fw), definition.key)] = (fw, found)
    return found


def _linked(fw: Framework, definition: formdefs.FormDefinition) -> dict[str, dict[str, str]]:
    keys = form_keys(definition)
    linked: dict[str, dict[str, str]] = {}
    for leaf in fw.leaves():
        for key, spec in leaf.inputs.items():
            if spec.form_field and formdefs.ALIASES.get(spec.form_field, spec.form_field) in keys:
                linked.setdefault(leaf.code, {})[key] = spec.form_field
    return linked


@functools.cache
def cross_checks(form_key: str) -> tuple[CrossCheck, ...]:
    """The `cross_checks` of a form file (none for an unknown key). A malformed entry raises
    ValueError naming the file; tests/applications/test_asked_once.py loads every form."""
    path = formdefs.FORMS_DIR / f"{form_key}.yaml"
    if not form_key or "/" in form_key or not path.is_file():
        return ()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    checks = []
    for raw in data.get("cross_checks") or ():
        means = str(raw.get("means", ""))
        if means not in MEANINGS:
            raise ValueError(f"forms/{path.name}: cross_checks 的 means「{means}」只能是 {'、'.join(MEANINGS)}")
        inputs = tuple(str(k) for k in raw.get("inputs") or ())
        if not raw.get("field") or not raw.get("code") or not inputs:
            raise ValueError(f"forms/{path.name}: cross_checks 每项需要 field、code 和 inputs")
        checks.append(
            CrossCheck(
                field=str(raw["field"]),
                framework=str(raw.get("framework", "")),
                code=str(raw["code"]),
                inputs=inputs,
                means=means,
            )
        )
    return tuple(checks)


def check_problems(fw: Framework, definition: formdefs.FormDefinition) -> list[str]:
    """What is wrong with the form's cross checks against this framework (unknown field,
    indicator or input; not yes/no): empty when they can be used."""
    problems = []
    fields = {f.key: f for f in definition.fields()}
    for check in cross_checks(definition.key):
        if check.framework and check.framework != fw.id:
            continue
        form_field = fields.get(check.field)
        node = fw.by_code.get(check.code)
        if form_field is None or form_field.kind != "bool":
            problems.append(f"{definition.key}: 申报书没有是否型字段 {check.field}")
        if node is None or not node.is_leaf:
            problems.append(f"{definition.key}: 指标 {check.code} 不存在或不是末级指标")
            continue
        for key in check.inputs:
            spec = node.inputs.get(key)
            if spec is None or spec.type != "bool":
                problems.append(f"{definition.key}: 指标 {check.code} 没有是否型输入 {key}")
    return problems


def _yes_no(value: Any) -> bool | None:
    if value is True or value in ("true", "True", formdefs.YES):
        return True
    if value is False or value in ("false", "False", formdefs.NO):
        return False
    return None


def _word(value: bool) -> str:
    return formdefs.YES if value else formdefs.NO


def disagreements(
    fw: Framework,
    definition: formdefs.FormDefinition,
    form_data: Mapping[str, Any],
    answers: Mapping[str, Mapping[str, Any]],
    code: str | None = None,
) -> list[Disagreement]:
    """The cross checks of this form that the school's answers break (only `code`'s, if
    given). A pair half answered is not judged yet, except where the half given already
    contradicts the other (`covers`, `any`: an input 是 against the form's 否)."""
    found = []
    fields = {f.key: f for f in definition.fields()}
    for check in cross_checks(definition.key):
        if (check.framework and check.framework != fw.id) or (code is not None and check.code != code):
            continue
        node = fw.by_code.get(check.code)
        form_field = fields.get(check.field)
        if node is None or form_field is None:
            continue
        said = _yes_no(form_data.get(check.field))
        if said is None:
            continue
        given = answers.get(check.code) or {}
        values = [_yes_no(given.get(key)) for key in check.inputs]
        known = [v for v in values if v is not None]
        complete = len(known) == len(values)
        if check.means == "all":
            broken = complete and said != all(known)
        elif check.means == "any":
            broken = (not said and any(known)) or (said and complete and not any(known))
        else:
            broken = not said and any(known)
        if not broken:
            continue
        pairs = zip(check.inputs, values, strict=True)
        stated = gettext("，").join(
            gettext("“%(label)s”填“%(value)s”") % {"label": node.inputs[key].label, "value": gettext(_word(v))}
            for key, v in pairs
            if v is not None
        )
        found.append(
            Disagreement(
                code=check.code,
                message=gettext(
                    "申报书“%(field)s”填“%(said)s”，而指标 %(code)s %(title)s中%(stated)s："
                    "两处不一致，请核对后改正其中一处（不影响提交，评审专家会看到两处的填写）"
                )
                % {
                    "field": form_field.label,
                    "said": gettext(_word(said)),
                    "code": check.code,
                    "title": node.title,
                    "stated": stated,
                },
            )
        )
    return found
