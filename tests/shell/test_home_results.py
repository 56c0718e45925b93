"""A school's home links its final results (published lists); nothing else linked to the result
page but the notification sent at publication."""

from __future__ import annotations

from django.urls import reverse

from tests.personas import Personas


def test_the_school_home_links_its_final_result_and_no_one_elses(personas: Personas) -> None:
    p = personas
    link = reverse("reviews:result", args=[p.result.pk])
    home = p.client("school_officer").get(reverse("shell:home")).content.decode()
    assert 'id="home-results"' in home and link in home and p.campaign.name in home
    assert link not in p.client("outsider_school").get(reverse("shell:home")).content.decode()
    assert link not in p.client("county_reviewer").get(reverse("shell:home")).content.decode()
