"""The home page: per role the right cards and navigation, the running campaigns of the user's
units, the unread notification count; a bounded number of queries however many rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.accounts.models import Membership
from campuseval.applications import services
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from campuseval.notifications.models import Notification
from campuseval.orgs.models import Unit
from tests.web.appworld import World

HOME = "/"

CARDS = {
    "school_officer": {"mine", "to-start", "submitted", "notifications"},
    "school_head": {"mine", "to-start", "submitted", "notifications"},
    "county_reviewer": {"county", "notifications"},
    "organizer": {"campaigns", "review", "cultivation", "imports", "notifications"},
    "expert": {"expert", "notifications"},
    "outsider": {"mine", "to-start", "submitted", "notifications"},
    "outsider_reviewer": {"county", "notifications"},
    "sysadmin": {"imports", "notifications"},
}
NAV = {
    "school_officer": ["首页", "我的申报"],
    "school_head": ["首页", "我的申报"],
    "county_reviewer": ["首页", "县级初审", "数据与报表"],
    "organizer": ["首页", "活动管理", "评审组织", "培育项目", "数据与报表"],
    "expert": ["首页", "我的评审"],
    "outsider": ["首页", "我的申报"],
    "outsider_reviewer": ["首页", "县级初审", "数据与报表"],
    "sysadmin": ["首页", "数据与报表"],
}


def cards(page: str) -> set[str]:
    return set(re.findall(r'data-card="([a-z-]+)"', page))


def nav(page: str) -> list[str]:
    block = page.split('id="ce-nav-links"', 1)[1].split("</ul>\n        <ul", 1)[0]
    return [t.strip() for t in re.findall(r'class="nav-link[^"]*"[^>]*>([^<]+)</a>', block)]


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get(HOME)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/"


@pytest.mark.parametrize("who", list(CARDS))
def test_cards_and_navigation_follow_the_role(w: World, who: str) -> None:
    page = w.client(who).get(HOME).content.decode()
    assert f"您好，{who}" in page
    assert cards(page) == CARDS[who]
    assert nav(page) == NAV[who]
    member = Membership.objects.select_related("unit").get(user=w.users[who])
    assert f"{member.get_role_display()} · {member.unit.name}" in page
    # the city-wide open campaign concerns everyone in the city
    assert w.campaign.name in page.split('id="home-campaigns"', 1)[1]


@pytest.mark.parametrize(
    ("who", "present", "absent"),
    [
        (
            "organizer",
            ["/reports/dashboards/", "/reports/exports/", "/orgs/", "/reviews/experts/", "/reviews/city/"],
            [],
        ),
        ("county_reviewer", ["/reports/dashboards/", "/reports/exports/"], ["/orgs/", "/reviews/experts/"]),
        ("school_officer", [], ["/reports/dashboards/", "/reports/exports/", "/orgs/"]),
    ],
)
def test_menus_lead_to_every_page_the_role_can_open(w: World, who: str, present: list[str], absent: list[str]) -> None:
    block = w.client(who).get(HOME).content.decode().split('id="ce-nav-links"', 1)[1].split("</nav>", 1)[0]
    for url in present:
        assert f'href="{url}"' in block, url
    for url in absent:
        assert f'href="{url}"' not in block, url


def test_school_sees_open_campaign_to_start_then_its_draft(w: World) -> None:
    client = w.client("school_officer")
    page = client.get(HOME).content.decode()
    assert re.search(r'data-card="to-start".*?ce-figure">1<', page, re.S)
    assert "去申报" in page
    app = services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)
    page = client.get(HOME).content.decode()
    assert re.search(r'data-card="mine".*?ce-figure">1<', page, re.S)
    assert re.search(r'data-card="to-start".*?ce-figure">0<', page, re.S)
    Application.objects.filter(pk=app.pk).update(status=Application.Status.RETURNED)
    page = client.get(HOME).content.decode()
    assert "1 份申报被县级退回" in page and "ce-card-warn" in page


def test_county_reviewer_counts_submitted_applications_of_their_county_only(w: World) -> None:
    Application.objects.create(
        campaign=w.campaign, unit=w.school_a, framework=w.record, status=Application.Status.SUBMITTED
    )
    Application.objects.create(
        campaign=w.campaign, unit=w.school_b, framework=w.record, status=Application.Status.SUBMITTED
    )
    mine = w.client("county_reviewer").get(HOME).content.decode()
    assert re.search(r'data-card="county".*?ce-figure">1<', mine, re.S)


def test_organizer_review_menu_lists_their_campaigns(w: World) -> None:
    page = w.client("organizer").get(HOME).content.decode()
    assert f'href="{reverse("reviews:organizer", args=[w.campaign.pk])}"' in page
    assert "全部活动…" in page
    # the school sees no organizer desk links
    school = w.client("school_officer").get(HOME).content.decode()
    assert reverse("reviews:organizer", args=[w.campaign.pk]) not in school


def test_unread_notifications_are_counted(w: World) -> None:
    user = w.users["expert"]
    Notification.objects.create(user=user, text="您有新的评审任务")
    Notification.objects.create(user=user, text="另一条")
    Notification.objects.create(user=user, text="已读", read_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    Notification.objects.create(user=w.users["organizer"], text="别人的")
    page = w.client("expert").get(HOME).content.decode()
    assert 'data-unread="2"' in page
    assert re.search(r'data-card="notifications".*?ce-figure">2<', page, re.S)
    assert 'data-unread="1"' in w.client("organizer").get(HOME).content.decode()
    assert "data-unread" not in w.client("school_head").get(HOME).content.decode()


def test_closed_and_draft_campaigns_are_not_listed(w: World) -> None:
    Campaign.objects.filter(pk=w.campaign.pk).update(status=Campaign.Status.CLOSED)
    page = w.client("school_officer").get(HOME).content.decode()
    assert w.campaign.name not in page
    assert "目前没有与本单位相关的进行中活动" in page


def test_campaign_covering_another_county_is_not_shown(w: World) -> None:
    other = Campaign.objects.create(
        name="乙县专项评估", year=2024, organizer=w.city, applicants="schools", as_of=dt.date(2024, 5, 30),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    other.covered_units.add(w.county_y)
    assert "乙县专项评估" not in w.client("school_officer").get(HOME).content.decode()
    assert "乙县专项评估" in w.client("outsider").get(HOME).content.decode()
    assert "乙县专项评估" in w.client("organizer").get(HOME).content.decode()


def test_user_without_role_is_told_whom_to_ask(w: World) -> None:
    from campuseval.accounts.models import User

    lone = User.objects.create_user(username="lone", password="x-Pass-12345")
    client = Client()
    client.force_login(lone)
    page = client.get(HOME).content.decode()
    assert "您的账号尚未分配角色" in page
    assert nav(page) == ["首页"]


def many_campaigns(w: World, n: int) -> None:
    for i in range(n):
        c = Campaign.objects.create(
            name=f"活动{i}", year=2024, organizer=w.city, applicants="schools", as_of=dt.date(2024, 5, 30),
            status=Campaign.Status.OPEN,
        )  # fmt: skip
        c.stages.create(kind="apply", starts_at=w.stage.starts_at, deadline=w.stage.deadline)
        school = Unit.objects.create(code=f"W-S{i}", name=f"学校{i}", kind=Unit.Kind.SCHOOL, parent=w.county_x)
        Application.objects.create(campaign=c, unit=school, framework=w.record, status=Application.Status.SUBMITTED)
        Application.objects.create(campaign=c, unit=w.school_a, framework=w.record)


@pytest.mark.parametrize("who", ["school_officer", "county_reviewer", "organizer", "expert"])
def test_home_queries_do_not_grow_with_rows(w: World, who: str, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = w.client(who)
    client.get(HOME)  # warm the session
    with CaptureQueriesContext(connection) as one:
        page = client.get(HOME).content.decode()
    assert w.campaign.name in page
    many_campaigns(w, 12)
    with django_assert_num_queries(len(one)):
        page = client.get(HOME).content.decode()
    assert page.count("<tr>") == 8 + 1  # at most eight campaigns, plus the header row
