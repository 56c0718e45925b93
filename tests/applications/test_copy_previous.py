"""Starting an application from the school's previous one in the same framework family: the
facts carry over (the 申报书, answers, narratives, choices, declarations, and the evidence by
reference), each carried-over indicator is 「沿用上次申报，待核对」 until the school has saved or
confirmed it, submission waits for that, and what the new edition no longer asks or allows is
dropped and named."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import Role, User
from campuseval.applications import copying, services
from campuseval.applications.models import Application, Evidence
from campuseval.audit.models import AuditEntry
from campuseval.campaigns.models import Campaign, FrameworkRecord, Stage
from campuseval.orgs.models import Unit

from .. import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"

#: last year's edition: 出口带宽 up to 10000 M, 制度 asked as `ok`
EDITION_2024 = """
id: copymini-2024
family: copymini
title: 沿用测试框架（2024版）
subject: school
level_names: [一级]
total: 10
eligibility:
  exclusions:
    - {key: incident, label: 发生重大网络安全事件}
indicators:
  - code: "1"
    title: 出口带宽
    points: 6
    inputs:
      - {key: bw, type: number, label: 出口带宽, unit: M, min: 0, max: 10000}
    rule:
      type: tiers
      input: bw
      tiers: [{min: 500, points: 6}, {min: 300, max: 500, points: 3}]
  - code: "2"
    title: 制度
    points: 2
    inputs:
      - {key: ok, type: bool, label: 制定制度}
    rule: {type: yes_no, input: ok}
  - code: "3"
    title: 教学获奖
    points: 2
    inputs:
      - {key: prizes, type: number, label: 获奖数, min: 0, max: 50, integer: true}
    rule:
      type: tiers
      input: prizes
      tiers: [{min: 1, points: 2}]
  - code: "9"
    title: 已取消的指标
    points: 0
    inputs:
      - {key: x, type: number, label: 旧数据, min: 0, max: 9}
    rule:
      type: tiers
      input: x
      tiers: [{min: 1, points: 0}]
"""

#: this year's edition of the same family: 出口带宽 now at most 1000 M (a changed range), 制度
#: asked as `policy` (the input `ok` removed), indicator 9 gone, indicator 4 new
EDITION_2025 = """
id: copymini-2025
family: copymini
title: 沿用测试框架（2025版）
subject: school
level_names: [一级]
total: 12
eligibility:
  exclusions:
    - {key: incident, label: 发生重大网络安全事件}
indicators:
  - code: "1"
    title: 出口带宽
    points: 6
    inputs:
      - {key: bw, type: number, label: 出口带宽, unit: M, min: 0, max: 1000}
    rule:
      type: tiers
      input: bw
      tiers: [{min: 500, points: 6}, {min: 300, max: 500, points: 3}]
  - code: "2"
    title: 制度
    points: 2
    inputs:
      - {key: policy, type: bool, label: 制定制度}
    rule: {type: yes_no, input: policy}
  - code: "3"
    title: 教学获奖
    points: 2
    inputs:
      - {key: prizes, type: number, label: 获奖数, min: 0, max: 50, integer: true}
    rule:
      type: tiers
      input: prizes
      tiers: [{min: 1, points: 2}]
  - code: "4"
    title: 新增指标
    points: 2
    inputs:
      - {key: done, type: bool, label: 已完成}
    rule: {type: yes_no, input: done}
