"""The reviewer sees at a glance which numbered item of the 提供材料要求 a school's files answer,
and which item has none: in the county's first review and on the expert's sheet each item reads
「材料 N」 with its files or 「材料 N：无」; files tied to no item are under 「其他材料」.

Seed (厦门市中小学智慧校园建设评价标准, 一.1.(1) 提供材料要求): “1. 提供光纤接入合同或概述 2. 班均以合同
出口或是城域网出口去平均班级数。 3. 核心交换设备支持 IPV6, 提供项目建设合同或设备型号及参数。”"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications import services as application_services
from campuseval.applications.models import Application, Evidence
from campuseval.reviews.materials import materials_for
from campuseval.reviews.models import ReviewSettings

from ..applications.test_asked_once import seed_world
from ..engine.helpers import example
from . import materials_world
from .materials_world import build_desk

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def submitted_xiamen(uploads: list[tuple[str, str, int | None]]) -> tuple[Any, Application]:
    """A Xiamen 完全中学 answering as the framework's full example (its 申报书 filled in), with the
    given evidence (file name, indicator, item), submitted by its head."""
    w = seed_world("xiamen-trial-school", "school", stage="complete")
    app = Application.objects.get(pk=w.application.pk)
    full = example("xiamen-trial-school.full")
    app.answers = json.loads(json.dumps({"context": full["context"], "answers": full["answers"]}, default=str))
    app.form_data = {
        "contact_name": "王老师",
        "contact_phone": "0592-1234567",
        "students": 1850,
        "staff": 140,
        "teachers": 126,
        "classes": 42,
        "classes_grade3_up": 30,
        "smart_classrooms": 16,
        "student_computers": 420,
        "teacher_computers": 132,
        "bandwidth_mbps": 1000,
    }
    app.save()
    for name, code, item in uploads:
        application_services.upload_evidence(
            actor=w.officer,
            application=app,
            indicator_code=code,
            evidence_item=item,
            file=SimpleUploadedFile(name, PDF + name.encode()),
        )
    application_services.submit_application(actor=w.head, application=app, promise_confirmed=True)
    return w, app


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def leaf_html(page: str, code: str) -> str:
    start = page.index(f'id="materials-{code}"')
    return page[start : page.index("</td>", start)]


def test_county_review_lists_each_item_with_its_files_or_none() -> None:
    """The school tied a contract to item 1 and a switch datasheet to item 3 and left an older
    file untied, then submitted: the frozen version keeps the items, and the county reviewer
    reads 材料 1 and 材料 3 with their files, 「材料 2：无」, and the older file under 其他材料."""
    w, app = submitted_xiamen(
        [("光纤合同.pdf", "一.1.(1)", 1), ("交换机参数.pdf", "一.1.(1)", 3), ("早先上传.pdf", "一.1.(1)", None)]
    )
    version = app.versions.get()
    assert sorted((e["name"], e["item"]) for e in version.evidence) == [
        ("交换机参数.pdf", 3),
        ("光纤合同.pdf", 1),
        ("早先上传.pdf", None),
    ]
    reviewer = User.objects.create_user(username="county", password="x-Pass-12345", display_name="县审核员")
    Membership.objects.create(user=reviewer, unit=w.county, role=Role.COUNTY_REVIEWER)
    page = client_for(reviewer).get(reverse("reviews:county_review", args=[app.pk])).content.decode()
    html = leaf_html(page, "一.1.(1)")
    first, second, third = (html.index(f"材料 {n}") for n in (1, 2, 3))
    assert first < html.index("光纤合同.pdf") < second < third < html.index("交换机参数.pdf")
    assert "材料 2：无" in html and "材料 1：无" not in html and "材料 3：无" not in html
    assert "1 项材料未上传" in html
    assert html.index("其他材料") < html.index("早先上传.pdf")
    # an indicator whose requirement numbers nothing keeps the plain list
    plain = leaf_html(page, "三.1.(1)")
    assert "材料 1" not in plain and "（未上传）" in plain


NUMBERED = materials_world.FRAMEWORK.replace(
    "evidence: 提供光纤接入合同或运营商证明", "evidence: 1. 提供光纤接入合同或运营商证明 2. 提供出口带宽测速截图"
)


@pytest.fixture
def desk(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The expert desk of materials_world, its indicator 1 asking for two numbered items, and the
    school's contract tied to item 1 (as the submission froze it)."""
    monkeypatch.setattr(materials_world, "FRAMEWORK", NUMBERED)
    desk = build_desk(world)
    contract = desk["files"][0]
    Evidence.objects.filter(pk=contract.pk).update(evidence_item=1)
    version = desk["app"].versions.get()
    version.evidence = [{**e, "item": 1} if e["id"] == contract.pk else e for e in version.evidence]
    version.save()
    return desk


def expert_page(desk: dict[str, Any]) -> str:
    c = client_for(desk["expert"].user)
    url = reverse("reviews:expert_sheet", args=[desk["assignment"].pk])
    c.post(url + "confirm/", {"action": "confirm"})
    return c.get(url).content.decode()


def test_expert_sheet_shows_the_missing_item(desk: dict[str, Any]) -> None:
    html = leaf_html(expert_page(desk), "1")
    contract = desk["files"][0].original_name
    assert html.index("材料 1") < html.index(contract) < html.index("材料 2：无")
    assert "提供出口带宽测速截图" in html and "其他材料" not in html


def test_blind_review_groups_the_numbered_files_without_their_names(desk: dict[str, Any]) -> None:
    ReviewSettings.objects.create(campaign=desk["campaign2"], hide_applicant=True)
    html = leaf_html(expert_page(desk), "1")
    assert desk["files"][0].original_name not in html
    assert html.index("材料 1") < html.index(".pdf") < html.index("材料 2：无")


def test_materials_group_by_item_and_keep_untied_files() -> None:
    """The assembly itself: an item number the framework no longer gives (a file tied under an
    earlier edition) is not dropped but read as 其他材料."""
    _, app = submitted_xiamen([("无线拓扑.pdf", "一.1.(2)", 2)])
    version = app.versions.get()
    version.evidence = [{**e, "item": 7} for e in version.evidence]
    version.save()
    groups = materials_for(app, blind=False).leaves["一.1.(2)"].groups
    assert [entry.number for entry in groups.items] == [1, 2] and groups.missing == (1, 2)
    assert [f.name for f in groups.other] == ["无线拓扑.pdf"]
