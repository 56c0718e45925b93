"""The head's home page (学校负责人) lists what waits for them: applications of their school
returned to be corrected, asked for by the officer, or complete and ready to confirm and submit,
each linking to where it is done; nothing of another school, nothing already submitted or
closed; a fixed number of queries however many applications."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import Role
from campuseval.applications import services
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from tests.web.appworld import World, complete_application, make_user

HOME = "/"


def waiting(page: str) -> list[tuple[str, str]]:
    """(kind, link) of each row of the head's list, in order."""
    block = page.split('id="head-waiting"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-waiting="([a-z]+)" href="([^"]+)"', block)


def started(w: World) -> Application:
    return services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)


def test_only_heads_get_the_list_and_an_empty_one_says_so(w: World) -> None:
    started(w)  # a draft still being filled in waits for the officer, not the head
    page = w.client("school_head").get(HOME).content.decode()
    assert waiting(page) == []
    assert "目前没有等待您确认提交或修改的申报。" in page
    assert 'id="head-waiting"' not in w.client("school_officer").get(HOME).content.decode()
    assert 'id="head-waiting"' not in w.client("county_reviewer").get(HOME).content.decode()


def test_a_complete_application_waits_for_the_heads_confirmation(w: World) -> None:
    app = complete_application(w, started(w))
    page = w.client("school_head").get(HOME).content.decode()
    assert waiting(page) == [("ready", reverse("applications:submit", args=[app.pk]))]
    assert "已填完，待您确认提交" in page and "申报内容已填写完整，请核对后确认真实性承诺并提交。" in page
    assert w.campaign.name in page.split('id="head-waiting"', 1)[1].split("</section>", 1)[0]
    # once submitted it waits no more
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    assert waiting(w.client("school_head").get(HOME).content.decode()) == []


def test_the_officers_ask_is_listed_with_who_when_and_the_note(w: World) -> None:
    app = started(w)
    services.ask_head_to_submit(actor=w.users["school_officer"], application=app, note="材料已齐，请审阅")
    page = w.client("school_head").get(HOME).content.decode()
    assert waiting(page) == [("asked", reverse("applications:submit", args=[app.pk]))]
    assert "填报员请您确认提交" in page
    assert re.search(r"school_officer 于 \d{4}-\d\d-\d\d \d\d:\d\d 请您确认真实性承诺并提交：“材料已齐，请审阅”", page)
    assert "（尚有未完成的事项，见提交页）" in page


