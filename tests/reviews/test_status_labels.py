"""入选 / 未入选 / 已授牌 / 终止 read as such wherever an application's status shows: the
school's own pages, the county's list and its filter, the organizer's export."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from campuseval.applications.models import Application

from .conftest import recommended

pytestmark = pytest.mark.django_db

LABELS = {"selected": "入选", "not_selected": "未入选", "awarded": "已授牌", "terminated": "终止"}


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


@pytest.mark.parametrize("status", list(LABELS))
def test_every_page_and_export_names_the_status(world: dict, status: str) -> None:
    apps = recommended(world)
    app = apps[0]
    Application.objects.filter(pk=app.pk).update(status=status)
    label = LABELS[status]
    applicant = client_for(world["applicant"])
    for url in (reverse("applications:mine"), reverse("applications:form", args=[app.pk])):
        page = applicant.get(url)
        assert page.status_code == 200 and label in page.content.decode(), url
    assert (
        f'<strong id="app-status">{label}</strong>'
        in applicant.get(reverse("applications:form", args=[app.pk])).content.decode()
    )
    assert f"当前状态：{label}" in applicant.get(reverse("applications:versions", args=[app.pk])).content.decode()
    reviewer = client_for(world["reviewer"])
    listing = reviewer.get(reverse("reviews:county_list"), {"status": status}).content.decode()
    assert f'<option value="{status}" selected>{label}</option>' in listing
    assert f'<span class="badge text-bg-secondary">{label}</span>' in listing and app.unit.name in listing
    assert apps[1].unit.name not in listing  # the filter keeps only this status
    response = client_for(world["organizer"]).get(
        reverse("reports:export", args=["applications", world["campaign"].pk])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert label in values
