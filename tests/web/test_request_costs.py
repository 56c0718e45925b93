"""What the busiest requests cost (issue 11, issue 13 item 6): the autosave and the indicator
page in an exact number of queries, and what is read with fewer queries still follows the
database (a stage date changed or a role taken away is seen by the very next request)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import Membership
from campuseval.applications import queries
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.campaigns import stages
from campuseval.campaigns.models import Stage

from .appworld import World

#: one autosave of an indicator: the session (in the database here; Redis in production), the
#: user with their roles (one statement: access.backends), the application with its campaign's
#: stages, then the conditional UPDATE and its audit row: on PostgreSQL one statement; on SQLite
#: two inside a savepoint (BEGIN … COMMIT outside the test's transaction)
SAVE_QUERIES = 7 if connection.vendor == "sqlite" else 4
#: the indicator page: session, user with their roles, the application with its stages, the
#: shell's memberships with the unread count, the indicator's evidence
INDICATOR_QUERIES = 5


def save(client: Any, app: Application, platform: str, **extra: Any) -> Any:
    app.refresh_from_db()
    url = reverse("applications:indicator", args=[app.pk, "1.3"])
    return client.post(url, {"revision": app.revision, "in_platform": platform}, HTTP_HX_REQUEST="true", **extra)


def test_autosave_costs_a_fixed_number_of_queries(w: World, app: Application, django_assert_num_queries: Any) -> None:
    client = w.client("school_officer")
    assert "已自动保存" in save(client, app, "自建").content.decode()  # warm: session, framework
    app.refresh_from_db()
    with django_assert_num_queries(SAVE_QUERIES):
        response = client.post(
            reverse("applications:indicator", args=[app.pk, "1.3"]),
            {"revision": app.revision, "in_platform": "租用"},
            HTTP_HX_REQUEST="true",
        )
    assert "已自动保存" in response.content.decode()
    app.refresh_from_db()
    assert app.answers["answers"]["1.3"] == {"platform": "租用"}
    assert AuditEntry.objects.filter(action="application.save_indicator", object_id=str(app.pk)).count() == 2


def test_indicator_page_costs_a_fixed_number_of_queries(
    w: World, app: Application, django_assert_num_queries: Any
) -> None:
    client = w.client("school_officer")
    url = reverse("applications:indicator", args=[app.pk, "1.3"])
    assert client.get(url).status_code == 200
    with django_assert_num_queries(INDICATOR_QUERIES):
        page = client.get(url).content.decode()
    assert "平台情况" in page


def test_stages_read_with_the_application_are_the_stored_ones(
    w: World, app: Application, django_assert_num_queries: Any
) -> None:
    county = Stage.objects.create(
        campaign=w.campaign,
        kind=Stage.Kind.COUNTY_REVIEW,
        starts_at=w.stage.deadline + dt.timedelta(days=1),
        deadline=w.stage.deadline + dt.timedelta(days=5),
    )
    read = queries.visible_application(w.users["school_officer"], app.pk)
    assert read is not None
    with django_assert_num_queries(0):
        got = [(s.pk, s.kind, s.starts_at, s.deadline) for s in stages.stages_of(read.campaign)]
    assert got == [(s.pk, s.kind, s.starts_at, s.deadline) for s in (w.stage, county)]
    assert all(timezone.is_aware(s.starts_at) for s in stages.stages_of(read.campaign))


def test_a_closed_stage_is_seen_by_the_next_save(w: World, app: Application) -> None:
    """The stage dates are read with the application on every request, never kept between
    requests: the organizer closes the apply stage and the next autosave is refused."""
    client = w.client("school_officer")
    assert "已自动保存" in save(client, app, "自建").content.decode()
    w.stage.deadline = timezone.now() - dt.timedelta(minutes=1)
    w.stage.save()
    page = save(client, app, "租用").content.decode()
    assert "已自动保存" not in page and "截止" in page
    app.refresh_from_db()
    assert app.answers["answers"]["1.3"] == {"platform": "自建"}
    w.stage.deadline = timezone.now() + dt.timedelta(days=1)
    w.stage.save()
    assert "已自动保存" in save(client, app, "租用").content.decode()


def test_a_removed_role_is_seen_by_the_next_request(w: World, app: Application) -> None:
    client = w.client("school_officer")
    url = reverse("applications:indicator", args=[app.pk, "1.3"])
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=w.users["school_officer"]).delete()
    assert client.get(url).status_code == 404
    assert save(client, app, "租用").status_code == 404
    app.refresh_from_db()
    assert "1.3" not in (app.answers.get("answers") or {})


def _application_updates(client: Any, app: Application, fields: dict[str, str]) -> tuple[str, list[str]]:
    """An autosave of 1.3 with `fields`: its answer and the application UPDATE statements it sent."""
    app.refresh_from_db()
    url = reverse("applications:indicator", args=[app.pk, "1.3"])
    with CaptureQueriesContext(connection) as captured:
        page = client.post(url, {"revision": app.revision, **fields}, HTTP_HX_REQUEST="true").content.decode()
    table = Application._meta.db_table
    return page, [q["sql"] for q in captured.captured_queries if f'UPDATE "{table}"' in q["sql"]]


def test_a_save_that_leaves_the_scores_as_they_were_does_not_rewrite_them(w: World, app: Application) -> None:
    """Typing the narrative changes no score: the UPDATE leaves the 18 KB result and the other
    answers alone, and writes the narrative with a new revision. A changed answer writes the
    new scores."""
    client = w.client("school_officer")
    assert "已自动保存" in save(client, app, "自建").content.decode()
    app.refresh_from_db()
    result, total, revision = app.result, app.self_total, app.revision

    page, updates = _application_updates(client, app, {"in_platform": "自建", "narrative": "自建平台，已运行三年"})
    assert "已自动保存" in page
    assert len(updates) == 1
    assert '"narratives" =' in updates[0] and '"revision" =' in updates[0]
    assert '"result" =' not in updates[0] and '"answers" =' not in updates[0] and '"self_total" =' not in updates[0]
    app.refresh_from_db()
    assert app.narratives["1.3"] == "自建平台，已运行三年" and app.revision == revision + 1
    assert app.result == result and app.self_total == total

    page, updates = _application_updates(client, app, {"in_platform": "无"})
    assert "已自动保存" in page and len(updates) == 1
    assert '"result" =' in updates[0] and '"answers" =' in updates[0] and '"self_total" =' in updates[0]
    app.refresh_from_db()
    assert app.answers["answers"]["1.3"] == {"platform": "无"}
    assert app.self_total == total - 4 and app.result["indicators"]["1.3"]["points"] == "0"


def test_the_autosave_read_brings_what_the_full_read_does(
    w: World, app: Application, django_assert_num_queries: Any
) -> None:
    """`application_to_save` folds the campaign, unit and framework record into one JSON column
    (`SAVE_RELATED`): each value is the stored one with its type, read in one statement; the
    columns it leaves out are still read when asked for; and it is scoped as every read is."""
    full = queries.visible_application(w.users["school_officer"], app.pk)
    assert full is not None
    with django_assert_num_queries(1):
        lean = queries.application_to_save(w.users["school_officer"], app.pk)
        assert lean is not None
        for name, model, fields in queries.SAVE_RELATED:
            assert {f.attname for f in model._meta.concrete_fields} >= set(fields), name
            mine, stored = getattr(lean, name), getattr(full, name)
            assert type(mine) is model and mine.pk == stored.pk and not mine._state.adding
            for f in fields:
                assert getattr(mine, f) == getattr(stored, f) and type(getattr(mine, f)) is type(getattr(stored, f)), f
        assert [s.kind for s in stages.stages_of(lean.campaign)] == [s.kind for s in stages.stages_of(full.campaign)]
        assert lean.answers == full.answers and lean.result == full.result
    assert lean.campaign.as_of is not None and lean.campaign.name == full.campaign.name  # read when asked
    assert lean.unit.code == full.unit.code and lean.framework.title == full.framework.title
    assert queries.application_to_save(w.users["outsider"], app.pk) is None


pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TOAST compression is PostgreSQL's")
def test_the_large_json_columns_are_compressed_with_lz4() -> None:
    """pglz costs half of an autosave's UPDATE; the migrations set lz4 where the server has it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        (methods,) = cursor.fetchone()
        if "lz4" not in methods:
            pytest.skip("this PostgreSQL is built without lz4: the migration leaves pglz")
        cursor.execute(
            "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE (c.relname, a.attname) IN (('applications_application', 'answers'), "
            "('applications_application', 'result'), ('applications_application', 'form_data'), "
            "('applications_application', 'narratives'), ('audit_auditentry', 'before'), ('audit_auditentry', 'after'))"
        )
        found = {(table, column): method for table, column, method in cursor.fetchall()}
    assert len(found) == 6
    assert set(found.values()) == {"l"}, found
