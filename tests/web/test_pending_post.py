"""A save posted after the session expired: a small draft is kept in the session and saved
after sign-in; a large one is not stored at all (anyone can post without signing in, so the
session row must not grow with what is posted) and the page says it must be re-entered.
Random text is used because Django compresses session data: repeated text would hide the size."""

from __future__ import annotations

import json
import random
import secrets

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from campuseval.applications.models import Application
from campuseval.applications.views import PENDING

from .appworld import PASSWORD, World

ROW_OVERHEAD = 2 * 1024  # a session row with the note only (no draft) stays under this


def random_chinese(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))


def session_sizes() -> list[int]:
    return [len(s.session_data) for s in Session.objects.all()]


def sign_in(c: Client, next_url: str) -> str:
    """Through the real sign-in page, which keeps the session's data; the page it leads to."""
    response = c.post(
        reverse("accounts:login") + f"?next={next_url}", {"username": "school_officer", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == next_url, response
    return c.get(next_url).content.decode()


def test_a_small_draft_is_kept_and_saved_after_sign_in(w: World, app: Application) -> None:
    url = reverse("applications:indicator", args=[app.pk, "1.3"])
    narrative = random_chinese(3000, seed=1)
    c = Client()
    response = c.post(url, {"revision": str(app.revision), "in_platform": "租用", "narrative": narrative})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    [size] = session_sizes()
    assert 3000 < size < 64 * 1024 * 4 // 3 + ROW_OVERHEAD
    page = sign_in(c, url)
    app.refresh_from_db()
    assert app.narratives == {"1.3": narrative} and app.answers["answers"]["1.3"] == {"platform": "租用"}
    assert "未能保留" not in page
    assert PENDING not in Session.objects.get().get_decoded()


def test_a_large_post_is_not_stored_and_the_user_is_told(w: World, app: Application) -> None:
    url = reverse("applications:indicator", args=[app.pk, "1.3"])
    revision = app.revision
    c = Client()
    # 1 MB of random text: under the request limit, far over the draft limit
    response = c.post(url, {"revision": str(app.revision), "narrative": secrets.token_urlsafe(768 * 1024)})
    assert response.status_code == 302
    assert max(session_sizes()) < ROW_OVERHEAD
    note = Session.objects.get().get_decoded()[PENDING]
    assert note == {"path": url, "dropped": pytest.approx(1024 * 1024, rel=0.01)}
    page = sign_in(c, url)
    assert "登录已过期，刚才未保存的内容较多，服务器未能保留，请重新填写后保存" in page
    app.refresh_from_db()
    assert app.narratives == {} and app.revision == revision
    # told once
    assert "未能保留" not in c.get(url).content.decode()


@pytest.mark.parametrize("megabytes", [9])
def test_a_huge_post_is_refused_before_any_view_and_stores_nothing(w: World, app: Application, megabytes: int) -> None:
    url = reverse("applications:form", args=[app.pk])
    c = Client()
    for _ in range(3):
        response = c.post(url, {"revision": "0", "contact_name": secrets.token_urlsafe(megabytes * 768 * 1024)})
        assert response.status_code == 400
    assert max(session_sizes(), default=0) < ROW_OVERHEAD


def test_a_draft_at_the_limit_is_kept_one_byte_over_it_is_not(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PENDING_POST_MAX_BYTES = 4096
    url = reverse("applications:choices", args=[app.pk])
    overhead = len(json.dumps({"revision": ["0"], "x": [""]}))
    for length, kept in [(4096, True), (4097, False)]:
        Session.objects.all().delete()
        c = Client()
        c.post(url, {"revision": "0", "x": "a" * (length - overhead)})
        stored = Session.objects.get().get_decoded()[PENDING]
        assert ("data" in stored) is kept, (length, stored)


def test_posts_to_pages_that_replay_nothing_are_not_stored(w: World, app: Application) -> None:
    c = Client()
    for url in (
        reverse("applications:evidence_upload", args=[app.pk]),
        reverse("applications:submit", args=[app.pk]),
        reverse("applications:mine"),
    ):
        response = c.post(url, {"promise": "yes", "campaign": str(w.campaign.pk), "x": secrets.token_urlsafe(4096)})
        assert response.status_code == 302
    assert not Session.objects.exists()
