"""A returned application tells the school on its workspace, not only in 消息通知: who returned
it (the reviewing unit and the person, from the return's audit entry) and when, the reason, the
补正截止 with the days left, and links to the indicators, 申报书 fields or scan the reason names
(or the county adjusted in the decision that returned it)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from campuseval.applications import returns, services
from campuseval.applications.models import Application
from campuseval.campaigns import stages
from campuseval.campaigns.models import Stage
from campuseval.reviews.services import AdjustmentInput, decide_county_review
from tests.web.appworld import World, complete_application


@pytest.fixture
def submitted(w: World) -> Application:
    app = services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)
    app = complete_application(w, app)
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    app.refresh_from_db()
    return app


def notice_block(page: str) -> str:
    return page.split('id="returned"', 1)[1].split("</section>", 1)[0]


def test_the_county_decision_return_is_shown_with_who_when_why_until_and_what_to_fix(
    w: World, submitted: Application
) -> None:
    now = timezone.now()
    Stage.objects.create(
        campaign=w.campaign, kind=Stage.Kind.COUNTY_REVIEW, starts_at=now - dt.timedelta(days=1),
        deadline=now + dt.timedelta(days=20),
    )  # fmt: skip
    fix_day = (timezone.localtime() + dt.timedelta(days=5)).date()
    decide_county_review(
        actor=w.users["county_reviewer"],
        application=submitted,
        decision="returned",
        reason="指标1.1的网络服务合同不清晰，联系电话有误，请重新上传盖章扫描件",
        adjustments=[AdjustmentInput(code="1.3", field="platform", value="租用", reason="平台为租用")],
        fix_deadline=fix_day,
    )
    submitted.refresh_from_db()
    page = w.client("school_officer").get(reverse("applications:form", args=[submitted.pk])).content.decode()
    block = notice_block(page)
    assert "申报已退回修改" in block
    returned_at = timezone.localtime(submitted.returned_at)
    assert f"退回人：甲县 county_reviewer · 退回时间：{returned_at:%Y-%m-%d %H:%M}" in block
    assert "县级退回理由：指标1.1的网络服务合同不清晰，联系电话有误，请重新上传盖章扫描件" in block
    deadline = timezone.localtime(submitted.fix_deadline)
    assert deadline.date() == fix_day and f"补正截止：{deadline:%Y-%m-%d %H:%M}" in block
    assert f"（剩余 {stages.days_until(submitted.fix_deadline)} 天），请在此之前修改并重新提交" in block
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', block)
    assert links == [
        (reverse("applications:indicator", args=[submitted.pk, "1.1"]), "1.1 出口带宽"),
        (reverse("applications:indicator", args=[submitted.pk, "1.3"]), "1.3 平台建设"),  # adjusted by the county
        (reverse("applications:form", args=[submitted.pk]), "申报书：联系电话"),
        (reverse("applications:submit", args=[submitted.pk]) + "#stamped-scan", "盖章申报书扫描件"),
    ]
    # the head reads the same notice on every workspace page
    head = w.client("school_head").get(reverse("applications:submit", args=[submitted.pk])).content.decode()
    assert "县级退回理由：指标1.1的网络服务合同不清晰" in notice_block(head)


def test_the_plain_return_names_its_reviewer_and_an_overdue_deadline(w: World, submitted: Application) -> None:
    services.return_application(actor=w.users["county_reviewer"], application=submitted, reason="请补充说明")
    Application.objects.filter(pk=submitted.pk).update(fix_deadline=timezone.now() - dt.timedelta(hours=1))
    block = notice_block(
        w.client("school_officer").get(reverse("applications:form", args=[submitted.pk])).content.decode()
    )
    assert "退回人：甲县 county_reviewer" in block and "县级退回理由：请补充说明" in block
    assert "（已过补正截止时间）" in block and "剩余" not in block
    assert 'id="returned-fix"' not in block  # the reason names nothing to link to


def test_no_notice_before_a_return_nor_after_the_resubmission(w: World, submitted: Application) -> None:
    url = reverse("applications:form", args=[submitted.pk])
    assert 'id="returned"' not in w.client("school_officer").get(url).content.decode()
    services.return_application(actor=w.users["county_reviewer"], application=submitted, reason="请补充说明")
    assert 'id="returned"' in w.client("school_officer").get(url).content.decode()
    submitted.refresh_from_db()
    services.submit_application(actor=w.users["school_head"], application=submitted, promise_confirmed=True)
    assert 'id="returned"' not in w.client("school_officer").get(url).content.decode()


def test_a_code_counts_only_standing_alone_and_a_title_by_its_words(w: World, submitted: Application) -> None:
    fw = services.framework_of(submitted)
    found = returns.mentioned_indicators(fw, "带宽 21.1M、第 1.10 项均非指标；另请补充应用场景说明", [])
    assert [m.code for m in found] == ["1.4"]  # 应用场景 by its title; 21.1 and 1.10 are not 1.1
    assert [m.code for m in returns.mentioned_indicators(fw, "见 1.2。", [])] == ["1.2"]
