"""Every Chinese word a template shows is marked for translation, and every marked word has its
English in the compiled catalogue.

Chinese is the source language, so a Chinese run typed straight into a template is a run the
English page shows in Chinese: the scanner below finds each one (literal text, attribute values,
string literals inside a tag or a variable) outside {% translate %}, {% blocktranslate %} and
comments. Framework content (indicator titles, options, notes) comes from the YAML through template
variables and rightly stays Chinese; it is never a literal, so the scanner does not see it.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Template, engines
from django.template.base import Lexer, Node, TokenType
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.test import RequestFactory
from django.utils import translation

from campuseval.applications.services import display
from campuseval.campaigns import stages
from campuseval.campaigns.models import Stage
from campuseval.shell.context_processors import site
from campuseval.shell.js_messages import JS_MESSAGES

ROOT = Path(settings.BASE_DIR)
PACKAGE = ROOT / "campuseval"
EN = PACKAGE / "locale" / "en" / "LC_MESSAGES"

CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A run: from the first Chinese character to the last one on the line, punctuation and spaces
# between them included, so 「请先保存，再提交」 is one finding and not two.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUN = re.compile(f"[{_HAN}](?:[^<>{{}}\n\"']*[{_HAN}])?")
HAN = re.compile(f"[{_HAN}]+")  # consecutive Chinese characters
#: Chinese punctuation that, typed right after a translated phrase, stays Chinese beside the English
GLUED = "：；，。）"
#: and a Chinese bracket typed right before one
OPENING = "（"
STRING = re.compile(r"""(_\()?("[^"]*"|'[^']*')""")

#: Templates left Chinese on purpose, each with the reason.
ALLOWED_DIRECTORIES = {
    "campuseval/reports/templates/reports/pdf/": (
        "print-only official forms (申报书, 自评表, 推荐表, 专家评分表, 公示名单, 结果通知): the paper is signed, "
        "stamped and filed with the education bureau in Chinese whatever language the screen shows, around "
        "Chinese framework content"
    ),
}
#: Single Chinese runs left as they are, by template and run, each with the reason.
ALLOWED_RUNS = {
    ("campuseval/templates/shell/_language.html", "中文"): (
        'the language switch names each language in that language (lang="zh-hans"), so a reader of either finds it'
    ),
}


def unmarked_chinese(source: str) -> list[tuple[int, str]]:
    """(line, run) of each Chinese run in a template's source that no translation tag covers:
    literal text and attribute values, and string literals in a tag or a variable ({% include …
    with title="…" %}, {{ x|default:"…" }}) unless written _("…"), and Chinese punctuation typed
    right after a translated phrase ({% translate "说明" %}：). A literal in {% if %} is compared
    with data, never shown, so it is not a finding."""
    found: list[tuple[int, str]] = []
    closing: str | None = None  # inside {% blocktranslate %} or {% comment %} until this tag
    translated = closing_translates = False  # the previous token put translated words on the page
    opening: tuple[int, str] | None = None  # the previous token was text ending in a Chinese bracket
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[:1] == [closing]:
                closing = None
                translated = closing_translates
            continue
        after_translation, translated = translated, False
        before, opening = opening, None
        if token.token_type == TokenType.TEXT:
            text = token.contents
            found += [(token.lineno + text.count("\n", 0, m.start()), m.group()) for m in RUN.finditer(text)]
            if after_translation and text[:1] in GLUED:
                found.append((token.lineno, text[0]))  # 「Reason：」 on an English page
            if text[-1:] in OPENING:
                opening = (token.lineno + text.count("\n"), text[-1])
        elif token.token_type in (TokenType.VAR, TokenType.BLOCK):
            name = token.contents.split()[0] if token.contents.split() else ""
            translating = name in ("translate", "trans", "blocktranslate", "blocktrans")
            if token.token_type == TokenType.BLOCK and translating and before is not None:
                found.append(before)  # 「（Computed）」
            if token.token_type == TokenType.BLOCK:
                if name in ("blocktranslate", "blocktrans"):
                    closing, closing_translates = "end" + name, True
                    continue
                if name == "comment":
                    closing, closing_translates = "endcomment", False
                    continue
                if name in ("translate", "trans"):
                    translated = " as " not in token.contents
                    continue
                if name in ("if", "elif"):
                    continue  # compared, never shown
            for m in STRING.finditer(token.contents):
                if not m.group(1) and CJK.search(m.group(2)):
                    found.append((token.lineno, m.group(2)))
    return found


def templates() -> list[Path]:
    return sorted(PACKAGE.glob("**/templates/**/*.html"))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def allowed_directory(name: str) -> bool:
    return any(name.startswith(d) for d in ALLOWED_DIRECTORIES)


# --- the scanner itself ---------------------------------------------------------------------


