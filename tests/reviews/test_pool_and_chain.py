"""The expert pool (专家库) and conflicts of interest, panels and batch assignment, e-mail on
each event, the per-application audit trail, and the city step of a school → county → city →
province campaign."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.campaigns.models import Campaign, Stage
from campuseval.notifications.models import Notification
from campuseval.orgs.models import Unit
from campuseval.reviews import queries, services
from campuseval.reviews.models import (
    Assignment,
    Conflict,
    Expert,
    Panel,
    RecommendationList,
    ReviewSettings,
)
from campuseval.reviews.tasks import remind

from .conftest import expert, recommended, sheet, submitted, user

pytestmark = pytest.mark.django_db


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


# --- expert pool ---------------------------------------------------------------------------------


def test_organizer_adds_an_expert_by_hand(world: dict) -> None:
    page = client_for(world["organizer"])
    response = page.post(
        reverse("reviews:expert_add"),
        {
            "action": "add",
            "username": "wang_e",
            "display_name": "王教授",
            "email": "wang@example.cn",
            "unit": "Y0",
            "title": "正高级教师",
            "fields": "智慧课堂",
        },
        follow=True,
    )
    text = response.content.decode()
    expert_row = Expert.objects.get(user__username="wang_e")
    assert (expert_row.unit.code, expert_row.region.code, expert_row.fields) == ("Y0", "Y", "智慧课堂")
    assert Membership.objects.filter(user=expert_row.user, role=Role.EXPERT, unit__code="Y0").exists()
    assert "专家 王教授 已入库；初始密码" in text and "王教授" in text
    entry = AuditEntry.objects.get(action="expert.add")
    assert entry.actor == world["organizer"] and entry.after["region"] == "Y"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "a b", "display_name": "王", "unit": "Y0"}, "用户名只能包含字母"),
        ({"username": "wang_e", "display_name": "", "unit": "Y0"}, "此项必填"),
        ({"username": "wang_e", "display_name": "王", "unit": "NOPE"}, "请选择本级或下级的工作单位"),
        ({"username": "wang_e", "display_name": "王", "unit": "Y0", "region": "Y0"}, "所在区县须为本辖区内的区县"),
        ({"username": "wang_e", "display_name": "王", "unit": "Y0", "region": "ZZ"}, "区县代码「ZZ」不存在"),
        ({"username": "wang_e", "display_name": "王\x00", "unit": "Y0"}, "不可见的空字符"),
        ({"username": "wang_e", "display_name": "王", "unit": "Y0", "email": "no-at"}, "邮箱格式不正确"),
    ],
)
def test_bad_expert_is_refused_with_the_reason_and_typed_values_kept(world: dict, data: dict, message: str) -> None:
    posted = {"action": "add", "fields": "原文领域", **data}
    text = client_for(world["organizer"]).post(reverse("reviews:expert_add"), posted).content.decode()
    assert message in text
    assert 'value="原文领域"' in text
    assert not Expert.objects.exists() and not User.objects.filter(username="wang_e").exists()


def test_an_organizer_elsewhere_cannot_put_our_units_in_its_pool(world: dict) -> None:
    other_city = Unit.objects.create(code="C2", name="另一市", kind=Unit.Kind.CITY)
    stranger = user("organizer_c2", other_city, Role.ORGANIZER)
    with pytest.raises(ValidationError):
        services.add_expert(actor=stranger, username="x_e", display_name="某", unit=world["schools"][0])
    mine = expert("e1", world["y"])
    assert "专家库中暂无符合条件的专家" in client_for(stranger).get(reverse("reviews:expert_pool")).content.decode()
    response = client_for(stranger).post(
        reverse("reviews:expert_update", args=[mine.pk]),
        {"action": "update", "expert": mine.pk, "title": "改", "fields": "", "region": ""},
    )
    assert response.status_code == 404
    assert Expert.objects.get(pk=mine.pk).title == ""


def test_update_and_take_out_of_the_pool(world: dict) -> None:
    apps = recommended(world)
    e1, e2 = expert("e1", world["y"], world["y"]), expert("e2", world["y"], world["y"])
    client_for(world["organizer"]).post(
        reverse("reviews:expert_update", args=[e1.pk]),
        {"action": "update", "expert": e1.pk, "title": "副院长", "fields": "数据治理", "region": "Y"},
    )
    e1.refresh_from_db()
    assert (e1.title, e1.fields, e1.is_active) == ("副院长", "数据治理", False)
    entry = AuditEntry.objects.get(action="expert.update")
    assert entry.before["is_active"] is True and entry.after["is_active"] is False
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    panel.members.set([e1, e2])
    services.auto_assign(actor=world["organizer"], panel=panel, per_application=1)
    assert set(Assignment.objects.values_list("expert_id", flat=True)) == {e2.pk}
    assert Assignment.objects.count() == len(apps)


def test_pool_filters(world: dict) -> None:
    e1 = expert("e1", world["y"], world["y"])
    e1.fields = "人工智能教育"
    e1.save()
    expert("e2", world["x"], world["x"])
    org = client_for(world["organizer"])
    page = org.get(reverse("reviews:expert_pool"), {"q": "人工智能"}).content.decode()
    assert ">e1<" in page and ">e2<" not in page
    page = org.get(reverse("reviews:expert_pool"), {"region": world["x"].pk}).content.decode()
    assert ">e2<" in page and ">e1<" not in page


@pytest.mark.parametrize("extra", [0, 6])
def test_pool_query_count_does_not_grow(world: dict, django_assert_num_queries, extra: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(1 + extra):
        e = expert(f"pool{i}", world["y"], world["y"])
        Conflict.objects.create(expert=e, unit=world["schools"][0], reason="曾任职")
    org = client_for(world["organizer"])
    org.get(reverse("reviews:expert_pool"))  # warm the session and caches
    with django_assert_num_queries(QUERIES_POOL):
        page = org.get(reverse("reviews:expert_pool")).content.decode()
    assert page.count("曾任职") == 1 + extra


#: session (read, not written), user with their memberships and units' paths (one statement),
#: the pool's total, the page of the pool, conflicts, regions, the shell (base.html) and its menu
#: of campaigns in the organizer's region (one prefix query)
QUERIES_POOL = 9


# --- conflicts of interest (回避) ------------------------------------------------------------------


def test_organizer_adds_a_conflict_and_assignment_respects_it(world: dict) -> None:
    apps = recommended(world)
    e1 = expert("e1", world["y"], world["y"])
    org = client_for(world["organizer"])
    kept = org.post(
        reverse("reviews:expert_conflict", args=[e1.pk]),
        {"action": "conflict", "expert": e1.pk, "unit": "X0", "reason": ""},
    ).content.decode()
    assert "此项必填" in kept and not Conflict.objects.exists()
    unknown = org.post(
        reverse("reviews:expert_conflict", args=[e1.pk]),
        {"action": "conflict", "expert": e1.pk, "unit": "NOPE", "reason": "原文理由"},
    ).content.decode()
    assert "单位代码「NOPE」不存在" in unknown and 'value="原文理由"' in unknown
    org.post(
        reverse("reviews:expert_conflict", args=[e1.pk]),
        {"action": "conflict", "expert": e1.pk, "unit": "X0", "reason": "曾任该校校长"},
    )
    conflict = Conflict.objects.get()
    assert (conflict.unit.code, conflict.declared_by_expert) == ("X0", False)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    with pytest.raises(ValidationError, match="已登记回避：曾任该校校长"):
        services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e1)
    # removing needs a reason, and is logged with what was removed
    org.post(
        reverse("reviews:expert_conflict_remove", args=[e1.pk, conflict.pk]),
        {"action": "remove_conflict", "expert": e1.pk, "conflict": conflict.pk},
    )
    assert Conflict.objects.exists()
    org.post(
        reverse("reviews:expert_conflict_remove", args=[e1.pk, conflict.pk]),
        {"action": "remove_conflict", "expert": e1.pk, "conflict": conflict.pk, "reason": "登记错误"},
    )
    assert not Conflict.objects.exists()
    assert AuditEntry.objects.get(action="conflict.remove").before["reason"] == "曾任该校校长"
    services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e1)


def test_expert_declares_a_conflict_ahead_of_assignment(world: dict) -> None:
    apps = recommended(world)
    e1 = expert("e1", world["y"], world["y"])
    c = client_for(e1.user)
    bad = c.post(reverse("reviews:expert_list"), {"unit_code": "NOPE", "reason": "亲属在该校任职"}).content.decode()
    assert "单位代码「NOPE」不存在，请核对" in bad and 'value="亲属在该校任职"' in bad
    c.post(reverse("reviews:expert_list"), {"unit_code": "X", "reason": "曾在甲县任教研员"})
    conflict = Conflict.objects.get()
    assert conflict.declared_by_expert and conflict.unit == world["x"]
    assert "曾在甲县任教研员" in c.get(reverse("reviews:expert_list")).content.decode()
    twice = c.post(reverse("reviews:expert_list"), {"unit_code": "X", "reason": "再次"}).content.decode()
    assert "已登记回避 甲县" in twice
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    panel.members.set([e1])
    problems = services.auto_assign(actor=world["organizer"], panel=panel, per_application=1).problems
    assert not Assignment.objects.exists() and len(problems) == len(apps)
    with pytest.raises(PermissionDenied):
        services.declare_conflict(actor=world["reviewer"], unit=world["x"], reason="非专家")


# --- panels, batch assignment, e-mail -------------------------------------------------------------


def test_panel_formed_and_changed_through_the_desk_is_logged(world: dict) -> None:
    e1, e2 = expert("e1", world["y"]), expert("e2", world["y"])
    url = reverse("reviews:organizer", args=[world["campaign"].pk])
    org = client_for(world["organizer"])
    bad = org.post(
        url + "panels/", {"action": "panel", "name": "", "kind": "materials", "experts": [e1.pk]}
    ).content.decode()
    assert "此项必填" in bad and not Panel.objects.exists()
    org.post(url + "panels/", {"action": "panel", "name": "实地考察组", "kind": "site", "experts": [e1.pk]})
    panel = Panel.objects.get()
    assert (panel.kind, list(panel.members.all())) == ("site", [e1])
    org.post(url + "panels/members/", {"action": "members", "panel": panel.pk, "experts": [e1.pk, e2.pk]})
    assert set(panel.members.all()) == {e1, e2}
    entry = AuditEntry.objects.get(action="panel.members")
    assert entry.before == {"members": [e1.pk]} and entry.after == {"members": sorted([e1.pk, e2.pk])}


@pytest.fixture
def mail_on_commit(settings, django_capture_on_commit_callbacks, mailoutbox):  # type: ignore[no-untyped-def]
    """E-mail copies leave by a task enqueued when the transaction commits: run both at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_batch_assignment_skips_conflicts_and_mails_each_expert(world: dict, mailoutbox, mail_on_commit) -> None:  # type: ignore[no-untyped-def]
    apps = recommended(world)
    far, near = expert("far_e", world["y"], world["y"]), expert("near_e", world["x"], world["x"])
    far.user.email = "far@example.cn"
    far.user.save()
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    mailoutbox.clear()
    with mail_on_commit():
        page = client_for(world["organizer"]).post(
            reverse("reviews:assign_batch", args=[world["campaign"].pk]),
            {
                "action": "batch",
                "panel": panel.pk,
                "applications": [a.pk for a in apps[:2]],
                "experts": [far.pk, near.pk],
            },
            follow=True,
        )
    text = page.content.decode()
    assert set(Assignment.objects.values_list("expert_id", "application_id")) == {
        (far.pk, apps[0].pk),
        (far.pk, apps[1].pk),
    }
    assert "near_e → 甲县第0小学：专家与申报单位属同一区县" in text and "新增 2 项任务" in text
    assert [m.to for m in mailoutbox] == [["far@example.cn"]]
    assert "新的评审任务" in mailoutbox[0].subject
    # the pool of another organizer is not ours to use; nothing chosen is a clear message
    empty = client_for(world["organizer"]).post(
        reverse("reviews:assign_batch", args=[world["campaign"].pk]), {"action": "batch", "panel": panel.pk}
    )
    assert "请至少选择一份申报和一位专家" in empty.content.decode()


