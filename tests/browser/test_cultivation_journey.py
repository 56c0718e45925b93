"""The cultivation cycle in Chromium on fixed dates: the organizer's overview with status and
risk, a school's plan upload, a district's progress view with the change per section, a final
evaluation entered on the page that reaches 100 but fails the sampled-school condition, and one
that is awarded. Screenshots: screenshots/cultivation-*.png."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from campuseval.accounts.models import Membership, Role, User
from campuseval.cultivation import services
from campuseval.cultivation.models import Project

from ..cultivation.conftest import Clock
from ..cultivation.test_cycle import setup  # noqa: F401 - the district/school world of the cycle test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"cultivation-{name}.png"), full_page=True)


def test_cultivation_journey(
    page: Any,
    live_server: Any,
    setup: dict,  # noqa: F811
    shots: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    clock = Clock(monkeypatch)
    clock.set(dt.date(2024, 1, 2))
    base, org = live_server.url, setup["organizer"]
    projects = {
        p.unit.code: p
        for p in services.create_projects(actor=org, selection=setup["selection"], start_date=dt.date(2024, 1, 1))
    }

    # the school uploads its implementation plan; the organizer accepts it
    head = User.objects.create_user(username="s1_head", password="x-Pass-12345", display_name="王校长")
    Membership.objects.create(user=head, unit=setup["s1"], role=Role.HEAD)
    plan = tmp_path / "实施方案.pdf"
    plan.write_bytes(b"%PDF-1.4 plan")
    login(page, live_server, head)
    page.goto(f"{base}/cultivation/{projects['S1'].pk}/")
    page.set_input_files("#plan-file", str(plan))
    page.click("button:has-text('提交实施方案')")
    assert "已提交，待受理" in page.content()
    shot(page, shots, "01-school-plan-submitted")
    login(page, live_server, org)
    page.goto(f"{base}/cultivation/{projects['S1'].pk}/")
    page.click("button:has-text('受理实施方案')")
    assert Project.objects.get(pk=projects["S1"].pk).status == Project.Status.ACTIVE
    for code in ("D1", "D2", "S3"):
        services.accept_plan(actor=org, project=projects[code], plan=services_plan())

    # years 1 and 2: annual reports and the mid-term; S3 is warned, then terminated
    clock.set(dt.date(2025, 1, 20))
    for code, c1, c38 in (("D1", 86, 16), ("D2", 80, 15), ("S1", 78, 14)):
        ev = projects[code].evaluations.get(kind="annual", sequence=1)
        services.record_evaluation(
            actor=org, evaluation=ev, indicators={"C1": D(c1), "C38": D(c38)}, outcome="continue"
        )
    services.record_evaluation(
        actor=org,
        evaluation=projects["S3"].evaluations.get(kind="annual", sequence=1),
        indicators={"C1": D(50), "C38": D(10)},
        outcome="warning",
        notes="网络安全等级保护未备案，三个月内整改",
    )
    clock.set(dt.date(2025, 7, 20))
    for code, c1, c38 in (("D1", 88, 16), ("D2", 84, 16), ("S1", 85, 15)):
        ev = projects[code].evaluations.get(kind="midterm")
        services.record_evaluation(
            actor=org, evaluation=ev, indicators={"C1": D(c1), "C38": D(c38)}, outcome="continue"
        )
    login(page, live_server, org)
    page.goto(f"{base}/cultivation/")
    assert "预警整改中：网络安全等级保护未备案" in page.content()
    shot(page, shots, "02-overview-warning")
    page.goto(f"{base}/cultivation/{projects['S3'].pk}/")
    page.fill("#terminate-reason", "以信息化建设名义乱收费")
    page.click("button:has-text('终止')")
    assert Project.objects.get(pk=projects["S3"].pk).status == Project.Status.TERMINATED

    # year 3: the school is awarded; D2 reaches 100 but fails the district conditions
    clock.set(dt.date(2026, 1, 20))
    for code, c1, c38 in (("D1", 89, 16), ("D2", 85, 16), ("S1", 86, 15)):
        ev = projects[code].evaluations.get(kind="annual", sequence=2)
        services.record_evaluation(
            actor=org, evaluation=ev, indicators={"C1": D(c1), "C38": D(c38)}, outcome="continue"
        )
    clock.set(dt.date(2027, 1, 10))
    services.record_evaluation(
        actor=org, evaluation=projects["S1"].evaluations.get(kind="final"), indicators={"C1": D(88), "C38": D(16)}
    )
    login(page, live_server, org)  # the session started in 2025 has expired by 2027
    page.goto(f"{base}/cultivation/{projects['D2'].pk}/")
    page.click("summary:has-text('录入线下评审结果')")
    page.fill("#p_C1", "86")
    page.fill("#p_C38", "20")
    page.select_option("#sampled-m", str(setup["s3"].pk))
    page.fill("#sampled-score", "59.5")
    page.click("button:has-text('保存评估结果')")
    note = page.locator("[data-award-note]").inner_text()
    assert "区域内尚无已授牌的智慧教育示范学校" in note
    assert "现场调研抽检学校（乙县中学）得分 59.5 分，低于 60 分" in note
    assert "C38 发展愿景：20 分超过创建评定分 16 分，按 16 分计" in note
    shot(page, shots, "03-district-not-awarded")

    # D1: an awarded school in the district and a sampled school at 75
    page.goto(f"{base}/cultivation/{projects['D1'].pk}/")
    page.click("summary:has-text('录入线下评审结果')")
    page.fill("#p_C1", "90")
    page.fill("#p_C38", "15")
    page.select_option("#sampled-m", str(setup["s1"].pk))
    page.fill("#sampled-score", "75")
    page.click("button:has-text('保存评估结果')")
    assert page.locator("[data-status]").inner_text() == "已授牌"
    assert "已建成智慧教育示范学校：甲区实验小学" in page.locator("[data-award-note]").inner_text()
    rows = page.locator("#progress tbody tr")
    assert rows.count() == 5  # creation, two annual reports, mid-term, final
    assert "终期评审" in rows.nth(4).inner_text() and "+9" in rows.nth(4).inner_text()
    shot(page, shots, "04-district-awarded-progress")

    page.goto(f"{base}/cultivation/")
    shot(page, shots, "05-overview-end")
    login(page, live_server, head)
    page.goto(f"{base}/cultivation/ladder/{setup['s1'].pk}/")
    assert "2023 示范区（校）遴选" in page.content()
    shot(page, shots, "06-school-ladder")


def services_plan() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("实施方案.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