def test_scanner_finds_literal_text_and_attribute_values() -> None:
    source = '{% load i18n %}<h1>我的申报</h1>\n<input placeholder="请输入名称" title="{% translate "名称" %}">'
    assert unmarked_chinese(source) == [(1, "我的申报"), (2, "请输入名称")]


def test_scanner_keeps_a_sentence_with_its_punctuation_as_one_run() -> None:
    assert unmarked_chinese("<p>请先保存，再提交。</p>") == [(1, "请先保存，再提交")]
    assert unmarked_chinese("<td>{{ n }} 行（共 {{ total }} 行）</td>") == [(1, "行（共"), (1, "行")]


def test_scanner_finds_chinese_literals_in_tags_and_variables() -> None:
    source = (
        '{% include "x.html" with who="县级认定" %}{{ value|default:"无" }}'
        '{% include "x.html" with who=_("专家认定") %}{{ value|default:_("无") }}'
    )
    assert unmarked_chinese(source) == [(1, '"县级认定"'), (1, '"无"')]


def test_scanner_ignores_marked_text_comments_and_variables() -> None:
    source = """{% load i18n %}{# 注释：不显示 #}{% comment %}
说明文字，不显示。
{% endcomment %}<a title="{% translate '打印' %}">{% translate "版本记录" %}</a>
{% blocktranslate count n=items|length %}共 {{ n }} 项{% plural %}共 {{ n }} 项{% endblocktranslate %}
{% blocktrans trimmed with name=unit.name %}
  {{ name }} 的申报书
{% endblocktrans %}<td>{{ node.title }}</td><td>{{ row.code }} · 2024</td>
{% if d.estimate != "（空）" %}{{ d.unit }}{% elif d.kind == "学校" %}—{% endif %}"""
    assert unmarked_chinese(source) == []


def test_scanner_finds_chinese_punctuation_glued_to_a_translated_phrase() -> None:
    source = (
        '{% load i18n %}<p>{% translate "说明" %}：{{ note }}</p>'
        "<p>{% blocktranslate %}共 {{ n }} 项{% endblocktranslate %}，{{ more }}</p>"
        '<p>{% translate "说明" %}{% translate "：" %}{{ note }}</p><p>{{ label }}：{{ value }}</p>'
    )
    assert unmarked_chinese(source) == [(1, "："), (1, "，")]
    bracketed = '<span>（{% translate "自动计算" %}）</span><span>{% translate "（" %}{% translate "自动计算" %}'
    assert unmarked_chinese(bracketed) == [(1, "（"), (1, "）")]


def test_scanner_finds_a_new_unmarked_string_among_marked_ones() -> None:
    """What the whole-project test relies on: one forgotten string in an otherwise marked page."""
    page = '{% load i18n %}<nav><a href="/">{% translate "首页" %}</a> <a href="/mine/">我的申报</a></nav>'
    assert unmarked_chinese(page) == [(1, "我的申报")]
    fixed = page.replace("我的申报</a>", '{% translate "我的申报" %}</a>')
    assert unmarked_chinese(fixed) == []


# --- the project's templates ----------------------------------------------------------------


def test_templates_have_no_unmarked_chinese() -> None:
    problems = []
    for path in templates():
        name = relative(path)
        if allowed_directory(name):
            continue
        for line, run in unmarked_chinese(path.read_text(encoding="utf-8")):
            if (name, run) not in ALLOWED_RUNS:
                problems.append(f"{name}:{line}: {run}")
    assert problems == [], "mark these for translation:\n" + "\n".join(problems)


def test_allow_list_is_small_explained_and_still_needed() -> None:
    assert len(ALLOWED_DIRECTORIES) + len(ALLOWED_RUNS) <= 5
    assert all(len(reason) > 40 for reason in [*ALLOWED_DIRECTORIES.values(), *ALLOWED_RUNS.values()])
    names = [relative(p) for p in templates()]
    for directory in ALLOWED_DIRECTORIES:
        assert any(n.startswith(directory) for n in names), directory
    for name, run in ALLOWED_RUNS:
        assert run in [r for _, r in unmarked_chinese((ROOT / name).read_text(encoding="utf-8"))], (name, run)


# --- the catalogue covers every marked string -----------------------------------------------

Key = tuple[str | None, str, str | None]  # (context, msgid, plural)


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    for attr in node.child_nodelists:
        for child in getattr(node, attr, None) or []:
            yield from _nodes(child)


def percent(literal: str) -> str:
    """A template literal's msgid: Django doubles its percent signs before looking it up."""
    return literal.replace("%", "%%")


