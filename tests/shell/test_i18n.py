"""Chinese by default (whatever the browser asks for); English one switch away; the catalogue
is complete and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.web.appworld import World

LOCALE = Path(settings.BASE_DIR) / "campuseval" / "locale"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"


def switch(client: Client, language: str, next_url: str = "/") -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302 and response.headers["Location"] == next_url


def test_languages_and_locale_paths() -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert dict(settings.LANGUAGES) == {"zh-hans": "简体中文", "en": "English"}
    assert LOCALE in [Path(p) for p in settings.LOCALE_PATHS]


def test_switch_to_english_and_back(w: World) -> None:
    client = w.client("organizer")
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page and "活动管理" in page
    assert 'action="/i18n/setlang/"' in page

    switch(client, "en")
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    for text in ("Home", "Campaigns", "Review management", "Cultivation projects", "Data import", "Sign out"):
        assert text in page, text
    assert "Hello, organizer" in page and "City/provincial organizer · 示例市" in page
    assert "活动管理" not in page and "退出登录" not in page

    switch(client, "zh-hans")
    page = client.get("/").content.decode()
    assert "活动管理" in page and "Review management" not in page


def test_english_sign_in_page(db: None) -> None:
    client = Client()
    switch(client, "en", "/accounts/login/")
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in" in page and "Username" in page and "Password" in page
    page = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"}).content.decode()
    assert "Incorrect username or password" in page


def test_browser_language_alone_does_not_switch(w: World) -> None:
    client = w.client("school_officer")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page and "我的申报" in page


def po_entries(path: Path) -> list[tuple[str, list[str], str]]:
    """(msgid, msgstrs, flags) of each entry but the header; a msgid with a context is keyed
    as the catalogue keys it (context, EOT, msgid)."""
    text = path.read_text(encoding="utf-8")
    out = []
    for block in text.split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        ids = re.findall(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not ids:
            continue
        msgid = "".join(re.findall(r'"(.*)"', ids[0])).replace('\\"', '"').replace("\\n", "\n")
        context = re.findall(r'^msgctxt "(.*)"', block, re.M)
        if context:  # as the catalogue keys it
            msgid = f"{context[0]}\x04{msgid}"
        strs = [
            "".join(re.findall(r'"(.*)"', s)) for s in re.findall(r"^msgstr(?:\[\d\])? ((?:\".*\"\n?)+)", block, re.M)
        ]
        if msgid:
            out.append((msgid, strs, flags))
    return out


def test_english_catalogue_is_complete_and_compiled() -> None:
    entries = po_entries(EN_PO)
    assert len(entries) > 300
    untranslated = [m for m, strs, _ in entries if not all(strs)]
    fuzzy = [m for m, _, flags in entries if "fuzzy" in flags]
    assert untranslated == [] and fuzzy == []
    catalogue = gettext.GNUTranslations(EN_MO.open("rb"))
    stale = [m for m, strs, _ in entries if "\n" not in m and catalogue.gettext(m) == m and strs[0] != m]
    assert stale == [], "run compilemessages"
    # Chinese stays in an English message only where the source quotes what the user must type or
    # find in Chinese (Excel import values such as 类型 市/区县/学校 and 城乡 城镇/乡村, a workbook's
    # sheet or column name): each Chinese word of the English is a word of the Chinese.
    for msgid, strs, _ in entries:
        for s in strs:
            assert all(word in msgid for word in re.findall(r"[\u4e00-\u9fff]+", s)), (msgid, s)


def test_mo_files_are_not_git_ignored() -> None:
    ignored = (Path(settings.BASE_DIR) / ".gitignore").read_text().split()
    assert not any(p in ignored for p in ("*.mo", "locale", "locale/", "/campuseval/locale"))
