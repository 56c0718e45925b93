"""Evaluations without ceremony: the organizer chooses an evaluation's review steps (a county
list, a public notice, the site visit's weight) when opening it, and an annual summary runs
without a one-row recommendation list. The selection's application follows the cycle: 已授牌
when the project is awarded, 终止 when it is terminated."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.accounts.models import Role
from campuseval.applications import services as applications
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.campaigns import services as campaigns
from campuseval.campaigns.models import Campaign
from campuseval.cultivation import services
from campuseval.cultivation.models import Evaluation, Project
from campuseval.reviews import queries
from campuseval.reviews import services as reviews
from campuseval.reviews.models import Panel, RecommendationList, ReviewSettings
from tests.reviews.conftest import expert, sheet, user
from tests.web.appworld import FULL_FORM

from .conftest import Clock, act
from .test_cycle import evaluation, setup, start  # noqa: F401 - the district/school world of the cycle test
from .test_evaluation_campaign import pdf, selected

pytestmark = pytest.mark.django_db


def client(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def test_the_open_form_offers_the_steps_defaulting_by_kind(world: dict, clock: Clock) -> None:
    project = selected(world, clock)
    services.accept_plan(actor=world["organizer"], project=project, plan=pdf())
    page = client(world["organizer"]).get(reverse("cultivation:detail", args=[project.pk])).content.decode()
    assert "本次评估的评审环节" in page and "需要县级推荐名单" in page and "需要公示" in page
    county_box = page[page.index('id="county-list"') - 80 : page.index('id="county-list"') + 80]
    assert 'name="county_list"' in county_box and "checked" not in county_box  # an annual summary: no list
    assert (
        'id="site-weight" name="site_weight" inputmode="decimal" class="form-control form-control-sm" value="0"' in page
    )


def test_an_annual_summary_without_list_or_notice(world: dict, clock: Clock) -> None:
    project = selected(world, clock)
    org, school = world["organizer"], world["schools"][0]
    head = user("head_x0", school, Role.HEAD)
    ReviewSettings.objects.create(
        campaign=world["campaign"],
        method=ReviewSettings.Method.TRIMMED,
        site_weight=D("0.3"),
        experts_per_application=2,
    )
    services.accept_plan(actor=org, project=project, plan=pdf())
    annual = project.evaluations.get(kind=Evaluation.Kind.ANNUAL, sequence=1)
    url = reverse("cultivation:detail", args=[project.pk])
    response = client(org).post(
        act(url, "open"), {"evaluation": annual.pk, "deadline": "2025-01-01", "site_weight": ""}, follow=True
    )
    page = response.content.decode()
    assert "县级初审通过即进入专家评审（不建推荐名单），不公示，不计实地考察" in page
    assert '<p class="small text-body-secondary" id="pending-steps">评审环节：县级初审通过即进入专家评审' in page
    annual.refresh_from_db()
    campaign = annual.campaign
    conf = ReviewSettings.objects.get(campaign=campaign)
    assert (conf.county_list, conf.publicity, conf.site_weight) == (False, False, D(0))
    assert (conf.method, conf.experts_per_application) == ("trimmed_mean", 2)  # the experts' method is kept
    entry = AuditEntry.objects.get(action="cultivation.evaluation_open")
    assert entry.after["county_list"] is False and entry.after["publicity"] is False
    assert entry.after["site_weight"] == "0"

    app = Application.objects.get(campaign=campaign, unit=school)
    applications.save_form(actor=head, application=app, revision=app.revision, data=FULL_FORM)
    app.refresh_from_db()
    applications.submit_application(actor=head, application=app, promise_confirmed=True)
    clock.set(dt.date(2025, 1, 6))
    campaigns.advance_campaign(actor=org, campaign=campaign)
    reviews.decide_county_review(actor=world["reviewer"], application=app, decision="accepted", opinion="按方案推进")
    assert list(queries.finalists(campaign)) == [app]  # no list to build or confirm
    assert not RecommendationList.objects.filter(campaign=campaign).exists()
    campaigns.advance_campaign(actor=org, campaign=Campaign.objects.get(pk=campaign.pk))
    panel = Panel.objects.create(campaign=campaign, name="年度评估组")
    panel.members.set([expert("e1", world["y"]), expert("e2", world["y"])])
    outcome = reviews.auto_assign(actor=org, panel=panel)
    assert outcome.made == 2
    for a in panel.assignments.all():
        sheet(world, a, 600, True)
    [result] = reviews.compute_results(actor=org, campaign=campaign)
    assert result.final == D(10) and "实地考察" not in result.method  # no site weight inherited
    decided = services.conclude_evaluation(actor=org, evaluation=annual, outcome="continue")
    assert decided.outcome == "continue"


def test_the_steps_refuse_a_bad_weight(world: dict, clock: Clock) -> None:
    project = selected(world, clock)
    org = world["organizer"]
    services.accept_plan(actor=org, project=project, plan=pdf())
    annual = project.evaluations.get(kind=Evaluation.Kind.ANNUAL, sequence=1)
    url = reverse("cultivation:detail", args=[project.pk])
    page = client(org).post(
        act(url, "open"), {"evaluation": annual.pk, "deadline": "2025-01-01", "site_weight": "30", "county_list": "on"}
    )
    text = page.content.decode()
    assert page.status_code == 400 and "实地考察/答辩权重：应在 0 到 1 之间（如 0.3 表示 30%）" in text
    assert 'value="30"' in text
    box = text[text.index('id="county-list"') - 80 : text.index('id="county-list"') + 80]
    assert "checked" in box  # what was ticked stays ticked
    annual.refresh_from_db()
    assert annual.campaign_id is None


def test_award_and_termination_reach_the_application(setup: dict) -> None:  # noqa: F811
    p = start(setup)
    org = setup["organizer"]
    services.terminate_project(actor=org, project=p["S3"], reason="以信息化建设名义乱收费")
    s3 = p["S3"].application
    s3.refresh_from_db()
    assert s3.status == Application.Status.TERMINATED and s3.get_status_display() == "终止"
    entry = AuditEntry.objects.get(action="application.status", object_id=str(s3.pk))
    assert (entry.before, entry.after) == ({"status": "recommended"}, {"status": "terminated"})

    services.record_evaluation(
        actor=org, evaluation=evaluation(p["S1"], "final"), indicators={"C1": D(88), "C38": D(16)}
    )
    s1 = p["S1"].application
    s1.refresh_from_db()
    assert s1.status == Application.Status.AWARDED and s1.get_status_display() == "已授牌"

    services.record_evaluation(
        actor=org,
        evaluation=evaluation(p["D2"], "annual"),
        indicators={"C1": D(50)},
        outcome="terminate",
        notes="建设严重滞后",
    )
    assert Project.objects.get(pk=p["D2"].pk).status == Project.Status.TERMINATED
    d2 = p["D2"].application
    d2.refresh_from_db()
    assert d2.status == Application.Status.TERMINATED
    d1 = p["D1"].application
    d1.refresh_from_db()
    assert d1.status == "recommended"  # continuing projects leave the application as it was
