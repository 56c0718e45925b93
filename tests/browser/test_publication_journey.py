"""The publication journey in Chromium: the organizer publishes the proposed list for 公示;
someone objects on the public page naming a school; the organizer upholds it and opens a 复议
by two named experts; after they re-score, closing the 复议 publishes the corrected list as
publication 2; the final button stays disabled, saying why, until the 公示 is over; the final
list is then published and nothing on the desk can change it. Screenshots:
screenshots/publication-*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application
from campuseval.reviews import services
from campuseval.reviews.models import Assignment, Objection, Publication, Reconsideration, Result

from ..reviews.test_publication import scored

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"publication-{name}.png"), full_page=True)


def test_publication_objection_reconsideration_final(page: Any, live_server: Any, world: dict, shots: Path) -> None:
    s = scored(world)
    campaign = world["campaign"]
    base, today = live_server.url, timezone.localdate()
    desk = f"{base}/reviews/organizer/{campaign.pk}/"

    # the organizer publishes the proposed list for a 7-day 公示
    login(page, live_server, world["organizer"])
    page.goto(desk)
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=6)).isoformat())
    page.click("button:has-text('发布拟定名单')")
    assert Publication.objects.get().number == 1
    assert f"公示期至 {today + dt.timedelta(days=6)} 结束" in page.locator("#finalize-blockers").inner_text()
    assert page.locator("button:has-text('公示结束，发布最终名单')").is_disabled()
    assert page.locator("text=计算结果与排名").count() == 0
    shot(page, shots, "01-desk-publicity")

    # anyone reads the list: the two selected only; one objects, naming a school
    page.context.clear_cookies()
    page.goto(f"{base}/reviews/public/{campaign.pk}/")
    listed = page.locator("table").inner_text()
    assert "甲县第0小学" in listed and "甲县第1小学" in listed and "甲县第2小学" not in listed
    page.select_option("#id_application", label="甲县第0小学")
    page.fill("#id_name", "张三")
    page.fill("#id_contact", "13800000000")
    page.fill("#id_text", "甲县第0小学出口带宽实为 300M")
    shot(page, shots, "02-public-objection")
    page.click("text=提交异议")
    objection = Objection.objects.get()
    assert objection.application_id == s["apps"][0].pk

    # the organizer upholds it and opens a 复议 by both experts
    login(page, live_server, world["organizer"])
    page.goto(desk)
    page.select_option("select[name=outcome]", "upheld")
    page.fill("input[name=answer]", "经核查，带宽合同为 300M，异议成立")
    page.click("button:has-text('答复')")
    assert "请为该申报启动复议" in page.content()
    page.select_option("#rc-app", str(s["apps"][0].pk))
    page.select_option("#rc-obj", str(objection.pk))
    page.select_option("#rc-experts", [str(s["e1"].pk), str(s["e2"].pk)])
    page.fill("#rc-reason", "异议成立：按 300M 重新评审指标 1")
    page.click("button:has-text('启动复议')")
    shot(page, shots, "03-desk-reconsideration")
    reconsideration = Reconsideration.objects.get()
    assert reconsideration.status == "open"
    assert "复议专家尚未提交评分" not in page.content()

    # closing before the experts re-score is refused and says who is missing
    page.fill(f"#rc-s-{reconsideration.pk}", today.isoformat())
    page.fill(f"#rc-e-{reconsideration.pk}", (today + dt.timedelta(days=4)).isoformat())
    page.click("button:has-text('完成复议')")
    assert "复议专家尚未提交评分：e1、e2" in page.content()
    assert Publication.objects.count() == 1

    for a in Assignment.objects.filter(reconsideration=reconsideration).select_related("expert__user"):
        services.record_expert_score(
            actor=a.expert.user, assignment=a, revision=a.revision, answers={"1": {"bw": 300}, "2": {"ok": True}}
        )
        a.refresh_from_db()
        services.submit_expert_score(actor=a.expert.user, assignment=a)

    page.goto(desk)
    page.fill(f"#rc-s-{reconsideration.pk}", today.isoformat())
    page.fill(f"#rc-e-{reconsideration.pk}", (today + dt.timedelta(days=4)).isoformat())
    page.click("button:has-text('完成复议')")
    assert "已发布第2次公示（更正）" in page.content()
    first, second = Publication.objects.order_by("number")
    assert (first.status, second.status) == ("superseded", "publicity")
    assert first.entries.get(application=s["apps"][0]).final == 8.5
    assert second.entries.get(application=s["apps"][0]).final == 7
    shot(page, shots, "04-desk-republished")

    page.context.clear_cookies()
    page.goto(f"{base}/reviews/public/{campaign.pk}/")
    assert "第2次公示" in page.content() and "复议更正（甲县第0小学）" in page.content()
    shot(page, shots, "05-public-corrected")

    # the final list waits for the second 公示 to end; then it is published and frozen
    login(page, live_server, world["organizer"])
    page.goto(desk)
    assert page.locator("button:has-text('公示结束，发布最终名单')").is_disabled()
    Publication.objects.filter(pk=second.pk).update(
        starts_on=today - dt.timedelta(days=5), ends_on=today - dt.timedelta(days=1)
    )
    page.goto(desk)
    assert page.locator("#finalize-blockers").count() == 0
    page.click("button:has-text('公示结束，发布最终名单')")
    assert "最终名单已发布" in page.content()
    assert Publication.objects.get(pk=second.pk).status == "final"
    for label in ("计算结果与排名", "启动复议", "解锁"):
        assert page.locator(f"button:has-text('{label}')").count() == 0
    shot(page, shots, "06-desk-final")

    statuses = dict(Application.objects.values_list("unit__name", "status"))
    assert statuses["甲县第1小学"] == Application.Status.SELECTED
    officer = User.objects.create_user(username="officer_x0b", password="x-Pass-12345")
    Membership.objects.create(user=officer, unit=world["schools"][0], role=Role.APPLICANT)
    login(page, live_server, officer)
    result = Result.objects.get(application=s["apps"][0])
    page.goto(f"{base}/reviews/results/{result.pk}/")
    assert "7.00" in page.content() and "以最终名单（第2次公示）为准" in page.content()
    shot(page, shots, "07-school-result")
