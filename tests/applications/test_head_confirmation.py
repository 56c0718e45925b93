"""The officer (学校填报员) asks the head (学校负责人) to confirm the authenticity promise and
submit: a notification for each head linking to the submit page, an audit entry, once in ten
minutes per application, refused (404) for anyone who is not the school's officer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import Membership, Role
from campuseval.applications import confirmation, services
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.notifications.models import Notification
from tests.web.appworld import World, complete_application, make_user


def ask_url(app: Application) -> str:
    return reverse("applications:ask_head", args=[app.pk])


def submit_url(app: Application) -> str:
    return reverse("applications:submit", args=[app.pk])


def asks() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=confirmation.ASK_HEAD).order_by("pk"))


def test_officer_asks_the_head_who_gets_a_notification_linking_to_the_submit_page(w: World, app: Application) -> None:
    app = complete_application(w, app)
    officer = w.client("school_officer")
    page = officer.get(submit_url(app)).content.decode()
    assert 'id="ask-head"' in page and "将通知：school_head" in page
    response = officer.post(ask_url(app), {"note": "请今天下班前确认"}, follow=True)
    assert response.redirect_chain == [(submit_url(app), 302)]
    page = response.content.decode()
    assert "已通知 school_head 确认并提交" in page
    assert "school_officer 已于" in page and "提醒过负责人" in page  # the last ask is shown
    note = Notification.objects.get()
    assert note.user == w.users["school_head"]
    assert note.link == submit_url(app)
    assert note.text == (
        f"school_officer请您确认真实性承诺并提交《{w.campaign.name}》的申报，申报内容已完整。留言：请今天下班前确认"
    )
    (entry,) = asks()
    assert entry.actor == w.users["school_officer"]
    assert entry.object_id == str(app.pk) and entry.unit_id == w.school_a.pk and entry.campaign_id == w.campaign.pk
    assert entry.after == {"heads": [w.users["school_head"].pk], "problems": 0, "note": "请今天下班前确认"}
    # the head reaches the submit page from the notification and finds the promise there
    head_page = w.client("school_head").get(note.link).content.decode()
    assert "确认承诺并提交" in head_page and 'id="ask-head"' not in head_page


def test_an_incomplete_application_may_be_asked_for_and_the_head_is_told_what_is_missing(
    w: World, app: Application
) -> None:
    officer = w.client("school_officer")
    page = officer.get(submit_url(app)).content.decode()
    assert "申报尚有未完成的事项" in page
    officer.post(ask_url(app), {"note": ""})
    problems = len(services.submission_problems(app))
    assert problems > 0
    note = Notification.objects.get(user=w.users["school_head"])
    assert f"尚有 {problems} 项需完成（见提交页）" in note.text and "留言" not in note.text
    assert asks()[0].after == {"heads": [w.users["school_head"].pk], "problems": problems}


def test_every_active_head_is_notified_and_an_inactive_one_is_not(w: World, app: Application) -> None:
    second = make_user("deputy_head", w.school_a, Role.HEAD)
    gone = make_user("former_head", w.school_a, Role.HEAD)
    gone.is_active = False
    gone.save()
    w.client("school_officer").post(ask_url(app), {})
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["deputy_head", "school_head"]
    assert asks()[0].after["heads"] == [w.users["school_head"].pk, second.pk]


def test_a_second_ask_within_ten_minutes_is_refused_with_the_note_kept(w: World, app: Application) -> None:
    officer = w.client("school_officer")
    officer.post(ask_url(app), {"note": "第一次"})
    response = officer.post(ask_url(app), {"note": "再催一下"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "school_officer已于" in page and "10 分钟内只提醒一次，请 10 分钟后再提醒" in page
    assert "再催一下</textarea>" in page  # nothing typed is lost
    assert Notification.objects.count() == 1 and len(asks()) == 1
    # another officer of the same school is held back as well: the head is not reminded twice
    colleague = make_user("second_officer", w.school_a, Role.APPLICANT)
    with pytest.raises(ValidationError, match="10 分钟内只提醒一次"):
        services.ask_head_to_submit(actor=colleague, application=app)
    # eleven minutes later the officer may remind again
    later = timezone.now() + dt.timedelta(minutes=11)
    services.ask_head_to_submit(actor=w.users["school_officer"], application=app, note="再催一下", now=later)
    assert Notification.objects.count() == 2 and len(asks()) == 2


@pytest.mark.parametrize("who", ["school_head", "outsider", "county_reviewer", "organizer", "expert"])
def test_anyone_but_the_schools_officer_gets_404_and_nothing_is_sent(w: World, app: Application, who: str) -> None:
    response = w.client(who).post(ask_url(app), {"note": "越权"})
    assert response.status_code == 404
    assert not Notification.objects.exists() and not asks()
    # the head sees no ask button (they submit themselves), nor does anyone else reading the page
    if who == "school_head":
        assert 'id="ask-head"' not in w.client(who).get(submit_url(app)).content.decode()


def test_anonymous_is_sent_to_login_and_get_is_not_allowed(w: World, app: Application) -> None:
    assert Client().post(ask_url(app)).status_code == 302
    assert w.client("school_officer").get(ask_url(app)).status_code == 405
    assert not Notification.objects.exists()


def test_no_head_account_is_named_and_refused(w: World, app: Application) -> None:
    Membership.objects.filter(user=w.users["school_head"]).delete()
    officer = w.client("school_officer")
    assert "本校还没有学校负责人账号" in officer.get(submit_url(app)).content.decode()
    page = officer.post(ask_url(app), {}).content.decode()
    assert "本校尚未设置学校负责人账号，请联系上级教育行政部门的管理员分配负责人角色" in page
    assert not Notification.objects.exists() and not asks()


def test_a_submitted_application_needs_no_ask(w: World, app: Application) -> None:
    app = complete_application(w, app)
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    response = w.client("school_officer").post(ask_url(app), {}, follow=True)
    assert response.redirect_chain == [(submit_url(app), 302)]
    assert "申报当前状态为“已提交”，不需要负责人确认提交" in response.content.decode()
    assert not Notification.objects.exists()


def test_a_note_too_long_is_named_and_kept(w: World, app: Application) -> None:
    text = "请" * 151
    page = w.client("school_officer").post(ask_url(app), {"note": text}).content.decode()
    assert "给负责人的留言：给负责人的留言不能超过 150 个字（现有 151 个字）" in page
    assert f"{text}</textarea>" in page
    assert not Notification.objects.exists()


def test_an_ask_before_the_last_submission_does_not_count_for_the_returned_turn(w: World, app: Application) -> None:
    """The head's home lists an application as asked only for the current turn: after the
    submission and a return, the officer's earlier ask is history."""
    app = complete_application(w, app)
    services.ask_head_to_submit(actor=w.users["school_officer"], application=app)
    assert set(confirmation.latest_asks([app])) == {app.pk}
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    services.return_application(actor=w.users["county_reviewer"], application=app, reason="请补充带宽合同")
    app.refresh_from_db()
    assert confirmation.latest_asks([app]) == {}


def test_after_the_apply_deadline_the_head_is_not_asked_to_submit(w: World, app: Application) -> None:
    w.stage.deadline = timezone.now() - dt.timedelta(hours=1)
    w.stage.save()
    page = w.client("school_officer").post(ask_url(app), {"note": "来得及吗"}).content.decode()
    assert f"申报已于 {timezone.localtime(w.stage.deadline):%Y-%m-%d %H:%M} 截止" in page
    assert "来得及吗</textarea>" in page
    assert not Notification.objects.exists() and not asks()
