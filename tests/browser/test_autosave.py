"""Autosave in Chromium against a live server that really fails.

Each way a save can fail is produced for real, never by a mocked response:

- 5xx: the database refuses writes for a moment. A trigger on the applications table makes every
  UPDATE abort (SQLite ``RAISE(ABORT)``, PostgreSQL ``RAISE EXCEPTION``), so the server's save
  raises, the transaction rolls back and Django answers its own 500 page. Dropping the trigger
  lets the server accept writes again.
- timeout: the database is slow for a moment. A trigger sleeps before every UPDATE (a sleep
  function registered on the SQLite connection the live server uses, ``pg_sleep`` on PostgreSQL)
  for longer than the client's timeout; the server finishes the save after the client gave up.
- offline: Chromium's network is switched off (``set_offline``).
- 4xx: the CSRF cookie is deleted from the browser, so Django refuses the POST with 403.
- conflict: a second window saves the same field first (the page's revision is stale).

Screenshots: screenshots/autosave-*.png."""

from __future__ import annotations

import gc
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.test import Client

from campuseval.applications import services
from campuseval.applications.models import Application, Evidence

from ..web.appworld import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLE = Application._meta.db_table
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def ddl(*statements: str) -> None:
    """Run schema statements; the in-memory SQLite database answers "table is locked" at once
    while a server thread reads or writes the table, so wait for it."""
    with connection.cursor() as c:
        for sql in statements:
            for _ in range(200):
                try:
                    c.execute(sql)
                    break
                except OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.05)
            else:
                raise AssertionError(f"the table stayed locked: {sql}")


@contextmanager
def database_refuses_writes() -> Iterator[None]:
    """Every UPDATE of an application fails in the database itself until the block ends."""
    if connection.vendor == "sqlite":
        ddl(f"CREATE TRIGGER ce_refuse BEFORE UPDATE ON {TABLE} BEGIN SELECT RAISE(ABORT, 'writes refused'); END")
    else:
        ddl(
            "CREATE FUNCTION ce_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'writes refused'; END $$",
            f"CREATE TRIGGER ce_refuse BEFORE UPDATE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION ce_refuse()",
        )
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            ddl("DROP TRIGGER ce_refuse")
        else:
            ddl(f"DROP TRIGGER ce_refuse ON {TABLE}", "DROP FUNCTION ce_refuse()")


def _sleep_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("ce_sleep", 1, time.sleep)


@contextmanager
def database_is_slow(seconds: float) -> Iterator[None]:
    """Every UPDATE of an application waits `seconds` in the database until the block ends."""
    if connection.vendor == "sqlite":
        # every connection to the in-memory test database (this thread's and the live server's
        # request threads', open or opened later) gets the sleep function the trigger calls
        connection.ensure_connection()
        for raw in gc.get_objects():
            if type(raw) is sqlite3.Connection:  # type(), not isinstance(): lazy objects stay unevaluated
                raw.create_function("ce_sleep", 1, time.sleep)
        connection_created.connect(_sleep_function)
        ddl(f"CREATE TRIGGER ce_slow BEFORE UPDATE ON {TABLE} BEGIN SELECT ce_sleep({seconds}); END")
    else:
        ddl(
            "CREATE FUNCTION ce_slow() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN PERFORM pg_sleep({seconds}); RETURN NEW; END $$",
            f"CREATE TRIGGER ce_slow BEFORE UPDATE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION ce_slow()",
        )
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            ddl("DROP TRIGGER ce_slow")
            connection_created.disconnect(_sleep_function)
        else:
            ddl(f"DROP TRIGGER ce_slow ON {TABLE}", "DROP FUNCTION ce_slow()")


@pytest.fixture
def school(live_server: Any, page: Any) -> dict[str, Any]:
    """The applicant signed in with a started application; dialogs (the leave warning) noted."""
    w = build_world()
    application = services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)
    client = Client()
    client.force_login(w.users["school_officer"])
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    base = f"{live_server.url}/applications/{application.pk}"
    return {"app": application, "base": base, "dialogs": dialogs, "world": w}