def test_only_recommended_applications_can_be_assigned(world: dict) -> None:
    recommended(world)
    e1 = expert("e1", world["y"])
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    not_recommended = world["apps"][3]
    with pytest.raises(ValidationError, match="尚未进入专家评审"):
        services.assign_expert(actor=world["organizer"], panel=panel, application=not_recommended, expert=e1)


def test_auto_assignment_mails_only_experts_given_work(world: dict, mailoutbox, mail_on_commit) -> None:  # type: ignore[no-untyped-def]
    recommended(world)
    busy, idle = expert("busy_e", world["y"]), expert("idle_e", world["y"])
    for e in (busy, idle):
        e.user.email = f"{e.user.username}@example.cn"
        e.user.save()
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    panel.members.set([busy, idle])
    with mail_on_commit():
        services.auto_assign(actor=world["organizer"], panel=panel, per_application=2)
    assert mailoutbox != []
    mailoutbox.clear()
    with mail_on_commit():
        services.auto_assign(actor=world["organizer"], panel=panel, per_application=2)  # nothing new to give
    assert mailoutbox == []
    assert Notification.objects.filter(user=busy.user, text__startswith="新的评审任务").count() == 1


def test_publication_notifies_applicants(world: dict, mailoutbox, mail_on_commit) -> None:  # type: ignore[no-untyped-def]
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1 = expert("e1", world["y"])
    for app in apps:
        sheet(
            world, services.assign_expert(actor=world["organizer"], panel=panel, application=app, expert=e1), 600, True
        )
    services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    mailoutbox.clear()
    today = dt.date.today()
    with mail_on_commit():
        services.publish_results(
            actor=world["organizer"], campaign=world["campaign"], starts_on=today, ends_on=today + dt.timedelta(days=5)
        )
    note = Notification.objects.filter(user=world["applicant"]).latest("created_at")
    assert "拟定名单已公示" in note.text
    assert any(m.to == ["applicant_x0@example.cn"] and "拟定名单已公示" in m.subject for m in mailoutbox)


