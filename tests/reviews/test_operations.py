"""Automatic assignment and computing results as background operations: the organizer's POST
records an Operation and the worker runs it (the immediate task backend here, run when the
request's transaction commits); the operation's page polls its status until it is done or
failed and then shows the outcome; a second one while one is queued is refused; the page is
404 to anyone who is not an organizer of the campaign."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.accounts.models import Role
from campuseval.orgs.models import Unit
from campuseval.reviews import services, tasks
from campuseval.reviews.models import Assignment, Operation, Panel, Result, ReviewSettings

from .conftest import expert, recommended, sheet, user


@pytest.fixture(autouse=True)
def background(settings: Any) -> None:
    """Every campaign here goes to the worker (3 finalists ≥ 1), which runs at once."""
    settings.REVIEW_INLINE_FINALISTS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def material_panel(world: dict[str, Any], n: int = 2) -> Panel:
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    panel.members.set([expert(f"e{i}", world["y"]) for i in range(n)])
    ReviewSettings.objects.update_or_create(campaign=world["campaign"], defaults={"experts_per_application": n})
    return panel


def test_auto_assignment_runs_in_the_worker_and_its_page_shows_the_outcome(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    recommended(world)
    panel = material_panel(world)
    org = client_for(world["organizer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = org.post(reverse("reviews:auto_assign", args=[world["campaign"].pk]), {"panel": panel.pk})
    operation = Operation.objects.get(campaign=world["campaign"])
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:operation", args=[world["campaign"].pk, operation.pk])
    assert (operation.kind, operation.status, operation.rows_done, operation.rows_total) == (
        "auto_assign",
        "done",
        3,
        3,
    )
    assert operation.user == world["organizer"] and operation.task_id and operation.finished_at
    assert Assignment.objects.filter(panel=panel).count() == 6
    finished = operation.finished_at
    assert tasks.run_operation(operation.pk) == "done"  # a second run of the task does nothing
    operation.refresh_from_db()
    assert operation.finished_at == finished and Assignment.objects.filter(panel=panel).count() == 6
    page = org.get(response["Location"]).content.decode()
    assert "自动分配已交由后台执行，完成后本页显示结果" in page  # the message of the POST
    assert "已自动分配 6 项评审任务（3 份申报，每份 2 位专家）" in page and "已完成" in page
    assert "已处理 3/3 份申报" in page and "hx-trigger" not in page


def test_a_queued_operation_polls_and_a_second_request_is_refused(world: dict[str, Any]) -> None:
    recommended(world)
    panel = material_panel(world)
    org = client_for(world["organizer"])
    url = reverse("reviews:auto_assign", args=[world["campaign"].pk])
    org.post(url, {"panel": panel.pk})  # the transaction's callbacks are not run: it stays queued
    operation = Operation.objects.get()
    assert operation.status == "queued" and operation.rows_total == 3
    status = reverse("reviews:operation_status", args=[world["campaign"].pk, operation.pk])
    part = org.get(status).content.decode()
    assert "排队中" in part and 'hx-trigger="every 2s"' in part and f'hx-get="{status}"' in part
    again = org.post(url, {"panel": panel.pk})
    assert again.status_code == 200
    assert "本活动已有一项「自动分配专家」排队中，请等待完成后再操作" in again.content.decode()
    assert Operation.objects.count() == 1 and not Assignment.objects.exists()
    # the small-campaign path, within the request, is refused as well
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.conf.settings.REVIEW_INLINE_FINALISTS", 200, raising=False)
        inline = org.post(url, {"panel": panel.pk}, follow=True)
    assert "本活动已有一项「自动分配专家」排队中" in inline.content.decode() and not Assignment.objects.exists()
    # a computation is another kind: not refused by the pending assignment
    org.post(reverse("reviews:compute", args=[world["campaign"].pk]))
    assert Operation.objects.filter(kind="compute_results", status="queued").count() == 1


def test_a_failed_computation_says_why_in_chinese(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    recommended(world)
    org = client_for(world["organizer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = org.post(reverse("reviews:compute", args=[world["campaign"].pk]))
    operation = Operation.objects.get()
    assert operation.status == "failed" and "甲县第0小学：尚无专家提交评分" in operation.error
    page = org.get(response["Location"]).content.decode()
    assert "操作失败，未作任何更改：" in page and "甲县第0小学：尚无专家提交评分" in page and "hx-trigger" not in page
    assert not Result.objects.exists()


def test_computing_through_the_operation_gives_the_same_results_as_the_service(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    apps = recommended(world)
    panel = material_panel(world, 3)
    services.auto_assign(actor=world["organizer"], panel=panel)
    for assignment in Assignment.objects.select_related("expert__user", "application"):
        bw = {apps[0].pk: 600, apps[1].pk: 400, apps[2].pk: 100}[assignment.application_id]
        sheet(world, assignment, bw, True)
    org = client_for(world["organizer"])
    with django_capture_on_commit_callbacks(execute=True):
        org.post(reverse("reviews:compute", args=[world["campaign"].pk]))
    operation = Operation.objects.get(kind="compute_results")
    assert operation.status == "done" and operation.report["message"] == "评审结果已计算：3 份申报"

    def table() -> list[tuple[Any, ...]]:
        return list(
            Result.objects.order_by("application__unit__code").values_list(
                "application_id", "materials", "final", "rank", "selected", "level", "kind", "note", "status"
            )
        )

    by_operation = table()
    assert [(r[3], r[4], r[5]) for r in by_operation] == [(1, True, "优秀"), (2, True, "合格"), (3, False, "")]
    services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    assert table() == by_operation
    page = org.get(reverse("reviews:operation", args=[world["campaign"].pk, operation.pk])).content.decode()
    assert "评审结果已计算：3 份申报" in page


def test_the_operation_page_is_404_to_anyone_but_the_campaigns_organizers(world: dict[str, Any]) -> None:
    recommended(world)
    panel = material_panel(world)
    operation = Operation.objects.create(
        campaign=world["campaign"], user=world["organizer"], kind="auto_assign", params={"panel": panel.pk}
    )
    other_city = Unit.objects.create(code="C2", name="另一市", kind=Unit.Kind.CITY)
    other = user("organizer_c2", other_city, Role.ORGANIZER)
    for url in (
        reverse("reviews:operation", args=[world["campaign"].pk, operation.pk]),
        reverse("reviews:operation_status", args=[world["campaign"].pk, operation.pk]),
    ):
        assert client_for(other).get(url).status_code == 404
        assert client_for(world["reviewer"]).get(url).status_code == 404
        assert client_for(world["organizer"]).get(url).status_code == 200
    # the right operation under another campaign's address is no way round
    other_campaign = world["campaign"].__class__.objects.create(
        name="另一活动",
        year=2024,
        organizer=other_city,
        applicants="schools",
        school_framework=world["record"],
        as_of=world["campaign"].as_of,
    )
    url = reverse("reviews:operation", args=[other_campaign.pk, operation.pk])
    assert client_for(other).get(url).status_code == 404


def test_the_desk_lists_its_campaigns_operations_with_links(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """An organizer who left the progress page finds the operation again on the desk: kind,
    status and a link, the latest first; another campaign's operations are not listed."""
    recommended(world)
    panel = material_panel(world)
    org = client_for(world["organizer"])
    desk = reverse("reviews:organizer", args=[world["campaign"].pk])
    assert 'id="desk-operations"' not in org.get(desk).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        org.post(reverse("reviews:auto_assign", args=[world["campaign"].pk]), {"panel": panel.pk})
    org.post(reverse("reviews:compute", args=[world["campaign"].pk]))  # stays queued: callbacks not run
    done, queued = Operation.objects.order_by("pk")
    page = org.get(desk).content.decode()
    part = page[page.index('id="desk-operations"') :]
    part = part[: part.index("</ul>")]
    assert reverse("reviews:operation", args=[world["campaign"].pk, done.pk]) in part
    assert reverse("reviews:operation", args=[world["campaign"].pk, queued.pk]) in part
    assert part.index("计算评审结果") < part.index("自动分配专家")  # newest first
    assert "已完成" in part and "排队中" in part