def test_a_returned_application_comes_first_with_its_reason_and_deadline(w: World) -> None:
    ready = complete_application(w, started(w))
    other = Campaign.objects.create(
        name="2025 智慧校园创建校", year=2025, organizer=w.city, applicants="schools",
        school_framework=w.record, as_of=dt.date(2025, 5, 30), status=Campaign.Status.OPEN,
    )  # fmt: skip
    other.stages.create(kind="apply", starts_at=w.stage.starts_at, deadline=w.stage.deadline)
    returned = services.start_application(actor=w.users["school_officer"], campaign=other, unit=w.school_a)
    deadline = timezone.now() + dt.timedelta(days=3)
    Application.objects.filter(pk=returned.pk).update(
        status=Application.Status.RETURNED, return_reason="佐证材料不全，请补充带宽合同", fix_deadline=deadline,
        returned_at=timezone.now(),
    )  # fmt: skip
    page = w.client("school_head").get(HOME).content.decode()
    assert waiting(page) == [
        ("returned", reverse("applications:form", args=[returned.pk])),
        ("ready", reverse("applications:submit", args=[ready.pk])),
    ]
    assert "已退回，待修改" in page and "退回理由：佐证材料不全，请补充带宽合同" in page
    days = -(-(deadline - timezone.now()).total_seconds() // 86400)
    assert f"补正截止 {timezone.localtime(deadline):%Y-%m-%d %H:%M}（剩余 {int(days)} 天）" in page


def test_another_schools_submitted_and_closed_applications_are_not_listed(w: World) -> None:
    head_b = make_user("head_b", w.school_b, Role.HEAD)
    theirs = Application.objects.create(campaign=w.campaign, unit=w.school_b, framework=w.record)
    complete = complete_application(w, started(w))
    Application.objects.filter(pk=theirs.pk).update(result=complete.result, form_data=complete.form_data)
    mine = waiting(w.client("school_head").get(HOME).content.decode())
    assert mine == [("ready", reverse("applications:submit", args=[complete.pk]))]
    client_b = Client()
    client_b.force_login(head_b)
    assert [link for _, link in waiting(client_b.get(HOME).content.decode())] == [
        reverse("applications:submit", args=[theirs.pk])
    ]
    # the apply stage closed: nothing can be submitted any more, nothing waits
    w.stage.deadline = timezone.now() - dt.timedelta(hours=1)
    w.stage.save()
    assert waiting(w.client("school_head").get(HOME).content.decode()) == []


def more_applications(w: World, template: Application, n: int) -> None:
    """n more campaigns, each with an application of the head's school: complete, asked for,
    or returned in turn."""
    for i in range(n):
        c = Campaign.objects.create(
            name=f"活动{i}", year=2024, organizer=w.city, applicants="schools", as_of=dt.date(2024, 5, 30),
            school_framework=w.record, status=Campaign.Status.OPEN,
        )  # fmt: skip
        c.stages.create(kind="apply", starts_at=w.stage.starts_at, deadline=w.stage.deadline)
        app = Application.objects.create(
            campaign=c, unit=w.school_a, framework=w.record, form_key=template.form_key,
            form_data=template.form_data, answers=template.answers, result=template.result,
            self_total=template.self_total,
        )  # fmt: skip
        if i % 3 == 1:
            services.ask_head_to_submit(actor=w.users["school_officer"], application=app, note=f"第{i}份")
        elif i % 3 == 2:
            Application.objects.filter(pk=app.pk).update(
                status=Application.Status.RETURNED, return_reason=f"理由{i}", returned_at=timezone.now(),
                fix_deadline=timezone.now() + dt.timedelta(days=i),
            )  # fmt: skip


@pytest.mark.parametrize("n", [9])
def test_the_heads_home_costs_the_same_queries_for_one_and_many_applications(
    w: World,
    n: int,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    app = complete_application(w, started(w))
    services.ask_head_to_submit(actor=w.users["school_officer"], application=app)
    client = w.client("school_head")
    client.get(HOME)  # warm the session
    with CaptureQueriesContext(connection) as one:
        page = client.get(HOME).content.decode()
    assert len(waiting(page)) == 1
    more_applications(w, app, n)
    with django_assert_num_queries(len(one)):
        page = client.get(HOME).content.decode()
    kinds = [kind for kind, _ in waiting(page)]
    assert len(kinds) == n + 1
    assert kinds[:3] == ["returned"] * 3 and kinds.count("asked") == 4 and kinds.count("ready") == 3


def test_a_returned_application_waits_for_the_correction_until_the_officer_asks(w: World) -> None:
    """Returned, it is still as complete as when it was submitted: the head is not told to
    resubmit it until the officer, having corrected it, asks."""
    app = complete_application(w, started(w))
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    services.return_application(actor=w.users["county_reviewer"], application=app, reason="请补充带宽合同")
    page = w.client("school_head").get(HOME).content.decode()
    assert waiting(page) == [("returned", reverse("applications:form", args=[app.pk]))]
    assert "申报内容已填写完整" not in page and "退回理由：请补充带宽合同" in page
    app.refresh_from_db()
    services.ask_head_to_submit(actor=w.users["school_officer"], application=app, note="合同已补")
    page = w.client("school_head").get(HOME).content.decode()
    assert waiting(page) == [("returned", reverse("applications:submit", args=[app.pk]))]
    assert "请您确认真实性承诺并提交：“合同已补”" in page