def test_county_review_deadline_reminds_the_reviewer(world: dict) -> None:
    now = timezone.now()
    Stage.objects.create(
        campaign=world["campaign"],
        kind=Stage.Kind.COUNTY_REVIEW,
        starts_at=now - dt.timedelta(days=5),
        deadline=now + dt.timedelta(days=1),
    )
    assert remind(now=now) == 1
    note = Notification.objects.get(user=world["reviewer"])
    assert "县级初审将于" in note.text and note.link == "/reviews/county/"
    assert not Notification.objects.filter(user=world["outsider"]).exists()
    assert remind(now=now) == 0


# --- review settings and what experts see ---------------------------------------------------------


def test_settings_changes_are_logged_with_old_values(world: dict) -> None:
    url = reverse("reviews:organizer", args=[world["campaign"].pk])
    org = client_for(world["organizer"])
    data = {
        "action": "settings",
        "experts_per_application": "5",
        "method": "trimmed_mean",
        "level": "total",
        "site_weight": "0.3",
        "other_scores": "after_submit",
        "rural_places": "1",
    }
    org.post(url + "settings/", data)
    conf = ReviewSettings.objects.get(campaign=world["campaign"])
    assert (conf.method, str(conf.site_weight), conf.experts_per_application) == ("trimmed_mean", "0.30", 5)
    entry = AuditEntry.objects.get(action="review_settings.update")
    assert entry.before["method"] == "mean" and entry.after["method"] == "trimmed_mean"
    refused = org.post(url + "settings/", {**data, "city_review": "on"}).content.decode()
    assert "只有省级组织的活动可以增加市级推荐环节" in refused
    assert not ReviewSettings.objects.get(campaign=world["campaign"]).city_review
    bad = org.post(url + "settings/", {**data, "site_weight": "30"}).content.decode()
    assert "实地考察/答辩权重应在 0 到 1 之间" in bad and 'value="30"' in bad


