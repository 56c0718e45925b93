"""Role × URL × status: every application URL, for each persona, on a draft and on a submitted
application. Own school reads and edits; the county reviewer of its county and the organizer read
once submitted; everyone else gets 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campuseval.applications import services
from campuseval.applications.models import Application

from .appworld import World, complete_application

PDF = b"%PDF-1.4\n%%EOF\n"

READ = ["form", "choices", "indicator", "versions", "evidence_file", "version"]
EDIT = ["form", "choices", "indicator", "item_row", "submit"]
SCHOOL = {"school_officer", "school_head"}
PERSONAS = [
    "school_officer",
    "school_head",
    "county_reviewer",
    "organizer",
    "expert",
    "outsider",
    "outsider_reviewer",
    "sysadmin",
]


def urls(app: Application, evidence_pk: int) -> dict[str, str]:
    return {
        "form": reverse("applications:form", args=[app.pk]),
        "choices": reverse("applications:choices", args=[app.pk]),
        "indicator": reverse("applications:indicator", args=[app.pk, "1.3"]),
        "item_row": reverse("applications:item_row", args=[app.pk, "2.1", "awards"]),
        "submit": reverse("applications:submit", args=[app.pk]),
        "versions": reverse("applications:versions", args=[app.pk]),
        "version": reverse("applications:version", args=[app.pk, 1]),
        "evidence_file": reverse("applications:evidence_file", args=[app.pk, evidence_pk]),
    }


def expected_get(who: str, name: str, status: str) -> int:
    if name == "version" and status == "draft":
        return 404  # no version yet
    if who in SCHOOL:
        if name in ("item_row",) and status != "draft":
            return 200
        return 200
    if status == "submitted" and who in ("county_reviewer", "organizer") and name in READ:
        return 200
    return 404


@pytest.mark.parametrize("status", ["draft", "submitted"])
@pytest.mark.parametrize("who", PERSONAS)
def test_get_matrix(w: World, app: Application, who: str, status: str) -> None:
    ev = services.upload_evidence(
        actor=w.users["school_officer"],
        application=app,
        indicator_code="1.1",
        file=SimpleUploadedFile("合同.pdf", PDF),
    )
    if status == "submitted":
        complete_application(w, app)
        services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    c = w.client(who)
    for name, url in urls(app, ev.pk).items():
        response = c.get(url)
        assert response.status_code == expected_get(who, name, status), (who, name, status)
        if response.status_code == 200 and name in ("form", "indicator", "versions"):
            assert "甲县实验小学" in response.content.decode()


@pytest.mark.parametrize("who", PERSONAS)
def test_post_matrix(w: World, app: Application, who: str) -> None:
    """Writes from anyone but the school's own people are 404 and change nothing."""
    c = w.client(who)
    u = urls(app, 0)
    posts = {
        "form": {"revision": "0", "teachers": "1"},
        "choices": {"revision": "0", "choice_二": "方向二"},
        "indicator": {"revision": "0", "in_platform": "无"},
        "submit": {"promise": "yes"},
        "evidence_upload": {"file": SimpleUploadedFile("a.pdf", PDF)},
        "return": {"reason": "退回"},
    }
    u["evidence_upload"] = reverse("applications:evidence_upload", args=[app.pk])
    u["return"] = reverse("applications:return", args=[app.pk])
    for name, data in posts.items():
        response = c.post(u[name], data)
        if who not in SCHOOL or name == "return":
            assert response.status_code == 404, (who, name)
    app.refresh_from_db()
    if who not in SCHOOL:
        assert app.revision == 0 and app.evidence.count() == 0 and app.status == "draft"


def test_anonymous_redirected_to_login(w: World, app: Application) -> None:
    from django.test import Client

    response = Client().get(reverse("applications:form", args=[app.pk]))
    assert response["Location"].startswith(reverse("accounts:login"))
    response = Client().get(reverse("applications:mine"))
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["county_reviewer", "organizer", "expert", "outsider_reviewer", "sysadmin"])
def test_mine_only_for_school_roles(w: World, who: str) -> None:
    assert w.client(who).get(reverse("applications:mine")).status_code == 404


def test_mine_scoped_to_own_unit(w: World, app: Application) -> None:
    page = w.client("outsider").get(reverse("applications:mine")).content.decode()
    assert "甲县实验小学" not in page and "乙县第一中学" in page