def stored_narrative(application: Application, code: str) -> str:
    application.refresh_from_db()
    return application.narratives.get(code, "")


def status(page: Any) -> Any:
    return page.locator("#save-status")


def wait_saved(page: Any, timeout: float = 15000) -> None:
    status(page).locator(".ok", has_text="已自动保存").wait_for(timeout=timeout)


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"autosave-{name}.png"), full_page=True)


def test_server_error_says_unsaved_keeps_the_text_over_a_reload_and_retries(
    page: Any, school: dict[str, Any], shots: Path
) -> None:
    app = school["app"]
    page.goto(f"{school['base']}/indicator/1.2/")
    with database_refuses_writes():
        page.fill("#narrative", "制度汇编已印发全体教师")
        failed = status(page).locator(".err", has_text="服务器出错，未保存，正在重试")
        failed.wait_for(timeout=10000)
        assert "已自动保存" not in status(page).inner_text()
        shot(page, shots, "01-server-error")
        assert stored_narrative(app, "1.2") == ""
        # what was typed survives a reload while the server still fails
        page.reload()
        page.get_by_text("恢复了未保存的内容").wait_for(timeout=5000)
        assert page.input_value("#narrative") == "制度汇编已印发全体教师"
        failed.wait_for(timeout=10000)
        shot(page, shots, "02-restored")
    # the server accepts writes again: the retry saves it
    wait_saved(page, timeout=40000)
    assert stored_narrative(app, "1.2") == "制度汇编已印发全体教师"
    page.reload()
    assert page.input_value("#narrative") == "制度汇编已印发全体教师"
    assert page.get_by_text("恢复了未保存的内容").count() == 0
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('campuseval.autosave')).length") == 0


def test_offline_says_unsaved_and_saves_when_back_online(page: Any, school: dict[str, Any]) -> None:
    app = school["app"]
    page.goto(f"{school['base']}/")
    page.context.set_offline(True)
    try:
        page.fill("#f_teachers", "55")
        status(page).locator(".err", has_text="网络连接中断，未保存").wait_for(timeout=10000)
        app.refresh_from_db()
        assert "teachers" not in app.form_data
    finally:
        page.context.set_offline(False)
    wait_saved(page, timeout=40000)
    app.refresh_from_db()
    assert app.form_data["teachers"] == 55


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="a slowed write on SQLite's shared in-memory test database can deadlock the live server's "
    "threads with the test's own connection; the same path runs against PostgreSQL",
)
def test_timeout_says_unsaved_then_finds_the_late_save(page: Any, school: dict[str, Any]) -> None:
    app = school["app"]
    page.goto(f"{school['base']}/indicator/1.2/")
    page.evaluate("() => { htmx.config.timeout = 1000; }")
    with database_is_slow(3):
        page.fill("#narrative", "慢也要保存")
        status(page).locator(".err", has_text="服务器响应超时，未保存").wait_for(timeout=10000)
        time.sleep(3)  # the server's late save lands
    wait_saved(page, timeout=40000)
    assert stored_narrative(app, "1.2") == "慢也要保存"
    # no false conflict: the page went on with the server's revision
    assert page.locator("#conflict").inner_text().strip() == ""
    page.fill("#narrative", "慢也要保存，再改一次")
    page.locator("#save-status .ok").wait_for(state="detached", timeout=5000)
    wait_saved(page)
    assert stored_narrative(app, "1.2") == "慢也要保存，再改一次"


def test_refused_request_4xx_says_why_and_the_text_survives(page: Any, school: dict[str, Any], shots: Path) -> None:
    app = school["app"]
    page.goto(f"{school['base']}/indicator/1.2/")
    page.context.clear_cookies(name="csrftoken")
    page.fill("#narrative", "安全校验失败也不丢")
    status(page).locator(".err", has_text="未保存").wait_for(timeout=10000)
    assert "403" in status(page).inner_text()
    shot(page, shots, "03-refused")
    assert stored_narrative(app, "1.2") == ""
    page.reload()  # a fresh page gets a fresh CSRF cookie
    page.get_by_text("恢复了未保存的内容").wait_for(timeout=5000)
    wait_saved(page, timeout=20000)
    assert stored_narrative(app, "1.2") == "安全校验失败也不丢"