"""

OTHER_FAMILY = EDITION_2025.replace("id: copymini-2025", "id: othermini-2025").replace(
    "family: copymini", "family: othermini"
)


def record(text: str) -> FrameworkRecord:
    key = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
    return FrameworkRecord.objects.create(
        key=key,
        title=key,
        subject="school",
        total=Decimal(10),
        source_yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def open_campaign(name: str, year: int, organizer: Unit, framework: FrameworkRecord) -> Campaign:
    campaign = Campaign.objects.create(
        name=name,
        year=year,
        organizer=organizer,
        applicants=Campaign.Applicants.SCHOOLS,
        school_framework=framework,
        as_of=dt.date(year, 5, 30),
        status=Campaign.Status.OPEN,
    )
    now = timezone.now()
    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.APPLY,
        starts_at=now - dt.timedelta(days=5),
        deadline=now + dt.timedelta(days=5),
    )
    return campaign


@dataclass
class World:
    school: Unit
    officer: User
    head: User
    outsider: User
    source: Application
    evidence: Evidence
    campaign: Campaign
    other_campaign: Campaign

    def client(self, who: User) -> Client:
        c = Client()
        c.force_login(who)
        return c


@pytest.fixture
def w(settings, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    city = f.UnitFactory.city(code="C-C", name="沿用市")
    county = f.UnitFactory.county(city, code="C-X", name="沿用县")
    school = f.UnitFactory.school(county, code="C-XA", name="沿用县实验小学", students=880)
    other_school = f.UnitFactory.school(county, code="C-XB", name="沿用县第二小学")
    officer = f.person("copy_officer", school, Role.APPLICANT)
    head = f.person("copy_head", school, Role.HEAD)
    outsider = f.person("copy_outsider", other_school, Role.APPLICANT, Role.HEAD)
    last_year = open_campaign("2024 沿用市遴选", 2024, city, record(EDITION_2024))
    last_year.status = Campaign.Status.CLOSED
    last_year.save()
    source = Application.objects.create(
        campaign=last_year,
        unit=school,
        framework=last_year.school_framework,
        form_key="school",
        status=Application.Status.SUBMITTED,
        form_data={"contact_name": "王老师", "students": 850, "retired_field": "旧值"},
        answers={
            "context": {},
            "choices": {},
            "declarations": {"incident": False},
            "answers": {"1": {"bw": 1200}, "2": {"ok": True}, "3": {"prizes": 3}, "9": {"x": 1}},
        },
        narratives={"3": "三项市级获奖", "9": "旧说明"},
    )
    evidence = Evidence(
        application=source,
        indicator_code="3",
        original_name="获奖证书.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=officer,
        frozen_in_version=1,
    )
    evidence.file.save("获奖证书.pdf", ContentFile(PDF), save=False)
    evidence.save()
    old = Evidence(
        application=source,
        indicator_code="9",
        original_name="旧材料.pdf",
        content_type="application/pdf",
        size=len(PDF) + 1,
        sha256="9" * 64,
        uploaded_by=officer,
    )
    old.file.save("旧材料.pdf", ContentFile(PDF + b"\n"), save=False)
    old.save()
    campaign = open_campaign("2025 沿用市遴选", 2025, city, record(EDITION_2025))
    other_campaign = open_campaign("2025 另一系列遴选", 2025, city, record(OTHER_FAMILY))
    return World(school, officer, head, outsider, source, evidence, campaign, other_campaign)


def copy(w: World) -> Application:
    return services.start_application_from_previous(
        actor=w.officer, campaign=w.campaign, unit=w.school, source=w.source
    )


def test_answers_narratives_and_evidence_carry_over_and_the_unfitting_is_named(w: World) -> None:
    app = copy(w)
    assert app.answers["answers"] == {"3": {"prizes": "3"}}  # bw 1200 > 1000 and `ok` are dropped
    assert app.answers["declarations"] == {"incident": False}
    assert app.narratives == {"3": "三项市级获奖"}
    # the registry's figure of this year over last year's copy; a field the form lacks is dropped
    assert app.form_data == {"contact_name": "王老师", "students": 880}
    assert app.self_total == Decimal(2)  # rescored in the 2025 edition: 3 = 2 points
    [copied] = app.evidence.all()
    assert copied.file.name == w.evidence.file.name and copied.pk != w.evidence.pk
    assert copied.indicator_code == "3" and copied.frozen_in_version is None and copied.sha256 == w.evidence.sha256
    marks = copying.marks(app.answers)
    assert marks["to_review"] == ["3"] and marks["pages"] == ["form", "choices"]
    dropped = "\n".join(marks["dropped"])
    assert "出口带宽" in dropped and "1000" in dropped
    assert "本版已无「ok」一项" in dropped
    assert "指标 9" in dropped and "旧材料.pdf" in dropped
    assert "retired_field" in dropped
    entry = AuditEntry.objects.get(action="application.copy_previous")
    assert entry.after["source"] == w.source.pk and entry.after["target"] == app.pk
    assert entry.after["dropped"] == marks["dropped"]
    # the copy's marks never reach the engine: the page scores and shows them
    response = w.client(w.officer).get(reverse("applications:copied", args=[app.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "沿用上次申报，待核对" in text and "3 教学获奖" in text and "旧材料.pdf" in text


def test_a_shared_evidence_file_survives_removal_from_one_side(w: World, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    app = copy(w)
    copied = app.evidence.get()
    name = copied.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(actor=w.officer, evidence=copied)
    assert default_storage.exists(name)  # last year's row still uses it
    assert Evidence.objects.filter(pk=w.evidence.pk).exists()
    # the last row using a file takes it with it
    draft = Application.objects.create(
        campaign=w.other_campaign, unit=w.school, framework=w.other_campaign.school_framework, updated_by=w.officer
    )
    lone = Evidence(
        application=draft,
        original_name="单独.pdf",
        content_type="application/pdf",
        size=3,
        sha256="1" * 64,
        uploaded_by=w.officer,
    )
    lone.file.save("单独.pdf", ContentFile(b"%PD"), save=False)
    lone.save()
    lone_name = lone.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(actor=w.officer, evidence=lone)
    assert not default_storage.exists(lone_name)


def test_a_removal_rolled_back_keeps_its_file(w: World, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    draft = Application.objects.create(
        campaign=w.campaign, unit=w.school, framework=w.campaign.school_framework, updated_by=w.officer
    )
    lone = Evidence(
        application=draft, original_name="单独.pdf", content_type="application/pdf", size=3, sha256="2" * 64
    )
    lone.file.save("单独.pdf", ContentFile(b"%PD"), save=False)
    lone.save()
    pk, name = lone.pk, lone.file.name
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.remove_evidence(actor=w.officer, evidence=lone)
        raise RuntimeError("the request failed after the removal")
    assert Evidence.objects.filter(pk=pk).exists() and default_storage.exists(name)


def test_unreviewed_indicators_refuse_submission_and_confirming_clears_them(w: World) -> None:
    app = copy(w)
    problems = services.submission_problems(app)
    [copied_problem] = [p for p in problems if "沿用上次申报" in p]
    for url in (
        reverse("applications:indicator", args=[app.pk, "3"]),
        reverse("applications:form", args=[app.pk]),
        reverse("applications:choices", args=[app.pk]),
    ):
        assert f'href="{url}"' in copied_problem
    with pytest.raises(ValidationError) as refused:
        services.submit_application(actor=w.head, application=app, promise_confirmed=True)
    assert any("3 教学获奖" in m for m in refused.value.messages)
    page = w.client(w.head).get(reverse("applications:submit", args=[app.pk])).content.decode()
    assert f'<a href="{reverse("applications:indicator", args=[app.pk, "3"])}">3 教学获奖</a>' in page

    officer = w.client(w.officer)
    confirm = reverse("applications:copy_confirm", args=[app.pk])
    response = officer.post(confirm, {"code": "3", "back": "indicator"})
    assert response.status_code == 302 and response["Location"] == reverse("applications:indicator", args=[app.pk, "3"])
    officer.post(confirm, {"page": "choices"})
    app.refresh_from_db()
    assert copying.codes_to_review(app) == [] and copying.pages_to_review(app) == ["form"]
    assert AuditEntry.objects.filter(action="application.copy_confirm").count() == 2
    # saving the 申报书 is looking at it: the last mark goes, and the key with it
    services.save_form(actor=w.officer, application=app, revision=app.revision, data={"contact_phone": "0558-1234567"})
    app.refresh_from_db()
    assert copying.MARKS_KEY not in app.answers
    assert not [p for p in services.submission_problems(app) if "沿用上次申报" in p]
    # a second confirmation is refused by name, nothing written
    revision = app.revision
    response = officer.post(confirm, {"code": "3"}, follow=True)
    assert "没有待核对的沿用内容" in response.content.decode()
    app.refresh_from_db()
    assert app.revision == revision


def test_saving_an_indicator_clears_its_mark_only(w: World) -> None:
    app = copy(w)
    outcome = services.save_indicator(
        actor=w.officer, application=app, revision=app.revision, code="1", values={"bw": "800"}
    )
    assert copying.codes_to_review(outcome.application) == ["3"]
    outcome = services.save_indicator(
        actor=w.officer,
        application=outcome.application,
        revision=outcome.application.revision,
        code="3",
        values={"prizes": "4"},
    )
    app.refresh_from_db()
    assert copying.codes_to_review(app) == [] and app.answers["answers"]["3"] == {"prizes": "4"}


def test_an_outsider_gets_404_and_nothing_is_created(w: World) -> None:
    data = {"campaign": w.campaign.pk, "unit": w.school.pk, "source": w.source.pk}
    response = w.client(w.outsider).post(reverse("applications:copy_previous"), data)
    assert response.status_code == 404
    # the outsider's own unit, someone else's source: 404 as well
    own = w.outsider.memberships.first().unit
    response = w.client(w.outsider).post(reverse("applications:copy_previous"), {**data, "unit": own.pk})
    assert response.status_code == 404
    assert not Application.objects.filter(campaign=w.campaign).exists()
    with pytest.raises(PermissionDenied):
        services.start_application_from_previous(actor=w.outsider, campaign=w.campaign, unit=w.school, source=w.source)
    app = copy(w)
    assert w.client(w.outsider).get(reverse("applications:copied", args=[app.pk])).status_code == 404
    confirm = w.client(w.outsider).post(reverse("applications:copy_confirm", args=[app.pk]), {"code": "3"})
    assert confirm.status_code == 404
    app.refresh_from_db()
    assert copying.codes_to_review(app) == ["3"]


def test_offered_for_the_same_family_only_and_started_through_the_page(w: World) -> None:
    officer = w.client(w.officer)
    page = officer.get(reverse("applications:mine")).content.decode()
    offers = page[page.index('id="copy-offers"') :]
    offers = offers[: offers.index("</ul>")]
    assert "2025 沿用市遴选" in offers and "2024 沿用市遴选" in offers
    assert "2025 另一系列遴选" not in offers  # another family: not offered
    with pytest.raises(ValidationError, match="不属于同一系列"):
        services.start_application_from_previous(
            actor=w.officer, campaign=w.other_campaign, unit=w.school, source=w.source
        )
    response = officer.post(
        reverse("applications:copy_previous"), {"campaign": w.campaign.pk, "unit": w.school.pk, "source": w.source.pk}
    )
    app = Application.objects.get(campaign=w.campaign, unit=w.school)
    assert response.status_code == 302 and response["Location"] == reverse("applications:copied", args=[app.pk])
    page = officer.get(response["Location"]).content.decode()
    assert "出口带宽" in page and "未沿用" in page and "确认无变化" in page
    # once started, no second offer; a second copy is refused by name
    mine = officer.get(reverse("applications:mine")).content.decode()
    assert 'id="copy-offers"' not in mine and reverse("applications:copied", args=[app.pk]) in mine
    response = officer.post(
        reverse("applications:copy_previous"),
        {"campaign": w.campaign.pk, "unit": w.school.pk, "source": w.source.pk},
        follow=True,
    )
    assert "本单位已开始该活动的申报" in response.content.decode()
    # a bad field is named, nothing else happens
    response = officer.post(reverse("applications:copy_previous"), {"campaign": "x"}, follow=True)
    assert "申报活动" in response.content.decode() and "沿用的申报" in response.content.decode()


def test_the_offer_costs_the_same_queries_with_more_history(w: World) -> None:
    officer = w.client(w.officer)
    url = reverse("applications:mine")
    officer.get(url)
    with CaptureQueriesContext(connection) as few:
        officer.get(url)
    for year in (2020, 2021, 2022):
        past = open_campaign(f"{year} 沿用市遴选", year, w.campaign.organizer, w.source.framework)
        past.status = Campaign.Status.CLOSED
        past.save()
        Application.objects.create(campaign=past, unit=w.school, framework=w.source.framework)
    with CaptureQueriesContext(connection) as many:
        page = officer.get(url).content.decode()
    assert "2020 沿用市遴选" in page
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_mark_partial_shows_the_mark_and_confirm_only_while_marked(w: World) -> None:
    """`_copy_mark.html`, for the indicator page, the 申报书 and the choices page."""
    app = copy(w)
    request = RequestFactory().get("/")
    request.user = w.officer

    def shown(**where: str) -> str:
        return render_to_string(
            "applications/_copy_mark.html", {"application": app, "editable": True, **where}, request=request
        )

    marked = shown(code="3")
    assert "沿用上次申报，待核对" in marked and "确认无变化" in marked
    assert 'name="code" value="3"' in marked and 'name="back" value="indicator"' in marked
    assert 'name="page" value="form"' in shown(code="", page="form")
    assert shown(code="1").strip() == ""  # nothing carried over there: no mark
    services.confirm_copied(actor=w.officer, application=app, code="3")
    app.refresh_from_db()
    assert shown(code="3").strip() == ""


def test_a_files_material_number_follows_only_where_the_new_edition_gives_it(w: World) -> None:
    """A file tied to 材料 N of the 提供材料要求 keeps its number only if this edition's
    requirement for the indicator has an item N; otherwise it is copied under 其他材料 and the
    copy names it (indicator 3's requirement here is not numbered)."""
    Evidence.objects.filter(pk=w.evidence.pk).update(evidence_item=2)
    w.source.refresh_from_db()
    app = copy(w)
    [copied] = app.evidence.all()
    assert copied.evidence_item is None
    assert any("本版没有材料 2" in d and "获奖证书.pdf" in d for d in copying.marks(app.answers)["dropped"])


def test_the_mark_shows_on_the_indicator_form_and_choices_pages_until_confirmed(w: World) -> None:
    app = copy(w)
    client = w.client(w.officer)
    indicator = client.get(reverse("applications:indicator", args=[app.pk, "3"])).content.decode()
    assert 'id="copy-mark"' in indicator and "确认无变化" in indicator
    for name in ("form", "choices"):
        page = client.get(reverse(f"applications:{name}", args=[app.pk])).content.decode()
        assert 'id="copy-mark"' in page, name
    client.post(reverse("applications:copy_confirm", args=[app.pk]), {"code": "3", "back": "indicator"})
    again = client.get(reverse("applications:indicator", args=[app.pk, "3"])).content.decode()
    assert 'id="copy-mark"' not in again
