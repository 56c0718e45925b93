"""Hostile input on every page: no server error anywhere, a refusal names the field, and what
else was typed is still in the form.

The walk is the permission matrix's (tests/test_permission_matrix.py): every URL name of the
resolver, every case of it, and every persona whose GET is a page (`Ok`). Each page is read, its
forms are found in the HTML (inputs, selects, textareas) and posted back field by field: the
other fields keep what the page had, the one field gets a hostile value (a huge number, 1e5000,
10^30, 29 digits, a negative, NaN, Infinity, unicode digits, 1 MB of random text, a NUL byte,
markup, an over-long text). A GET form (a list's filters) is sent the same way as a query. Every
page is also read once with every query parameter a view reads set to a hostile value.

The persona world gets drafts on the built-in frameworks whose number inputs name no maximum
(Sichuan, Taizhou, Xiamen), so their form and indicator pages are walked too.

Runtime is bounded: each field gets `VALUES_PER_FIELD` values, rotating through `HOSTILE` from
a seeded offset, and a form seen by several personas is fuzzed in full once and then with one
value per field. It runs on SQLite and on PostgreSQL (NUL bytes, varchar lengths and integers
beyond 64 bits fail only there)."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.campaigns.services import load_framework_records
from campuseval.engine.framework import Framework
from tests import factories as f
from tests.personas import PERSONAS, Personas
from tests.test_permission_matrix import SPEC, Ok, Spec, cases

pytestmark = pytest.mark.django_db

SEED = 12
RNG = random.Random(SEED)
#: about 1 MB of random (incompressible) CJK text
MEGABYTE = "".join(chr(RNG.randrange(0x4E00, 0x9FA5)) for _ in range(350_000))

HOSTILE: list[str] = [
    "1e5000",
    str(10**30),
    "9" * 29,
    "-1",
    "NaN",
    "Infinity",
    "١٢٣",
    "１２３",
    MEGABYTE,
    "a\x00b",
    "<script>alert(1)</script>",
    "长" * 5000,
    "1" * 5000,
    "-Infinity",
    "1e-5000",
    "\x1b[31m",
]
VALUES_PER_FIELD = 4
#: the query parameters the views read (grep request.GET in campuseval/)
QUERY_PARAMS = (
    "q",
    "status",
    "page",
    "campaign",
    "area",
    "region",
    "sort",
    "county",
    "city",
    "application",
    "basis",
    "subject",
    "risk",
    "active",
    "n",
    "next",
    "agree_rest",
    "background",
)
#: forms never posted: signing out ends the persona's session, the language switch is Django's
SKIP_ACTIONS = {"accounts:logout", "set_language"}
#: built-in frameworks whose number inputs name no maximum, with the form each campaign uses
FRAMEWORKS = ("sichuan-2023-school", "taizhou-2022-school", "xiamen-trial-school", "sichuan-2023-district")
FRAMEWORK_DIR = Path(__file__).resolve().parents[2] / "campuseval" / "frameworks"
#: fields (by the view they post to) left out of the walk, each with the reason; none today
EXCLUDED: dict[str, dict[str, str]] = {}

ERROR_CLASSES = {"alert-danger", "alert-warning", "errorlist", "err", "invalid-feedback", "text-danger"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TEXTUAL = {"text", "number", "search", "email", "tel", "url", "date", "datetime-local", "month", "time", ""}


# --- reading a page -------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input type, "select", "textarea"
    value: str = ""
    values: list[str] = field(default_factory=list)  # a select's options
    multiple: bool = False
    checked: bool = False
    id: str = ""
    label: str = ""
    hint: str = ""  # aria-label, title or placeholder
    row: str = ""  # the header cell of the table row the field sits in

    def names(self) -> list[str]:
        """What a message may call this field: its label, hint or row header (parenthesised
        remarks and examples after a comma left out), else its name."""
        out = []
        for text in (self.label, self.hint, self.row):
            core = re.sub(r"（[^）]*）|\([^)]*\)", "", text).split("，")[0].split(",")[0]
            core = core.strip().strip("*：: ").strip()
            if core:
                out.append(core)
        return out or [self.name]


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """What the browser would send as the page stands (the first named submit button
        included, files left out)."""
        data: dict[str, Any] = {}
        button_sent = False
        for x in self.fields:
            if x.kind in {"file", "reset", "image"}:
                continue
            if x.kind in {"submit", "button"}:
                if x.name and not button_sent:
                    data[x.name] = x.value
                    button_sent = True
                continue
            if x.kind in {"checkbox", "radio"}:
                if x.checked:
                    data.setdefault(x.name, []).append(x.value or "on")
                continue
            if x.kind == "select":
                chosen = x.value if x.value else (x.values[0] if x.values and not x.multiple else "")
                if chosen or not x.multiple:
                    data.setdefault(x.name, []).append(chosen)
                continue
            data.setdefault(x.name, []).append(x.value)
        return data

    def fuzzable(self) -> list[Field]:
        """One entry per field name that the user (or a script) can set."""
        seen: set[str] = set()
        out = []
        for x in self.fields:
            if not x.name or x.name == "csrfmiddlewaretoken" or x.kind in {"file", "reset", "image"}:
                continue
            if x.kind in {"submit", "button"} or x.name in seen:
                continue
            seen.add(x.name)
            out.append(x)
        return out


@dataclass
class Span:
    start: int
    end: int
    text: str


class Page(HTMLParser):
    """Forms, labels and error boxes of an HTML page, with the page's text flattened so that
    "near" can be measured in characters."""

    def __init__(self, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.text: list[str] = []
        self.length = 0
        self.errors: list[Span] = []
        self.labels_for: dict[str, str] = {}
        self._form: Form | None = None
        self._stack: list[tuple[str, bool, int]] = []
        self._label: tuple[str, int, list[Field]] | None = None  # for=, text start, fields inside
        self._pending_label = ""
        self._row_header = ""
        self._th: int | None = None
        self._select: Field | None = None
        self._option: tuple[str | None, bool, int] | None = None
        self._textarea: tuple[Field, int] | None = None
        self.feed(body)
        self.close()
        for form in self.forms:
            for x in form.fields:
                if not x.label and x.id in self.labels_for:
                    x.label = self.labels_for[x.id]

    # text
    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.length += len(data)

    def flat(self) -> str:
        return "".join(self.text)

    def _since(self, start: int) -> str:
        return re.sub(r"\s+", " ", self.flat()[start:]).strip()

    # elements
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag in VOID:
            self._void(tag, a)
            return
        classes = set(a.get("class", "").split())
        self._stack.append((tag, bool(classes & ERROR_CLASSES), self.length))
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(), "multipart" in a.get("enctype", ""))
            self.forms.append(self._form)
        elif tag == "label":
            self._label = (a.get("for", ""), self.length, [])
        elif tag == "tr":
            self._row_header = ""
        elif tag == "th":
            self._th = self.length
        elif tag == "select" and self._form is not None:
            self._select = Field(a.get("name", ""), "select", multiple="multiple" in a, id=a.get("id", ""))
            self._attach(self._select, a)
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a, self.length)
        elif tag == "textarea" and self._form is not None:
            x = Field(a.get("name", ""), "textarea", id=a.get("id", ""))
            self._attach(x, a)
            self._textarea = (x, self.length)
        elif tag == "button" and self._form is not None:
            kind = a.get("type", "submit").lower()
            self._attach(Field(a.get("name", ""), kind, a.get("value", ""), id=a.get("id", "")), a)

    def _void(self, tag: str, a: dict[str, str]) -> None:
        if tag == "input" and self._form is not None:
            kind = a.get("type", "text").lower()
            x = Field(a.get("name", ""), kind, a.get("value", ""), checked="checked" in a, id=a.get("id", ""))
            self._attach(x, a)

    def _attach(self, x: Field, a: dict[str, str]) -> None:
        assert self._form is not None
        self._form.fields.append(x)
        if self._label is not None:
            self._label[2].append(x)
        x.hint = a.get("aria-label", "") or a.get("title", "") or a.get("placeholder", "")
        if not (x.id and x.id in self.labels_for) and x.kind not in {"hidden", "submit"}:
            x.label, self._pending_label = self._pending_label, ""
            x.row = self._row_header

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, start = self._option
            shown = self._since(start)
            self._select.values.append(shown if value is None else value)
            if selected:
                self._select.value = shown if value is None else value
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            x, start = self._textarea
            x.value = self.flat()[start:].lstrip("\n")
            self._textarea = None
        elif tag == "label" and self._label is not None:
            target, start, inside = self._label
            text = self._since(start).rstrip("*").strip()
            if target:
                self.labels_for[target] = text
            for x in inside:
                x.label = x.label or text
            if not target and not inside:
                self._pending_label = text
            self._label = None
        elif tag == "form":
            self._form = None
        elif tag == "th" and self._th is not None:
            self._row_header = self._since(self._th).rstrip("*").strip()
            self._th = None
        # close the element (and any left open inside it)
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                for _tag, is_error, start in self._stack[i:]:
                    if is_error:
                        text = self._since(start)
                        if len(text) >= 2:
                            self.errors.append(Span(start, self.length, text))
                del self._stack[i:]
                break


# --- the walk -------------------------------------------------------------------------------------


@dataclass
class Walk:
    personas: Personas
    clients: dict[str, Client] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    fuzzed: dict[tuple[str, str], int] = field(default_factory=dict)
    offset: int = 0

    def client(self, who: str) -> Client:
        if who not in self.clients:
            c = Client()
            user = self.personas.user(who)
            if user is not None:
                c.force_login(user)
            self.clients[who] = c
        return self.clients[who]

    def send(self, who: str, method: str, url: str, data: dict[str, Any] | None, where: str) -> Any:
        """One request in a savepoint (a database error must not poison the rest of the walk);
        a server error or an exception is recorded, and the response (or None) returned."""
        self.requests += 1
        c = self.client(who)
        try:
            with transaction.atomic():
                response = c.post(url, data or {}) if method == "post" else c.get(url, data or {})
        except Exception as exc:  # every failure is a finding of the walk
            self.problems.append(f"{where}: {type(exc).__name__}: {str(exc)[:200]}")
            return None
        if response.status_code >= 500:
            self.problems.append(f"{where}: {response.status_code}")
            return None
        return response

    def values(self, count: int = VALUES_PER_FIELD) -> list[str]:
        out = [HOSTILE[(self.offset + i) % len(HOSTILE)] for i in range(count)]
        self.offset += count
        return out


def html_of(response: Any) -> str | None:
    if response is None or response.status_code != 200:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    return response.content.decode()


def target_of(form: Form, page_url: str) -> str | None:
    """The URL a form posts to (its action resolved against the page as a browser does: an
    action of only "#part" stays on the page), or None when it is to be skipped."""
    action = urlsplit(urljoin(page_url, form.action or page_url))._replace(fragment="").geturl()
    path = urlsplit(action).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name in SKIP_ACTIONS or match.url_name in SKIP_ACTIONS:
        return None
    return action


def brief(value: str) -> str:
    return repr(value if len(value) <= 20 else value[:20] + f"…({len(value)})")


def shown_values(form: Form, skip: str) -> list[str]:
    """Values typed into the form's other visible text fields (what must survive a refusal)."""
    out = []
    for x in form.fuzzable():
        if x.name == skip or not x.value.strip() or len(x.value) > 200:
            continue
        if x.kind in TEXTUAL or x.kind == "textarea":
            out.append(x.value.strip())
    return out


