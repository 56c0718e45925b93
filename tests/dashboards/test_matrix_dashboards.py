"""Role × URL: every dashboard URL for every persona. Organizers of the campaign's city and the
county reviewers of its counties read (each reviewer only their county); everyone else — the
school's own people, experts, a school in another county, another city's organizer and
reviewer, the system administrator — gets 404, and anonymous visitors go to the login page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import DashWorld

SECTIONS = ["progress", "scores", "indicators", "attainment", "gap", "trend"]
READERS = {"organizer": "甲区", "county_reviewer": "甲区", "outsider_reviewer": "乙县"}
PERSONAS = [
    "school_officer",
    "school_head",
    "county_reviewer",
    "organizer",
    "expert",
    "outsider",
    "outsider_reviewer",
    "other_organizer",
    "other_reviewer",
    "sysadmin",
]


def urls(dw: DashWorld) -> dict[str, str]:
    out = {}
    for section in SECTIONS:
        out[section] = reverse("reports:dashboard", args=[dw.campaign.pk, section])
        out[f"{section}.xlsx"] = reverse("reports:dashboard_download", args=[dw.campaign.pk, section, 0])
    return out


@pytest.mark.parametrize("who", PERSONAS)
def test_dashboard_matrix(dw: DashWorld, who: str) -> None:
    c = dw.client(who)
    for name, url in urls(dw).items():
        response = c.get(url)
        if who in READERS:
            assert response.status_code == 200, (who, name)
            if not name.endswith(".xlsx"):
                assert dw.campaign.name in response.content.decode(), (who, name)
        else:
            assert response.status_code == 404, (who, name)


@pytest.mark.parametrize("who", PERSONAS)
def test_index_matrix(dw: DashWorld, who: str) -> None:
    response = dw.client(who).get(reverse("reports:dashboards"))
    if who in READERS or who in ("other_organizer", "other_reviewer"):
        assert response.status_code == 200
        listed = dw.campaign.name in response.content.decode()
        assert listed == (who in READERS), who
    else:
        assert response.status_code == 404


def test_progress_rows_per_reader(dw: DashWorld) -> None:
    for who, county in READERS.items():
        html = dw.client(who).get(reverse("reports:dashboard", args=[dw.campaign.pk, "progress"])).content.decode()
        assert f">{county}</td>" in html, who
        if who != "organizer":
            other = "乙县" if county == "甲区" else "甲区"
            assert other not in html, who


def test_anonymous_redirected_to_login(dw: DashWorld) -> None:
    for url in [reverse("reports:dashboards"), *urls(dw).values()]:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_missing_campaign_is_404(dw: DashWorld) -> None:
    url = reverse("reports:dashboard", args=[dw.campaign.pk + 999, "progress"])
    assert dw.client("organizer").get(url).status_code == 404
