"""`load_frameworks` and `seed_demo` run as an operator runs them (call_command), with the
database checked afterwards."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import Membership, User
from campuseval.applications.models import Application, ApplicationVersion, Evidence
from campuseval.audit.models import AuditEntry
from campuseval.campaigns import stages
from campuseval.campaigns.models import Campaign, FrameworkRecord, Stage
from campuseval.cultivation.models import Evaluation, Project
from campuseval.engine import FrameworkError, check_framework, framework_paths, load_framework_file
from campuseval.orgs.models import Unit
from campuseval.reviews.models import (
    Assignment,
    CountyReview,
    Objection,
    Publication,
    RecommendationList,
    Result,
)

from .conftest import DISTRICT_FRAMEWORK, CampaignWorld

FRAMEWORK = DISTRICT_FRAMEWORK.replace("id: distmini", "id: webmini")
BROKEN = DISTRICT_FRAMEWORK.replace("id: distmini", "id: webbroken").replace("total: 10", "total: 11")


def run(*args: str, **options: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def passing_keys() -> set[str]:
    """The bundled frameworks the engine accepts (other files may be work in progress)."""
    keys = set()
    for path in framework_paths():
        try:
            fw = load_framework_file(path)
        except FrameworkError:
            continue
        if not any(p.severity == "error" for p in fw.problems + check_framework(fw)):
            keys.add(fw.id)
    return keys


@pytest.mark.django_db
def test_load_frameworks_loads_every_passing_file_idempotently() -> None:
    out, _ = run("load_frameworks")
    expected = passing_keys()
    assert "sichuan-2023-district" in expected
    assert set(FrameworkRecord.objects.values_list("key", flat=True)) == expected
    record = FrameworkRecord.objects.get(key="sichuan-2023-district")
    assert record.subject == "district" and record.total == 120 and record.is_active
    assert record.source_yaml == Path(framework_paths()[0].parent / "sichuan-2023-district.yaml").read_text("utf-8")
    assert "新载入：sichuan-2023-district" in out
    audits = AuditEntry.objects.filter(action="framework.load").count()
    out, _ = run("load_frameworks")
    assert "未变化：sichuan-2023-district" in out
    assert FrameworkRecord.objects.count() == len(expected)
    assert AuditEntry.objects.filter(action="framework.load").count() == audits


def test_refused_file_lists_its_messages(db: None, tmp_path: Path) -> None:
    good, bad = tmp_path / "webmini.yaml", tmp_path / "webbroken.yaml"
    good.write_text(FRAMEWORK, encoding="utf-8")
    bad.write_text(BROKEN, encoding="utf-8")
    out, err = run("load_frameworks", str(good), str(bad))
    assert "新载入：webmini" in out and "拒绝载入：webbroken" in err
    assert "11" in err and "10" in err  # the engine's message names the declared and actual totals
    assert list(FrameworkRecord.objects.values_list("key", flat=True)) == ["webmini"]
    with pytest.raises(Exception, match="1 个框架未通过校验"):
        run("load_frameworks", str(bad), strict=True)


def test_changed_file_keeps_the_snapshot_of_started_applications(cw: CampaignWorld, tmp_path: Path) -> None:
    path = tmp_path / "webmini.yaml"
    path.write_text(FRAMEWORK, encoding="utf-8")
    run("load_frameworks", str(path))
    old = FrameworkRecord.objects.get(key="webmini")
    started = Campaign.objects.create(
        name="已开始的活动",
        year=2025,
        organizer=cw.w.city,
        applicants="districts",
        district_framework=old,
        as_of="2025-06-30",
    )
    application = Application.objects.create(campaign=started, unit=cw.w.county_x, framework=old)
    unstarted = Campaign.objects.create(
        name="未开始的活动",
        year=2025,
        organizer=cw.w.city,
        applicants="districts",
        district_framework=old,
        as_of="2025-06-30",
    )
    path.write_text(FRAMEWORK.replace("title: 区县测试框架", "title: 区县测试框架（修订）"), encoding="utf-8")
    out, _ = run("load_frameworks", str(path))
    assert "已更新（旧版本保留给已开始的申报）：webmini" in out
    fresh = FrameworkRecord.objects.get(key="webmini")
    old.refresh_from_db()
    assert fresh.title == "区县测试框架（修订）" and fresh.pk != old.pk
    assert old.key.startswith("webmini@") and not old.is_active and old.title == "区县测试框架"
    assert Application.objects.get(pk=application.pk).framework == old
    started.refresh_from_db()
    unstarted.refresh_from_db()
    assert started.district_framework == old and unstarted.district_framework == fresh
    # a change while nothing was started updates the record in place
    path.write_text(FRAMEWORK.replace("title: 区县测试框架", "title: 区县测试框架（再修订）"), encoding="utf-8")
    out, _ = run("load_frameworks", str(path))
    assert "已更新：webmini" in out
    assert FrameworkRecord.objects.get(pk=fresh.pk).title == "区县测试框架（再修订）"


def login(username: str, password: str) -> Client:
    c = Client()
    response = c.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return c


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "frameworks": FrameworkRecord.objects.count(),
        "campaigns": Campaign.objects.count(),
        "stages": Stage.objects.count(),
        "applications": Application.objects.count(),
        "versions": ApplicationVersion.objects.count(),
        "evidence": Evidence.objects.count(),
        "county_reviews": CountyReview.objects.count(),
        "recommendations": RecommendationList.objects.count(),
        "assignments": Assignment.objects.count(),
        "results": Result.objects.count(),
        "publications": Publication.objects.count(),
        "objections": Objection.objects.count(),
        "projects": Project.objects.count(),
        "evaluations": Evaluation.objects.count(),
        # sign-ins are audited too: the test's own logins are not part of the demo world
        "audit": AuditEntry.objects.exclude(action__startswith="auth.").count(),
    }


#: each demo campaign's framework → (status, the stage running today; None: every stage is over)
POINTS = {
    "xiamen-trial-school": ("open", "apply"),
    "taizhou-2022-school": ("county_review", "county_review"),
    "bozhou-2024-district": ("expert_review", "expert_review"),
    "bozhou-2024-school": ("publicity", "publicity"),
    "sichuan-2023-district": ("closed", None),
    "sichuan-2023-school": ("closed", None),
}


def check_demo_world(city: Unit) -> None:
    """Each demo campaign stands at its point of the process, with the data its pages show."""
    today = timezone.localdate()
    demo = Campaign.objects.filter(organizer=city, stages__kind="publicity").distinct()
    found = {}
    for campaign in demo.select_related("school_framework", "district_framework"):
        record = campaign.school_framework or campaign.district_framework
        assert record is not None
        found[record.key] = campaign
        status, running = POINTS[record.key]
        state = stages.stage_state(campaign)
        assert campaign.status == status, campaign.name
        assert (state.stage.kind if state.running and state.stage else None) == running, campaign.name
    assert set(found) == set(POINTS) & passing_keys()
    statuses = set(Application.objects.filter(campaign__in=demo).values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "rejected", "accepted", "recommended", "selected", "not_selected"} <= (
        statuses
    )
    returned = Application.objects.filter(status="returned")
    assert returned.exists() and all(a.fix_deadline and a.fix_deadline > timezone.now() for a in returned)
    # every submitted application has its version and real evidence files the reviewers can open
    for application in Application.objects.filter(campaign__in=demo).exclude(status="draft"):
        assert application.versions.exists() and application.evidence.exists(), application
    for evidence in Evidence.objects.all()[:20]:
        head = evidence.file.open("rb").read(8)
        evidence.file.close()
        assert head.startswith(b"%PDF-") or head == b"\x89PNG\r\n\x1a\n"
    # the experts have open and submitted sheets; the 公示 covers today and has an objection to answer
    sheets = Assignment.objects.filter(expert__user__username__startswith="demo-expert")
    assert set(sheets.values_list("status", flat=True)) >= {"assigned", "confirmed", "submitted"}
    if "bozhou-2024-school" in found:
        publication = Publication.objects.get(campaign=found["bozhou-2024-school"])
        assert publication.status == "publicity" and publication.starts_on <= today <= publication.ends_on
        assert publication.entries.filter(selected=True).exists()
        assert Objection.objects.filter(campaign=found["bozhou-2024-school"], status="open").exists()
    if "sichuan-2023-school" in found:  # selected last year, now in the second year of cultivation
        projects = Project.objects.filter(selection=found["sichuan-2023-school"])
        assert projects.exists() and all(365 < (today - p.start_date).days < 730 for p in projects)
        assert {p.status for p in projects} <= {"active", "warning"}
        annual = Evaluation.objects.filter(project__in=projects, kind="annual", sequence=1)
        assert annual.count() == projects.count() and not annual.filter(outcome="pending").exists()
        assert Evaluation.objects.filter(project__in=projects, kind="midterm", campaign__status="open").exists()


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_world(monkeypatch: pytest.MonkeyPatch, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"  # the evidence files the demo uploads
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out, err = run("seed_demo")
    assert "未能建立" not in err, err
    first = counts()
    city = Unit.objects.get(name="示例市", kind="city")
    counties = Unit.objects.filter(parent=city, kind="county")
    assert sorted(counties.values_list("name", flat=True)) == ["城关区", "清河县", "示例高新区"]
    schools = Unit.objects.filter(parent__in=counties, kind="school")
    assert schools.count() == 30
    assert set(schools.values_list("stage", flat=True)) == set(Unit.Stage.values)
    assert set(schools.values_list("area", flat=True)) == {"urban", "rural"}
    assert not schools.filter(students__isnull=True).exists()
    for county in counties:  # Bozhou: at least 2 rural schools per county can be recommended
        assert schools.filter(parent=county, area="rural").count() >= 2
    roles = set(Membership.objects.filter(user__username__startswith="demo-").values_list("role", flat=True))
    assert roles == {"applicant", "head", "county_reviewer", "organizer", "expert", "admin"}
    assert User.objects.get(username="demo-admin").is_superuser
    usable = passing_keys()
    check_demo_world(city)
    campaigns = Campaign.objects.filter(organizer=city, stages__kind="publicity").distinct()
    used = {
        key
        for c in campaigns.select_related("school_framework", "district_framework")
        for key in (c.school_framework and c.school_framework.key, c.district_framework and c.district_framework.key)
        if key
    }
    assert used == usable & {
        "bozhou-2024-school",
        "bozhou-2024-district",
        "sichuan-2023-school",
        "sichuan-2023-district",
        "xiamen-trial-school",
        "taizhou-2022-school",
    }
    sichuan = campaigns.filter(district_framework__key="sichuan-2023-district").first()
    assert sichuan is not None and sichuan.min_self_score == 70 and sichuan.kind == "creation"
    bozhou = campaigns.filter(school_framework__key="bozhou-2024-school").first()
    if bozhou is not None:
        assert (bozhou.max_schools_per_county, bozhou.min_rural_per_county) == (10, 2)
    for campaign in campaigns:
        assert campaign.stages.count() == 4 and campaign.covered_units.count() == 3
    assert "demo-organizer" in out and "市/省组织者" in out and "用户名" in out and "密码" in out
    password = next(line.split()[1] for line in out.splitlines() if line.startswith("demo-school "))
    c = login("demo-school", password)
    page = c.get(reverse("applications:mine")).content.decode()
    assert "城关区实验小学" in page and "已退回" in page and "填报中" in page
    passwords = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith("demo-")}
    for who in ("demo-county", "demo-organizer", "demo-expert1"):
        assert login(who, passwords[who]).get("/").status_code == 200

    out2, _ = run("seed_demo")
    assert counts() == first
    check_demo_world(city)
    password2 = next(line.split()[1] for line in out2.splitlines() if line.startswith("demo-school "))
    assert password2 != password  # new random passwords each run
    monkeypatch.setenv("DEMO_PASSWORD", "Fixed-demo-pass-1")
    run("seed_demo")
    assert counts() == first
    c = login("demo-organizer", "Fixed-demo-pass-1")
    page = c.get(reverse("campaigns:list")).content.decode()
    assert all(campaign.name in page for campaign in campaigns)