def named(x: Field, errors: list[Span], text: str) -> bool:
    """Whether one of the errors names the field (or sits within 300 characters of its name)."""
    for name in x.names():
        # a message may shorten the label (撤销理由 → 「理由」): any two characters of it in a row
        pieces = [name] if len(name) <= 2 else [name[i : i + 2] for i in range(len(name) - 1)]
        for e in errors:
            if any(p in e.text for p in pieces):
                return True
            if name in text[max(0, e.start - 300) : e.end + 300]:
                return True
    return False


def check_refusal(walk: Walk, known: set[str], body: str, form: Form, x: Field, where: str) -> None:
    """When the answer re-renders the page with an error the page and the untouched form did not
    give (`known`), the field is named in it or near it, and the other typed values are still in
    the page."""
    after = Page(body)
    # an error box listing fewer of the untouched form's errors is not a new error
    new = [e for e in after.errors if not any(e.text in k for k in known)]
    if not new or x.kind == "hidden":  # hidden fields are not typed by anyone: a clear refusal will do
        return
    # a field the page gives no label, hint or row header cannot be checked by name
    if x.names() != [x.name] and not named(x, new, after.flat()):
        walk.problems.append(f"{where}: refused without naming 「{x.names()[0]}」: {new[0].text[:120]}")
    lost = [v for v in shown_values(form, x.name) if html.escape(v) not in body and v not in body]
    if lost:
        walk.problems.append(f"{where}: refused and lost what was typed: {lost[:3]}")


