"""The review and selection journey in Chromium, one role after another: the county returns
one application, recommends within the quota (and is refused over it), the organizer forms a
panel and assigns, two experts score with a divergence, the organizer computes (trimmed mean),
ranks, publishes; someone objects on the public page; the organizer answers and finalizes; the
school reads its result. Screenshots: screenshots/review-*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from campuseval.applications.models import Application
from campuseval.orgs.models import Unit
from campuseval.reviews.models import Assignment, Objection, Publication, Result

from ..reviews.conftest import expert, submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"review-{name}.png"), full_page=True)


def test_review_journey(page: Any, live_server: Any, world: dict, shots: Path) -> None:
    extra = Unit.objects.create(
        code="X4",
        name="甲县第4小学",
        kind=Unit.Kind.SCHOOL,
        parent=world["x"],
        stage=Unit.Stage.PRIMARY,
        area=Unit.Area.URBAN,
    )
    apps = [*world["apps"], submitted(world["campaign"], world["record"], extra, bw=350)]
    base = live_server.url

    # county reviewer: return one, accept four
    login(page, live_server, world["reviewer"])
    page.goto(f"{base}/reviews/county/")
    assert page.locator("tbody tr").count() == 5
    shot(page, shots, "01-county-list")
    page.goto(f"{base}/reviews/county/{apps[4].pk}/")
    page.select_option("select[name=decision]", "returned")
    page.fill("input[name=reason]", "请补充出口带宽合同")
    page.click("text=保存初审结论")
    for app in apps[:4]:
        page.goto(f"{base}/reviews/county/{app.pk}/")
        page.select_option("select[name=decision]", "accepted")
        page.fill("textarea[name=opinion]", "同意推荐")
        page.click("text=保存初审结论")
    assert Application.objects.get(pk=apps[4].pk).status == "returned"
    page.goto(f"{base}/reviews/county/recommend/{world['campaign'].pk}/")
    for box in page.locator("input[name=application]").all():
        box.check()
    page.fill("input[name=filled_by]", "王老师")
    page.click("text=保存名单")
    assert page.locator(".alert-danger").inner_text().strip().startswith("推荐学校 4 所，超过每县（区）最多 3 所的名额")
    assert page.locator("input[name=filled_by]").input_value() == "王老师"
    shot(page, shots, "02-over-quota")
    page.locator("input[name=application]").last.uncheck()
    page.click("text=保存名单")
    page.fill("input[name=confirmed_name]", "李局长")
    page.click("text=确认并冻结名单")
    assert "名单已冻结" in page.content()
    shot(page, shots, "03-recommended")
    recommended = list(Application.objects.filter(status="recommended"))
    assert len(recommended) == 3

    # organizer: settings, panel, automatic assignment
    e1, e2 = expert("zhang_e", world["y"]), expert("li_e", world["y"])
    login(page, live_server, world["organizer"])
    # the expert pool: a conflict the organizer knows of is recorded (an unrecommended school)
    page.goto(f"{base}/reviews/experts/")
    row = page.locator("tr", has_text="zhang_e")
    row.locator("input[name=unit]").fill("X3")
    row.locator("input[name=reason]").fill("曾任该校副校长")
    row.locator("button:has-text('登记回避')").click()
    assert "曾任该校副校长" in page.locator("tr", has_text="zhang_e").inner_text()
    shot(page, shots, "04a-expert-pool")
    page.goto(f"{base}/reviews/organizer/{world['campaign'].pk}/")
    page.fill("#id_experts_per_application", "2")
    page.select_option("#id_method", "trimmed_mean")
    page.fill("#id_divergence_total", "2")
    page.click("text=保存设置")
    page.fill("input[name=name]", "材料评审组")
    page.select_option("select[name=experts]", [str(e1.pk), str(e2.pk)])
    page.click("text=创建专家组")
    page.click("text=自动分配")
    assert Assignment.objects.count() == 6
    shot(page, shots, "04-organizer-assigned")

    # two experts score the first recommended application differently
    target = next(a for a in recommended if a.pk == world["apps"][0].pk)
    for who, bw in ((e1, "600"), (e2, "300")):
        login(page, live_server, who.user)
        assignment = Assignment.objects.get(expert=who, application=target)
        page.goto(f"{base}/reviews/expert/{assignment.pk}/")
        assert target.unit.name in page.content()  # whom it concerns, before confirming
        page.click("text=我确认与该申报单位无利益冲突")
        page.fill("input[name=points_1]", "6" if bw == "600" else "3")
        page.fill("input[name=comment_1]", f"出口带宽 {bw}M")
        page.fill("input[name=points_2]", "4")
        page.click("text=提交评分（提交后锁定）")
        assert "已提交" in page.content()
        shot(page, shots, f"05-expert-{who.user.username}")
    for assignment in Assignment.objects.exclude(application=target):
        user = assignment.expert.user
        login(page, live_server, user)
        page.goto(f"{base}/reviews/expert/{assignment.pk}/")
        page.click("text=我确认与该申报单位无利益冲突")
        page.fill("input[name=points_1]", "6")
        page.fill("input[name=points_2]", "4")
        page.click("text=提交评分（提交后锁定）")

    # organizer computes, sees the divergence, publishes
    login(page, live_server, world["organizer"])
    page.goto(f"{base}/reviews/organizer/{world['campaign'].pk}/")
    page.click("text=计算结果与排名")
    assert "需复议：专家总分极差 3" in page.content()
    assert "去掉最高最低分后平均（本项仅 2 位专家，按算术平均）" in page.content()
    shot(page, shots, "06-results")
    today = dt.date.today()
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=7)).isoformat())
    page.click("text=发布拟定名单（公示）")
    assert Publication.objects.get().status == "publicity"

    # anyone objects on the public page
    page.context.clear_cookies()
    page.goto(f"{base}/reviews/public/{world['campaign'].pk}/")
    page.fill("#id_text", "该校带宽数据存疑")
    page.click("text=提交异议")
    # the browser refuses the empty required fields before sending; what was typed stays
    assert page.locator("#id_name").evaluate("e => e.validationMessage") != ""
    assert page.locator("#id_text").input_value() == "该校带宽数据存疑"
    assert not Objection.objects.exists()
    page.select_option("#id_application", index=1)
    page.fill("#id_name", "张三")
    page.fill("#id_contact", "13800000000")
    page.click("text=提交异议")
    assert Objection.objects.get().name == "张三"
    shot(page, shots, "07-public")

    # organizer answers (rejected, with its reason), explains the divergence and, once the
    # 公示 is over, finalizes; the school reads its result
    login(page, live_server, world["organizer"])
    page.goto(f"{base}/reviews/organizer/{world['campaign'].pk}/")
    page.select_option("select[name=outcome]", "rejected")
    page.fill("input[name=answer]", "经核查，带宽合同真实有效")
    page.click("button:has-text('答复')")
    page.fill("input[aria-label='分歧处理说明']", "两位专家对带宽认定不同，以合同为准")
    page.click("button:has-text('记录')")
    assert "分歧已核实" in page.content()
    assert page.locator("button:has-text('公示结束，发布最终名单')").is_disabled()
    Publication.objects.update(starts_on=today - dt.timedelta(days=8), ends_on=today - dt.timedelta(days=1))
    page.reload()
    page.click("button:has-text('公示结束，发布最终名单')")
    assert Publication.objects.get().status == "final"
    result = Result.objects.get(application=world["apps"][0])
    login(page, live_server, world["applicant"])
    page.goto(f"{base}/notifications/")
    assert "最终结果" in page.content()
    page.goto(f"{base}/reviews/results/{result.pk}/")
    assert "专家1" in page.content() and "zhang_e" not in page.content()
    shot(page, shots, "08-school-result")

    # the organizer reads one application's trail: who accepted, assigned, scored, published
    login(page, live_server, world["organizer"])
    page.goto(f"{base}/reviews/organizer/{world['campaign'].pk}/audit/")
    page.fill("#audit-school", world["apps"][0].unit.code)
    page.click("button:has-text('查看')")
    trail = page.locator("tbody").inner_text()
    assert "county_review.accepted" in trail and "expert_score.submit" in trail
    assert "甲县第1小学" not in trail
    shot(page, shots, "09-audit-one-application")