def template_messages() -> set[Key]:
    """The msgids the templates mark, computed as Django computes them when it renders."""
    engine = engines["django"].engine
    keys: set[Key] = set()
    literal = re.compile(r"""_\(("[^"]*"|'[^']*')\)""")
    for path in templates():
        source = path.read_text(encoding="utf-8")
        template = engine.from_string(source)
        for top in template.nodelist:
            for node in _nodes(top):
                if isinstance(node, TranslateNode) and node.filter_expression.var.literal is not None:
                    context = node.message_context.resolve(Context()) if node.message_context else None
                    keys.add((context, percent(str(node.filter_expression.var.literal)), None))
                elif isinstance(node, BlockTranslateNode):
                    context = node.message_context.resolve(Context()) if node.message_context else None
                    singular = node.render_token_list(node.singular)[0]
                    plural = node.render_token_list(node.plural)[0] if node.plural else None
                    keys.add((context, singular, plural))
        for token in Lexer(source).tokenize():
            if token.token_type in (TokenType.VAR, TokenType.BLOCK):
                keys |= {(None, percent(m.group(1)[1:-1]), None) for m in literal.finditer(token.contents)}
    return keys


SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}


def python_messages() -> set[Key]:
    """The msgids campuseval's Python marks (the literal first arguments of the gettext calls)."""
    keys: set[Key] = set()
    for path in PACKAGE.glob("**/*.py"):
        if "migrations" in path.parts:
            continue
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in call.args]
            if name in SINGULAR and args and args[0] is not None:
                keys.add((None, args[0], None))
            elif name in PLURAL and len(args) >= 2 and args[0] is not None and args[1] is not None:
                keys.add((None, args[0], args[1]))
            elif name in CONTEXT and len(args) >= 2 and args[0] is not None and args[1] is not None:
                keys.add((args[0], args[1], None))
    return keys


def catalogue(path: Path) -> dict[object, str]:
    with path.open("rb") as f:
        return gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined,no-any-return]


def missing_english(keys: set[Key], compiled: dict[object, str]) -> list[str]:
    """The marked Chinese messages the compiled catalogue has no English for: absent, empty, or
    not English at all, or holding Chinese of its own (Chinese in a translation is allowed only
    where the source quotes it, e.g. the values 市/区县/学校 an Excel import column takes)."""
    out = []
    for context, msgid, plural in sorted(keys, key=lambda k: (k[0] or "", k[1], k[2] or "")):
        if not CJK.search(msgid + (plural or "")):
            continue
        full = f"{context}\x04{msgid}" if context else msgid
        texts = [compiled.get((full, 0)), compiled.get((full, 1))] if plural else [compiled.get(full)]
        for text in texts:
            if not text:
                out.append(f"no English: {msgid!r}")
            elif not re.search("[A-Za-z]", text) or any(run not in msgid + (plural or "") for run in HAN.findall(text)):
                out.append(f"Chinese left in the English of {msgid!r}: {text!r}")
    return out


def test_every_marked_string_has_english_in_the_compiled_catalogue() -> None:
    compiled = catalogue(EN / "django.mo")
    keys = template_messages() | python_messages()
    assert len(keys) > 500
    problems = missing_english(keys, compiled)
    assert problems == [], "run makemessages, write the English, compilemessages:\n" + "\n".join(problems)


def test_missing_english_is_caught() -> None:
    compiled = {"我的申报": "My applications", "版本记录": "版本记录", ("共 %(n)s 项", 0): "%(n)s item"}
    keys: set[Key] = {
        (None, "我的申报", None),
        (None, "版本记录", None),
        (None, "打印", None),
        (None, "共 %(n)s 项", "共 %(n)s 项"),
        (None, "Sign in", None),
    }
    assert missing_english(keys, compiled) == [
        "no English: '共 %(n)s 项'",
        "no English: '打印'",
        "Chinese left in the English of '版本记录': '版本记录'",
    ]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (Debian package gettext) is not installed")
def test_compiled_catalogue_is_current(tmp_path: Path) -> None:
    """The committed .mo is what compilemessages makes of the committed .po today."""
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(EN / "django.po")], check=True)
    assert catalogue(fresh) == catalogue(EN / "django.mo"), "run compilemessages"


# --- sentences composed in Python read in English -------------------------------------------


def test_stage_sentences_read_in_english_and_unchanged_in_chinese() -> None:
    """What the workspace and home page say about a campaign's stage (a refusal included)."""
    starts = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
    stage = Stage(kind=Stage.Kind.APPLY, starts_at=starts, deadline=starts + dt.timedelta(days=9))
    closes = stages.when(stage.deadline)
    after = stage.deadline + dt.timedelta(hours=1)
    with translation.override("zh-hans"):
        assert stages.StageState(stage, True, 3).text == f"申报进行中，剩余 3 天（{closes} 截止）"
        assert stages._window_problem(stage, after) == f"申报已于 {closes} 截止"
    with translation.override("en"):
        assert stages.StageState(stage, True, 1).text == f"Applications in progress, 1 day left (closes {closes})"
        assert stages._window_problem(stage, after) == f"Applications closed on {closes}"