def refresh(base: dict[str, Any], body: str | None, target: str, skip: str) -> None:
    """Take the hidden values (the revision) of the same form from the page an answer showed, so
    that the next post is not refused as stale."""
    if body is None:
        return
    for form in Page(body).forms:
        if urlsplit(form.action).path != urlsplit(target).path:
            continue
        for x in form.fields:
            if x.kind == "hidden" and x.name in base and x.name not in {skip, "csrfmiddlewaretoken"}:
                base[x.name] = [x.value]
        return


def fuzz_form(walk: Walk, who: str, page_url: str, page: Page, form: Form, name: str) -> None:
    target = target_of(form, page_url)
    if target is None:
        return
    view = resolve(urlsplit(target).path).view_name
    excluded = EXCLUDED.get(view, {})
    fields = [x for x in form.fuzzable() if x.name not in excluded]
    if not fields:
        return
    base = form.payload()
    base.pop("csrfmiddlewaretoken", None)
    method = form.method if form.method in {"get", "post"} else "get"
    address = target if method == "post" else urlsplit(target).path

    def send(data: dict[str, Any], where: str) -> str | None:
        response = walk.send(who, method, address, data, where)
        body = html_of(response)
        if body is None and response is not None and response.status_code == 302 and method == "post":
            location = response["Location"]
            if not location.startswith("http"):
                followed = walk.send(who, "get", location, None, f"{where} → {location}")
                if urlsplit(location).path == urlsplit(page_url).path:
                    refresh(base, html_of(followed), target, "")
        return body

    # the untouched form first: the errors it gives (a required field left empty, a closed stage)
    # are not the hostile value's
    control = send(dict(base), f"{method.upper()} {name} as {who} (as the page stands)")
    known = {e.text for e in page.errors} | ({e.text for e in Page(control).errors} if control else set())
    refresh(base, control, target, "")
    for x in fields:
        seen = walk.fuzzed.get((view, x.name), 0)
        walk.fuzzed[(view, x.name)] = seen + 1
        for value in walk.values(VALUES_PER_FIELD if seen == 0 else 1):
            where = f"{method.upper()} {name} as {who} {x.name}={brief(value)}"
            body = send({**base, x.name: [value]}, where)
            if body is not None:
                check_refusal(walk, known, body, form, x, where)
                refresh(base, body, target, x.name)