def test_hidden_applicant_name_stays_hidden_on_the_task_list(world: dict) -> None:
    apps = recommended(world)
    ReviewSettings.objects.create(campaign=world["campaign"], hide_applicant=True)
    e1 = expert("e1", world["y"])
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    a = services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e1)
    services.confirm_no_conflict(actor=e1.user, assignment=a)
    listing = client_for(e1.user).get(reverse("reviews:expert_list")).content.decode()
    assert "甲县第0小学" not in listing and apps[0].code in listing


# --- audit per application -------------------------------------------------------------------------


def test_audit_page_and_export_agree_for_one_application(world: dict) -> None:
    from openpyxl import load_workbook

    recommended(world)
    target = world["apps"][0]
    org = client_for(world["organizer"])
    url = reverse("reviews:audit_log", args=[world["campaign"].pk])
    page = org.get(url, {"application": target.pk}).content.decode()
    export = org.get(reverse("reports:export", args=["audit", world["campaign"].pk]), {"application": target.pk})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True))
    expected = AuditEntry.objects.filter(campaign_id=world["campaign"].pk, unit_id=target.unit_id).count()
    assert len(rows) == expected >= 1
    assert page.count("<code>county_review.accepted</code>") == 1
    assert page.count("<code>county_review.") == 1  # the other schools' reviews are not shown
    other_campaign_app = Application.objects.create(
        campaign=Campaign.objects.create(
            name="别的活动", year=2024, organizer=world["y"], applicants="schools", as_of=dt.date(2024, 5, 30)
        ),
        unit=world["y_school"],
        framework=world["record"],
    )
    assert org.get(url, {"application": other_campaign_app.pk}).status_code == 404