def test_stored_values_read_in_the_reader_language() -> None:
    """The version page, the conflict table and the reviewers' decided inputs show a stored value
    through services.display, and compare it with _("（空）") to leave the unit off an empty one."""
    page = Template('{% load i18n %}{{ v }}{% if v != _("（空）") %} 间{% endif %}')
    with translation.override("zh-hans"):
        assert [display(None), display(True), display(False)] == ["（空）", "是", "否"]
        assert page.render(Context({"v": display(None)})) == "（空）"
    with translation.override("en"):
        assert [display(None), display(True), display(False)] == ["(empty)", "Yes", "No"]
        assert page.render(Context({"v": display(None)})) == "(empty)"
        assert page.render(Context({"v": display(3)})) == "3 间"


# --- the scripts' messages ------------------------------------------------------------------

SCRIPTS = PACKAGE / "static" / "js"
JS_STRING = re.compile(r"""(ceT\(\s*)?("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")


def script_messages(source: str) -> tuple[list[str], list[str]]:
    """(messages looked up with ceT, Chinese strings shown without it) of a script, comments left out."""
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    code = re.sub(r"(?m)^\s*//.*$", "", code)
    looked_up, bare = [], []
    for m in JS_STRING.finditer(code):
        if not CJK.search(m.group(2)):
            continue
        (looked_up if m.group(1) else bare).append(m.group(2)[1:-1])
    return looked_up, bare


def test_script_scanner() -> None:
    source = """/* 注释：不显示 */
    // 说明
    box.textContent = ceT("正在保存…"); show(ceT('共 %(n)s 项', { n: 3 }));
    fail("网络连接中断"); var url = "/a/b";"""
    assert script_messages(source) == (["正在保存…", "共 %(n)s 项"], ["网络连接中断"])


def test_every_script_message_is_looked_up_and_listed() -> None:
    """A Chinese string a script shows goes through ceT and is listed in JS_MESSAGES, so the
    JSON block base.html renders carries its English."""
    looked_up: set[str] = set()
    for path in sorted(SCRIPTS.glob("*.js")):
        found, bare = script_messages(path.read_text(encoding="utf-8"))
        looked_up |= set(found)
        assert bare == [], f"{path.name}: wrap in ceT(…) and list in shell/js_messages.py: {bare}"
    assert looked_up == set(JS_MESSAGES)


def test_script_messages_block_in_english() -> None:
    page = Template("{% load shell %}{% js_messages %}")
    with translation.override("en"):
        english = json.loads(re.sub(r"^<script[^>]*>|</script>$", "", page.render(Context())))
    with translation.override("zh-hans"):
        chinese = json.loads(re.sub(r"^<script[^>]*>|</script>$", "", page.render(Context())))
    assert english["正在保存…"] == "Saving…" and chinese["正在保存…"] == "正在保存…"
    assert all(not CJK.search(text) for text in english.values())


def test_the_product_name_in_english_unless_the_bureau_named_it(rf: RequestFactory, settings: Any) -> None:
    with translation.override("en"):
        assert site(rf.get("/"))["SITE_NAME"] == "Smart Campus Evaluation and Selection Platform"
        settings.SITE_NAME = "某市智慧校园平台"
        assert site(rf.get("/"))["SITE_NAME"] == "某市智慧校园平台"


def eager_translations(source: str) -> list[int]:
    """Lines where a module or class constant calls gettext (or _ bound to it) at import: the text
    is fixed in the language active then (Chinese), so an English page shows it Chinese; such a
    constant wants gettext_lazy."""
    tree = ast.parse(source)
    eager = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in ("gettext", "ngettext", "pgettext")
    }
    lines: list[int] = []

    def scan(statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, ast.ClassDef):
                scan(statement.body)
            elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
                lines.extend(
                    call.lineno
                    for call in ast.walk(statement)
                    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in eager
                )

    scan(tree.body)
    return lines


def test_eager_translation_finder() -> None:
    source = (
        "from django.utils.translation import gettext as _, gettext_lazy\n"
        'SORTS = [Sort("code", _("单位代码"))]\n'
        'LAZY = [Sort("code", gettext_lazy("单位代码"))]\n'
        'def view():\n    return _("单位代码")\n'
    )
    assert eager_translations(source) == [2]


def test_no_constant_is_translated_at_import() -> None:
    found = [
        f"{relative(path)}:{line}"
        for path in sorted(PACKAGE.glob("**/*.py"))
        if "migrations" not in path.parts
        for line in eager_translations(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "use gettext_lazy for these constants:\n" + "\n".join(found)