def fuzz_queries(walk: Walk, who: str, url: str, name: str, count: int) -> None:
    for value in walk.values(count):
        query = dict.fromkeys(QUERY_PARAMS, value)
        walk.send(who, "get", url, query, f"GET {name}?*={brief(value)} as {who}")


def page_cases(p: Personas) -> Iterator[tuple[str, Spec]]:
    for name in SPEC:
        for spec in cases(name):
            yield name, spec


# --- the world ------------------------------------------------------------------------------------


def add_framework_drafts(p: Personas) -> list[tuple[Application, Framework]]:
    """Drafts of the persona school (and county) on the built-in frameworks with unbounded
    number inputs, in open campaigns of the persona city."""
    out = []
    for key in FRAMEWORKS:
        (loaded,) = load_framework_records(paths=[FRAMEWORK_DIR / f"{key}.yaml"])
        record = loaded.record
        assert record is not None, loaded.messages
        district = record.subject == "district"
        campaign = f.CampaignFactory(
            name=f"模糊测试-{key}",
            organizer=p.city,
            applicants=Campaign.Applicants.DISTRICTS if district else Campaign.Applicants.SCHOOLS,
            school_framework=None if district else record,
            district_framework=record if district else None,
            school_form="" if district else key,
            district_form=key if district else "",
        )
        unit = p.county if district else p.school
        app = Application.objects.create(
            campaign=campaign,
            unit=unit,
            framework=record,
            form_key=key,
            form_data={},
            answers={"context": {}, "choices": {}, "declarations": {}, "answers": {}},
            result={},
        )
        out.append((app, framework_for(record)))
    return out


def framework_pages(p: Personas, drafts: list[tuple[Application, Framework]]) -> list[tuple[str, str, str]]:
    """(name, url, persona) of the drafts' form pages and of every indicator page with a number
    input naming no maximum (the inputs the issue found answering 500)."""
    out = []
    for app, fw in drafts:
        who = "district_applicant" if app.unit_id == p.county.pk else "school_officer"
        out.append((f"applications:form[{app.form_key}]", reverse("applications:form", args=[app.pk]), who))
        for leaf in fw.leaves():
            if any(s.type == "number" and s.max is None and not s.percent for s in leaf.inputs.values()):
                url = reverse("applications:indicator", kwargs={"pk": app.pk, "code": leaf.code})
                out.append((f"applications:indicator[{app.form_key} {leaf.code}]", url, who))
    return out


# --- the test -------------------------------------------------------------------------------------


def test_hostile_values_in_every_form_and_query_give_no_server_error(personas: Personas) -> None:
    p = personas
    drafts = add_framework_drafts(p)
    walk = Walk(p)
    pages: list[tuple[str, str, str]] = []
    files: list[tuple[str, str, str]] = []
    for name, spec in page_cases(p):
        url = reverse(name, kwargs=spec.kwargs(p))
        for who in PERSONAS:
            outcome = spec.outcome(who)
            if isinstance(outcome, Ok):
                pages.append((name, url, who))
            elif outcome in ("application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                files.append((name, url, who))
    pages += framework_pages(p, drafts)

    queried: set[str] = set()
    for name, url, who in pages:
        response = walk.send(who, "get", url, None, f"GET {name} as {who}")
        body = html_of(response)
        if body is None:
            continue
        page = Page(body)
        for form in page.forms:
            fuzz_form(walk, who, url, page, form, name)
        if url not in queried:
            queried.add(url)
            fuzz_queries(walk, who, url, name, 2)
    for name, url, who in files:
        if url not in queried:
            queried.add(url)
            fuzz_queries(walk, who, url, name, 1)

    assert walk.requests > 1000, walk.requests
    assert walk.problems == [], f"{len(walk.problems)} of {walk.requests} requests:\n" + "\n".join(walk.problems)
