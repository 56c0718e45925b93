"""Review pages through the browser's eyes (Django test client): who sees what, what a
decision changes, and bad input kept and explained."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import Role
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.reviews import services
from campuseval.reviews.models import Assignment, CountyReview, Objection, Panel, RecommendationList

from .conftest import expert, recommended, sheet, user

pytestmark = pytest.mark.django_db


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def test_county_list_shows_own_county_only(world: dict, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    reviewer, outsider = client_for(world["reviewer"]), client_for(world["outsider"])
    with django_assert_num_queries(7):  # memberships read with the user, unread count, the page total; no session write
        page = reviewer.get(reverse("reviews:county_list")).content.decode()
    assert page.count("甲县第") == 4 and "10" in page
    assert "甲县第0小学" not in outsider.get(reverse("reviews:county_list")).content.decode()


def test_county_list_query_count_does_not_grow_with_rows(world: dict, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    Application.objects.exclude(pk=world["apps"][0].pk).delete()
    reviewer = client_for(world["reviewer"])
    with django_assert_num_queries(7):  # memberships read with the user, unread count, the page total; no session write
        page = reviewer.get(reverse("reviews:county_list")).content.decode()
    assert page.count("甲县第") == 1


def test_county_review_of_another_county_is_404(world: dict) -> None:
    url = reverse("reviews:county_review", args=[world["apps"][0].pk])
    assert client_for(world["outsider"]).get(url).status_code == 404
    assert client_for(world["outsider"]).post(url + "decide/", {"decision": "accepted"}).status_code == 404
    assert not CountyReview.objects.exists()


def test_county_accepts_through_the_page(world: dict) -> None:
    url = reverse("reviews:county_review", args=[world["apps"][0].pk])
    response = client_for(world["reviewer"]).post(
        url + "decide/", {"decision": "accepted", "opinion": "同意推荐", "points_1": "5", "reason_1": "带宽核减"}
    )
    assert response.status_code == 302
    review = CountyReview.objects.get()
    assert (review.total, review.opinion) == (9, "同意推荐")
    assert review.adjustments.get().reason == "带宽核减"


def test_bad_adjustment_is_explained_and_typed_values_kept(world: dict) -> None:
    url = reverse("reviews:county_review", args=[world["apps"][0].pk])
    page = (
        client_for(world["reviewer"])
        .post(
            url + "decide/",
            {"decision": "accepted", "opinion": "我的意见原文", "points_1": "abc", "reason_1": "理由原文"},
        )
        .content.decode()
    )
    assert "指标 1 的调整分值应为数字，收到「abc」" in page
    assert 'value="abc"' in page and "理由原文" in page and "我的意见原文" in page
    assert not CountyReview.objects.exists()


def test_recommendation_over_quota_is_refused_with_the_reason(world: dict) -> None:
    for app in world["apps"]:
        services.decide_county_review(actor=world["reviewer"], application=app, decision="accepted")
    url = reverse("reviews:recommend", args=[world["campaign"].pk])
    page = (
        client_for(world["reviewer"])
        .post(url, {"application": [a.pk for a in world["apps"]], "filled_by": "王老师"})
        .content.decode()
    )
    assert "推荐学校 4 所，超过每县（区）最多 3 所的名额" in page
    assert 'value="王老师"' in page


def test_a_refused_list_keeps_the_highlights_typed(world: dict) -> None:
    """Over quota: the page comes back with each typed highlight, not the saved (empty) one."""
    for app in world["apps"]:
        services.decide_county_review(actor=world["reviewer"], application=app, decision="accepted")
    url = reverse("reviews:recommend", args=[world["campaign"].pk])
    typed = {f"highlights_{a.pk}": f"亮点{i}：课堂应用" for i, a in enumerate(world["apps"])}
    data = {"application": [a.pk for a in world["apps"]], "filled_by": "王老师", **typed}
    page = client_for(world["reviewer"]).post(url, data).content.decode()
    assert "超过每县（区）最多 3 所的名额" in page
    assert all(f'value="{text}"' in page for text in typed.values())
    assert not RecommendationList.objects.exists()


def test_the_saved_list_shows_its_highlights(world: dict) -> None:
    for app in world["apps"]:
        services.decide_county_review(actor=world["reviewer"], application=app, decision="accepted")
    url = reverse("reviews:recommend", args=[world["campaign"].pk])
    first = world["apps"][0]
    reviewer = client_for(world["reviewer"])
    saved = reviewer.post(url, {"application": [first.pk], "filled_by": "王老师", f"highlights_{first.pk}": "双师课堂"})
    assert saved.status_code == 302
    page = reviewer.get(url).content.decode()
    assert 'value="双师课堂"' in page and "None" not in page


def test_expert_sees_only_own_assignment_and_confirms_first(world: dict) -> None:
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1, e2 = expert("e1", world["y"]), expert("e2", world["y"])
    a = services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e1)
    url = reverse("reviews:expert_sheet", args=[a.pk])
    assert client_for(e2.user).get(url).status_code == 404
    first = client_for(e1.user).get(url).content.decode()
    # whom it concerns is shown before confirming; the materials only after
    assert "我确认与该申报单位无利益冲突" in first and "甲县第0小学" in first and "甲县" in first
    assert "填报内容" not in first and "points_1" not in first
    client_for(e1.user).post(url + "confirm/", {"action": "confirm"})
    page = client_for(e1.user).get(url).content.decode()
    assert "甲县第0小学" in page and "出口带宽" in page and "填报内容" in page
    a.refresh_from_db()
    bad = client_for(e1.user).post(
        url + "save/", {"action": "save", "revision": a.revision, "points_1": "9", "comment_1": "评语原文"}
    )
    text = bad.content.decode()
    assert "调整分值应在 0–6 分之间，收到 9" in text and "评语原文" in text


def test_organizer_desk_and_publication_flow(world: dict) -> None:
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1 = expert("e1", world["y"])
    for app in apps:
        sheet(
            world, services.assign_expert(actor=world["organizer"], panel=panel, application=app, expert=e1), 600, True
        )
    url = reverse("reviews:organizer", args=[world["campaign"].pk])
    assert client_for(world["reviewer"]).get(url).status_code == 404
    org = client_for(world["organizer"])
    org.post(url + "compute/", {"action": "compute"})
    page = org.get(url).content.decode()
    assert "算术平均，按总分汇总" in page
    bad = org.post(
        url + "publish/", {"action": "publish", "starts_on": "2024-07-07", "ends_on": "2024-07-01"}
    ).content.decode()
    assert "公示结束日期不能早于开始日期" in bad
    today = dt.date.today()
    org.post(
        url + "publish/",
        {"action": "publish", "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=7)).isoformat()},
    )
    public = Client().get(reverse("reviews:public", args=[world["campaign"].pk])).content.decode()
    assert "甲县第0小学" in public and "applicant_x0" not in public and "提出异议" in public
    kept = Client().post(
        reverse("reviews:public", args=[world["campaign"].pk]), {"name": "", "contact": "138", "text": "原文异议"}
    )
    kept_page = kept.content.decode()
    assert "原文异议" in kept_page and "这个字段是必填项" in kept_page
    assert not Objection.objects.exists()
    Client().post(
        reverse("reviews:public", args=[world["campaign"].pk]),
        {"application": apps[0].pk, "name": "张三", "contact": "138", "text": "数据有误"},
    )
    assert Objection.objects.get().text == "数据有误"


MATRIX = [
    # (persona, url name, needs, expected status)
    ("reviewer", "reviews:county_list", None, 200),
    ("outsider", "reviews:county_list", None, 200),
    ("organizer", "reviews:county_list", None, 404),
    ("applicant", "reviews:county_list", None, 404),
    ("reviewer", "reviews:county_review", "app", 200),
    ("outsider", "reviews:county_review", "app", 404),
    ("organizer", "reviews:county_review", "app", 404),
    ("applicant", "reviews:county_review", "app", 404),
    ("reviewer", "reviews:recommend", "campaign", 200),
    ("outsider", "reviews:recommend", "campaign", 404),
    ("applicant", "reviews:recommend", "campaign", 404),
    ("organizer", "reviews:organizer", "campaign", 200),
    ("reviewer", "reviews:organizer", "campaign", 404),
    ("applicant", "reviews:organizer", "campaign", 404),
    ("organizer", "reviews:audit_log", "campaign", 200),
    ("reviewer", "reviews:audit_log", "campaign", 404),
    ("applicant", "reviews:expert_list", None, 404),
    ("organizer", "reviews:expert_list", None, 404),
    ("anonymous", "reviews:county_list", None, 302),
    ("anonymous", "reviews:organizer", "campaign", 302),
    ("anonymous", "reviews:public", "campaign", 404),
    ("applicant", "notifications:list", None, 200),
    ("organizer", "reviews:expert_pool", None, 200),
    ("reviewer", "reviews:expert_pool", None, 404),
    ("applicant", "reviews:expert_pool", None, 404),
    ("anonymous", "reviews:expert_pool", None, 302),
    ("organizer", "reviews:city_list", None, 200),
    ("reviewer", "reviews:city_list", None, 404),
    ("applicant", "reviews:city_list", None, 404),
    ("anonymous", "reviews:city_list", None, 302),
    ("organizer", "reviews:city_recommend", "campaign", 404),  # a city campaign has no city step
    ("reviewer", "reviews:city_recommend", "campaign", 404),
    ("anonymous", "reviews:city_recommend", "campaign", 302),
    ("organizer", "reports:export", "audit", 200),
    ("applicant", "reports:export", "audit", 404),
    ("organizer", "reports:export", "results", 200),
    ("outsider", "reports:export", "results", 404),
]


@pytest.mark.parametrize(("persona", "name", "needs", "expected"), MATRIX)
def test_role_url_matrix(world: dict, persona: str, name: str, needs: str | None, expected: int) -> None:
    args = {
        "app": [world["apps"][0].pk],
        "campaign": [world["campaign"].pk],
        "audit": ["audit", world["campaign"].pk],
        "results": ["results", world["campaign"].pk],
        None: [],
    }[needs]
    c = Client() if persona == "anonymous" else client_for(world[persona])
    response = c.get(reverse(name, args=args))
    assert response.status_code == expected
    if expected == 200 and name.endswith("export"):
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    elif expected == 200:
        assert b"<html" in response.content.lower() or b"<!doctype" in response.content.lower()


def test_expert_matrix(world: dict) -> None:
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1 = expert("e1", world["y"])
    a = services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e1)
    url = reverse("reviews:expert_sheet", args=[a.pk])
    other_expert = expert("e9", world["y"])
    assert client_for(e1.user).get(url).status_code == 200
    for who in (
        other_expert.user,
        world["organizer"],
        world["reviewer"],
        user("head_x0", world["schools"][0], Role.HEAD),
    ):
        assert client_for(who).get(url).status_code == 404
    for name in ("reviews:expert_pool", "reviews:city_list", "reviews:county_list"):
        assert client_for(e1.user).get(reverse(name)).status_code == 404
    assert "回避申报" in client_for(e1.user).get(reverse("reviews:expert_list")).content.decode()
    assert Assignment.objects.get(pk=a.pk).status == Assignment.Status.ASSIGNED


def test_audit_and_results_export_round_trip(world: dict) -> None:
    import io

    from openpyxl import load_workbook

    services.decide_county_review(
        actor=world["reviewer"], application=world["apps"][0], decision="returned", reason="=缺少合同"
    )
    org = client_for(world["organizer"])
    response = org.get(reverse("reports:export", args=["audit", world["campaign"].pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.freeze_panes == "A2"
    assert ws["D2"].value == "county_review.returned"
    assert ws["E2"].value == "县级初审：退回补充（=缺少合同）"
    assert (
        client_for(world["reviewer"]).get(reverse("reports:export", args=["audit", world["campaign"].pk])).status_code
        == 404
    )
    response = org.get(reverse("reports:export", args=["results", world["campaign"].pk]))
    assert load_workbook(io.BytesIO(response.content)).active["B1"].value == "单位名称"


def test_the_reviewer_reads_what_changed_between_versions_in_the_forms_words(world: dict) -> None:
    app = world["apps"][0]
    first = app.versions.get()
    first.form_data = {"students": 900, "has_rules": False}
    first.save()
    ApplicationVersion.objects.create(
        application=app,
        number=2,
        answers={"answers": {"1": {"bw": 450}, "2": {"ok": True}}},
        form_data={"students": 950, "has_rules": True},
        total=7,
        result={},
        promise_text=first.promise_text,
        submitted_at=timezone.now(),
    )
    app.form_key = "bozhou-2024-school"
    app.save()
    page = client_for(world["reviewer"]).get(reverse("reviews:county_review", args=[app.pk])).content.decode()
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", page)
    assert ("1 出口带宽", "出口带宽", str(first.answers["answers"]["1"]["bw"]), "450") in rows
    assert ("申报书", "在校学生数", "900", "950") in rows
    assert ("申报书", "制定配套管理、培训、应用、考评等制度", "否", "是") in rows