def test_text_typed_just_before_next_or_upload_is_saved_first(page: Any, school: dict[str, Any]) -> None:
    app = school["app"]
    page.goto(f"{school['base']}/indicator/1.2/")
    page.fill("#narrative", "刚输入就点下一项")
    page.get_by_role("link", name="→").click()
    page.wait_for_url("**/indicator/1.3/")
    assert stored_narrative(app, "1.2") == "刚输入就点下一项"

    page.fill("#narrative", "刚输入就上传")
    page.set_input_files("input[type=file]", files=[{"name": "合同.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="上传").click()
    page.locator("#evidence", has_text="合同.pdf").wait_for(timeout=10000)
    assert stored_narrative(app, "1.3") == "刚输入就上传"
    assert Evidence.objects.filter(application=app, indicator_code="1.3").count() == 1
    assert page.input_value("#narrative") == "刚输入就上传"
    assert school["dialogs"] == []


def test_leaving_while_the_save_fails_is_blocked_and_warned(page: Any, school: dict[str, Any], shots: Path) -> None:
    app = school["app"]
    page.goto(f"{school['base']}/indicator/1.2/")
    with database_refuses_writes():
        page.fill("#narrative", "离开前必须保存")
        page.get_by_role("link", name="→").click()
        page.get_by_text("内容尚未保存，暂不能离开本页").wait_for(timeout=10000)
        assert page.url.endswith("/indicator/1.2/")
        shot(page, shots, "04-blocked")
        # leaving another way (reload, closing, typing an address) warns first
        page.reload()
        assert "beforeunload" in school["dialogs"]
    assert page.input_value("#narrative") == "离开前必须保存"
    wait_saved(page, timeout=40000)
    assert stored_narrative(app, "1.2") == "离开前必须保存"


def test_another_window_saved_first_keeps_this_windows_text(page: Any, school: dict[str, Any], shots: Path) -> None:
    app = school["app"]
    other = page.context.new_page()
    page.goto(f"{school['base']}/indicator/1.2/")
    other.goto(f"{school['base']}/indicator/1.2/")
    other.fill("#narrative", "另一个窗口写的")
    wait_saved(other)
    page.fill("#narrative", "这个窗口写的")
    status(page).locator(".err", has_text="另一个窗口").wait_for(timeout=10000)
    assert page.input_value("#narrative") == "这个窗口写的"
    assert "另一个窗口写的" in page.locator("#conflict").inner_text()
    shot(page, shots, "05-conflict")
    assert stored_narrative(app, "1.2") == "另一个窗口写的"
    page.reload()
    page.get_by_text("恢复了未保存的内容").wait_for(timeout=5000)
    assert page.input_value("#narrative") == "这个窗口写的"
    page.get_by_role("button", name="以我填写的为准保存").click()
    wait_saved(page)
    assert stored_narrative(app, "1.2") == "这个窗口写的"


def test_the_tree_shows_the_saved_indicators_new_points(page: Any, school: dict[str, Any], shots: Path) -> None:
    """The autosave answer carries only the tree links that moved; they replace their old
    selves in place, and the rest of the tree stays as it was."""
    page.goto(f"{school['base']}/indicator/1.3/")
    links = page.locator("#tree a[id^='tl-']")
    before = links.count()
    page.select_option("[name='in_platform']", "租用")
    wait_saved(page)
    link = page.locator("#tree a[data-code='1.3']")
    link.filter(has_text="✓").wait_for(timeout=5000)
    assert "2/" in link.inner_text() and "on" in (link.get_attribute("class") or "")
    assert links.count() == before and page.locator("[id='tl-0']").count() == 1
    assert "未答" in page.locator("#tree a[data-code='1.2']").inner_text()
    shot(page, shots, "tree-moved")
