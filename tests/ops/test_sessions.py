"""A signed-in GET does not write the session; the 8-hour inactivity expiry still slides."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.accounts.models import Role
from campuseval.shell.middleware import REFRESHED_KEY
from tests import factories as f

pytestmark = pytest.mark.django_db


def session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


@pytest.fixture
def signed_in(client):  # type: ignore[no-untyped-def]
    city = f.UnitFactory.city()
    client.force_login(f.person("organizer-s", city, Role.ORGANIZER))
    client.get(reverse("shell:home"))  # the first page after signing in stamps the refresh time
    return client


def test_a_signed_in_get_does_not_write_the_session(signed_in, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert session_writes(queries) == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # nothing re-sent either


def test_the_expiry_slides_once_the_refresh_interval_has_passed(signed_in, settings) -> None:  # type: ignore[no-untyped-def]
    key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    session = signed_in.session
    session[REFRESHED_KEY] = int(time.time()) - settings.SESSION_REFRESH_SECONDS - 1
    session.save()
    before = Session.objects.get(session_key=key).expire_date
    time.sleep(1.1)  # the expiry is stored to the second
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(reverse("notifications:list"))
    assert len(session_writes(queries)) == 1
    after = Session.objects.get(session_key=key).expire_date
    assert after > before
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    # and the next request within the interval writes nothing again
    with CaptureQueriesContext(connection) as queries:
        signed_in.get(reverse("notifications:list"))
    assert session_writes(queries) == []


def test_an_idle_session_still_ends(signed_in, settings) -> None:  # type: ignore[no-untyped-def]
    """Past SESSION_COOKIE_AGE without a request the session is gone: the login page."""
    key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date="2000-01-01T00:00:00Z")
    response = signed_in.get(reverse("notifications:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