# --- the city step: school → county → city → province ---------------------------------------------


@pytest.fixture
def province_world(world: dict) -> dict:
    province = Unit.objects.create(code="P1", name="示例省", kind=Unit.Kind.PROVINCE)
    city = world["city"]
    city.parent = province
    city.save()
    campaign = Campaign.objects.create(
        name="2024 省级示范校",
        year=2024,
        organizer=province,
        applicants="schools",
        school_framework=world["record"],
        as_of=dt.date(2024, 5, 30),
        max_schools_per_county=3,
        status=Campaign.Status.COUNTY_REVIEW,
    )
    ReviewSettings.objects.create(campaign=campaign, city_review=True, city_quota=2)
    apps = [submitted(campaign, world["record"], s, bw=600 - 100 * i) for i, s in enumerate(world["schools"][:3])]
    for app in apps:
        services.decide_county_review(actor=world["reviewer"], application=app, decision="accepted", opinion="同意")
    rec = services.recommend_applications(
        actor=world["reviewer"], campaign=campaign, county=world["x"], applications=apps
    )
    services.confirm_recommendation(actor=world["reviewer"], recommendation=rec, confirmed_name="李局长")
    return {
        **world,
        "province": province,
        "pcampaign": campaign,
        "papps": apps,
        "porganizer": user("porganizer", province, Role.ORGANIZER),
        "city_reviewer": user("city_reviewer", city, Role.COUNTY_REVIEWER),
    }


def test_city_recommends_within_its_quota_and_only_those_go_on(province_world: dict) -> None:
    w = province_world
    campaign, apps = w["pcampaign"], w["papps"]
    assert list(queries.finalists(campaign)) == []  # nothing reaches the province before the city
    url = reverse("reviews:city_recommend", args=[campaign.pk])
    c = client_for(w["city_reviewer"])
    listing = c.get(reverse("reviews:city_list")).content.decode()
    assert "2024 省级示范校" in listing and "未填报" in listing
    page = c.get(url).content.decode()
    assert all(a.unit.name in page for a in apps) and "同意" in page
    over = c.post(url, {"application": [a.pk for a in apps], "filled_by": "赵老师"}).content.decode()
    assert "推荐 3 个，超过每市最多 2 个的名额" in over and 'value="赵老师"' in over
    c.post(url, {"application": [apps[0].pk, apps[2].pk], "filled_by": "赵老师"})
    nameless = c.post(url + "confirm/", {"action": "confirm", "confirmed_name": " "}).content.decode()
    assert "请填写确认人姓名" in nameless
    c.post(url + "confirm/", {"action": "confirm", "confirmed_name": "周处长"})
    rec = RecommendationList.objects.get(campaign=campaign, unit=w["city"])
    assert rec.confirmed_name == "周处长" and rec.is_confirmed
    assert set(queries.finalists(campaign)) == {apps[0], apps[2]}
    frozen = c.post(url, {"application": [apps[0].pk]}).content.decode()
    assert "推荐名单已确认，不能再修改" in frozen
    assert AuditEntry.objects.filter(action="recommendation.city_save").count() == 1
    # the province assigns only what the city sent on
    e1 = expert("e1", w["y"])
    panel = Panel.objects.create(campaign=campaign, name="省级材料组")
    with pytest.raises(ValidationError, match="尚未进入专家评审"):
        services.assign_expert(actor=w["porganizer"], panel=panel, application=apps[1], expert=e1)
    services.assign_expert(actor=w["porganizer"], panel=panel, application=apps[0], expert=e1)


def test_city_step_is_closed_to_others(province_world: dict) -> None:
    w = province_world
    url = reverse("reviews:city_recommend", args=[w["pcampaign"].pk])
    other_city = Unit.objects.create(code="C9", name="别市", kind=Unit.Kind.CITY, parent=w["province"])
    stranger = user("c9_reviewer", other_city, Role.COUNTY_REVIEWER)
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(w["reviewer"]).get(url).status_code == 404
    assert client_for(w["reviewer"]).get(reverse("reviews:city_list")).status_code == 404
    with pytest.raises(PermissionDenied):
        services.recommend_from_city(
            actor=stranger, campaign=w["pcampaign"], city=w["city"], applications=w["papps"][:1]
        )
    # a city campaign has no city step
    with pytest.raises(ValidationError, match="没有市级推荐环节"):
        services.recommend_from_city(
            actor=w["city_reviewer"], campaign=w["campaign"], city=w["city"], applications=w["apps"][:1]
        )
