"""Role × URL × status for the campaign and unit pages. Organizers manage their own city's
campaigns; schools and counties read the campaigns covering them once open; the unit pages are
for organizers and system administrators of that region; everyone else gets 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.campaigns.models import Campaign

from .conftest import CampaignWorld

PERSONAS = [
    "school_officer",
    "school_head",
    "county_reviewer",
    "organizer",
    "expert",
    "outsider",
    "outsider_reviewer",
    "sysadmin",
    "other_organizer",
]
COVERED = {"school_officer", "school_head", "county_reviewer", "outsider", "outsider_reviewer"}
ORGANIZERS = {"organizer", "other_organizer"}
UNIT_MANAGERS = {"organizer", "other_organizer", "sysadmin"}


def urls(campaign: Campaign) -> dict[str, str]:
    return {
        "list": reverse("campaigns:list"),
        "create": reverse("campaigns:create"),
        "detail": reverse("campaigns:detail", args=[campaign.pk]),
        "edit": reverse("campaigns:edit", args=[campaign.pk]),
        "units": reverse("units:tree"),
        "import": reverse("units:import"),
        "import_template": reverse("units:import_template"),
    }


def expected_get(who: str, name: str, status: str) -> int:
    if name == "list":
        return 200 if who in COVERED | ORGANIZERS else 404
    if name == "create":
        return 200 if who in ORGANIZERS else 404
    if name == "detail":
        if who == "organizer":
            return 200
        return 200 if who in COVERED and status == "open" else 404
    if name == "edit":
        return 200 if who == "organizer" else 404
    return 200 if who in UNIT_MANAGERS else 404


@pytest.mark.parametrize("status", ["draft", "open"])
@pytest.mark.parametrize("who", PERSONAS)
def test_get_matrix(cw: CampaignWorld, who: str, status: str) -> None:
    campaign = cw.w.campaign
    Campaign.objects.filter(pk=campaign.pk).update(status=status)
    c = cw.client(who)
    for name, url in urls(campaign).items():
        response = c.get(url)
        assert response.status_code == expected_get(who, name, status), (who, name, status)
        if response.status_code == 200 and name in ("detail", "edit"):
            assert "2024 智慧校园示范校遴选" in response.content.decode()
        if response.status_code == 200 and name == "units":
            page = response.content.decode()
            # the tree opens on the region's top unit: its counties, each a link one level down
            assert ("甲县" in page) == (who in ("organizer", "sysadmin"))
            assert ("邻市丙县" in page) == (who == "other_organizer")


@pytest.mark.parametrize("who", PERSONAS)
def test_post_matrix(cw: CampaignWorld, who: str) -> None:
    """Writes from anyone but the campaign's organizer are 404 and change nothing."""
    campaign = cw.w.campaign
    c = cw.client(who)
    before = Campaign.objects.count()
    status = c.post(reverse("campaigns:status", args=[campaign.pk]), {"from": "open"})
    edit = c.post(reverse("campaigns:edit", args=[campaign.pk]), {"name": "改名"})
    create = c.post(reverse("campaigns:create"), {"name": "新活动"})
    campaign.refresh_from_db()
    if who == "organizer":
        assert status.status_code == 302 and campaign.status == "county_review"
        assert edit.status_code == 200 and "未保存" in edit.content.decode()
    else:
        assert status.status_code == 404 and edit.status_code == 404 and campaign.status == "open"
    assert campaign.name == "2024 智慧校园示范校遴选"
    assert create.status_code == (200 if who in ORGANIZERS else 404)
    assert Campaign.objects.count() == before
    assert c.get(reverse("campaigns:status", args=[campaign.pk])).status_code in (404, 405)


def test_anonymous_redirected_to_login(cw: CampaignWorld) -> None:
    for url in urls(cw.w.campaign).values():
        response = Client().get(url)
        assert response["Location"].startswith(reverse("accounts:login")), url
