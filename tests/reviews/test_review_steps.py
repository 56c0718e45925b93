"""The organizer is told what happened: the trimmed mean's fallback in the settings form and on
the result, how many tasks an automatic assignment made (or why none), and which
applications reach expert review when a campaign has no county list."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.reviews import queries, services
from campuseval.reviews.models import Assignment, Panel, ReviewSettings

from .conftest import accept_all, expert, recommended, sheet


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def messages_of(response: object) -> list[str]:
    """The messages the desk shows after the action (the client follows the redirect)."""
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def test_the_settings_form_says_the_trimmed_mean_needs_five_experts(world: dict) -> None:
    page = client_for(world["organizer"]).get(reverse("reviews:organizer", args=[world["campaign"].pk]))
    assert "不足 5 位专家时按算术平均" in page.content.decode()


def test_the_result_says_the_trimmed_mean_fell_back_to_the_mean(world: dict) -> None:
    apps = recommended(world)
    ReviewSettings.objects.create(campaign=world["campaign"], method=ReviewSettings.Method.TRIMMED)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    panel.members.set([expert(f"e{i}", world["y"]) for i in range(3)])
    services.auto_assign(actor=world["organizer"], panel=panel, per_application=3)
    for a in Assignment.objects.filter(application__in=apps):
        sheet(world, a, 600, True)
    services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    result = world["campaign"].results.get(application=apps[0])
    assert "去掉最高最低分后平均（本项仅 3 位专家，按算术平均）" in result.method


def test_auto_assign_says_how_many_it_made(world: dict) -> None:
    recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    panel.members.set([expert("e1", world["y"]), expert("e2", world["y"])])
    ReviewSettings.objects.create(campaign=world["campaign"], experts_per_application=2)
    org = client_for(world["organizer"])
    url = reverse("reviews:auto_assign", args=[world["campaign"].pk])
    response = org.post(url, {"panel": panel.pk}, follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert "已自动分配 6 项评审任务（3 份申报，每份 2 位专家）" in messages_of(response)
    assert Assignment.objects.filter(panel=panel).count() == 6
    again = messages_of(org.post(url, {"panel": panel.pk}, follow=True))
    assert "未分配任何评审任务：每份申报已有 2 位专家" in again and not any(m.startswith("已自动分配") for m in again)
    entry = AuditEntry.objects.filter(action="assignment.auto").order_by("-pk").first()
    assert entry is not None and "新增 0 项任务" in entry.summary and "每份申报已有 2 位专家" in entry.summary


def test_auto_assign_says_why_it_made_none(world: dict) -> None:
    org = client_for(world["organizer"])
    url = reverse("reviews:auto_assign", args=[world["campaign"].pk])
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    assert "未分配任何评审任务：尚无进入专家评审的申报" in messages_of(org.post(url, {"panel": panel.pk}, follow=True))
    recommended(world)
    assert "未分配任何评审任务：专家组「材料组」没有在库的成员，请先调整成员" in messages_of(
        org.post(url, {"panel": panel.pk}, follow=True)
    )
    panel.members.set([expert("e_x", world["schools"][3], region=world["x"])])  # same county as every finalist
    said = messages_of(org.post(url, {"panel": panel.pk}, follow=True))
    assert "未分配任何评审任务：专家组成员与尚缺专家的申报均需回避" in said
    assert any("可分配专家不足" in m for m in said)
    assert not Assignment.objects.exists()


def test_without_a_county_list_the_accepted_applications_are_the_finalists(world: dict) -> None:
    campaign = world["campaign"]
    first, *rest = world["apps"]
    services.decide_county_review(actor=world["reviewer"], application=first, decision="returned", reason="补充材料")
    for app in rest:
        services.decide_county_review(actor=world["reviewer"], application=app, decision="accepted", opinion="同意")
    assert list(queries.finalists(campaign)) == []  # the county list is not confirmed
    ReviewSettings.objects.create(campaign=campaign, county_list=False)
    assert set(queries.finalists(campaign)) == set(rest)
    rest[0].status = Application.Status.SELECTED
    rest[0].save()
    assert set(queries.finalists(campaign)) == set(rest)


def test_selected_and_later_statuses_stay_finalists(world: dict) -> None:
    apps = recommended(world)
    for app, status in zip(apps, ["selected", "not_selected", "awarded"], strict=True):
        app.status = status
        app.save()
    assert set(queries.finalists(world["campaign"])) == set(apps)


def test_without_a_county_list_the_county_is_not_asked_for_one(world: dict) -> None:
    ReviewSettings.objects.create(campaign=world["campaign"], county_list=False)
    accept_all(world)
    page = client_for(world["reviewer"]).get(reverse("reviews:county_list")).content.decode()
    assert "审核" in page and reverse("reviews:recommend", args=[world["campaign"].pk]) not in page
    with pytest.raises(ValidationError, match="本活动不设县级推荐名单"):
        services.recommend_applications(
            actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=world["apps"][:1]
        )
    assert set(queries.finalists(world["campaign"])) == set(world["apps"])
