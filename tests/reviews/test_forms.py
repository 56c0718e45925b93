"""Bad input to every review POST action: a NUL byte or an over-long text is refused with a
Chinese message naming the field, the page comes back (200) or redirects with the message,
never a 500, and nothing is written. The organizer's desk GET writes nothing either."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.reviews import services
from campuseval.reviews.models import (
    Assignment,
    Conflict,
    CountyReview,
    Expert,
    Objection,
    Panel,
    RecommendationList,
    ReviewSettings,
)

from .conftest import accept_all, expert, recommended

pytestmark = pytest.mark.django_db


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


@dataclass
class Case:
    """One action: who posts where, the valid data around the field under test, and what
    must stay as it was (a snapshot taken before and after the post)."""

    client: Client
    url: str
    data: dict[str, Any]
    snapshot: Callable[[], object]


def _county_decide(world: dict) -> Case:
    app = world["apps"][0]
    return Case(
        client_for(world["reviewer"]),
        reverse("reviews:county_decide", args=[app.pk]),
        {"decision": "accepted", "reason": "", "opinion": "同意推荐"},
        lambda: CountyReview.objects.count(),
    )


def _recommend_confirm(world: dict) -> Case:
    accept_all(world)
    services.recommend_applications(
        actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=world["apps"][:2]
    )
    return Case(
        client_for(world["reviewer"]),
        reverse("reviews:recommend_confirm", args=[world["campaign"].pk]),
        {"confirmed_name": "李局长"},
        lambda: list(RecommendationList.objects.values_list("confirmed_name", "confirmed_at")),
    )


def _organizer_settings(world: dict) -> Case:
    return Case(
        client_for(world["organizer"]),
        reverse("reviews:organizer_settings", args=[world["campaign"].pk]),
        {
            "experts_per_application": "3",
            "method": "mean",
            "level": "total",
            "site_weight": "0",
            "other_scores": "never",
            "rural_places": "0",
        },
        lambda: ReviewSettings.objects.count(),
    )


def _panel_create(world: dict) -> Case:
    recommended(world)
    e1 = expert("e1", world["y_school"], world["y"])
    return Case(
        client_for(world["organizer"]),
        reverse("reviews:panel_create", args=[world["campaign"].pk]),
        {"name": "材料组", "kind": "materials", "experts": [e1.pk]},
        lambda: Panel.objects.count(),
    )


def _answer(world: dict) -> Case:
    objection = Objection.objects.create(campaign=world["campaign"], name="张三", contact="138", text="数据有误")
    return Case(
        client_for(world["organizer"]),
        reverse("reviews:answer", args=[world["campaign"].pk]),
        {"objection": objection.pk, "outcome": "rejected", "answer": "已核实"},
        lambda: list(Objection.objects.values_list("status", "answer")),
    )


def _assignment(world: dict, *, confirmed: bool) -> Assignment:
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1 = expert("e1", world["y_school"], world["y"])
    a = services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e1)
    if confirmed:
        services.confirm_no_conflict(actor=e1.user, assignment=a)
        a.refresh_from_db()
    return a


def _assignment_state(pk: int) -> Callable[[], object]:
    return lambda: list(Assignment.objects.filter(pk=pk).values_list("status", "revision", "points", "comments"))


def _expert_save(world: dict) -> Case:
    a = _assignment(world, confirmed=True)
    return Case(
        client_for(a.expert.user),
        reverse("reviews:expert_save", args=[a.pk]),
        {"revision": a.revision, "points_1": "3", "comment_1": "评语", "points_2": "2", "comment_2": ""},
        _assignment_state(a.pk),
    )


def _expert_abstain(world: dict) -> Case:
    a = _assignment(world, confirmed=False)
    return Case(
        client_for(a.expert.user),
        reverse("reviews:expert_abstain", args=[a.pk]),
        {"abstain_reason": "曾在该校任职"},
        _assignment_state(a.pk),
    )


def _expert_conflict(world: dict) -> Case:
    e1 = expert("e1", world["y_school"], world["y"])
    return Case(
        client_for(world["organizer"]),
        reverse("reviews:expert_conflict", args=[e1.pk]),
        {"unit": "X0", "reason": "曾任该校校长"},
        lambda: Conflict.objects.count(),
    )


def _expert_add(world: dict) -> Case:
    return Case(
        client_for(world["organizer"]),
        reverse("reviews:expert_add"),
        {"username": "wang_e", "display_name": "王教授", "unit": "Y0", "fields": "智慧课堂"},
        lambda: (Expert.objects.count(), Conflict.objects.count()),
    )


# (setup, field posted, its label, its max length)
CASES = [
    (_county_decide, "opinion", "推荐意见", 4000),
    (_county_decide, "reason_1", "指标 1 的调整理由", 500),
    (_recommend_confirm, "confirmed_name", "确认人姓名", 60),
    (_organizer_settings, "method", "汇总方法", None),
    (_panel_create, "name", "专家组名称", 100),
    (_answer, "answer", "答复理由", 2000),
    (_expert_save, "comment_1", "指标 1 的评语", 1000),
    (_expert_abstain, "abstain_reason", "回避理由", 1000),
    (_expert_conflict, "reason", "回避理由", 200),
    (_expert_add, "fields", "专业领域", 200),
]


def _post_and_read(case: Case, data: dict[str, Any]) -> str:
    before = case.snapshot()
    response = case.client.post(case.url, data, follow=True)
    assert response.status_code == 200, response.status_code
    assert response.redirect_chain == [] or all(code == 302 for _url, code in response.redirect_chain)
    assert case.snapshot() == before, "a refused action wrote something"
    return response.content.decode()


@pytest.mark.parametrize(("setup", "field", "label", "max_length"), CASES, ids=lambda v: getattr(v, "__name__", v))
def test_nul_byte_is_refused_naming_the_field(
    world: dict, setup: Callable[[dict], Case], field: str, label: str, max_length: int | None
) -> None:
    case = setup(world)
    text = _post_and_read(case, {**case.data, field: "原文\x00内容"})
    assert f"「{label}」含有不可见的空字符" in text


@pytest.mark.parametrize(("setup", "field", "label", "max_length"), CASES, ids=lambda v: getattr(v, "__name__", v))
def test_over_long_text_is_refused_naming_the_field(
    world: dict, setup: Callable[[dict], Case], field: str, label: str, max_length: int | None
) -> None:
    case = setup(world)
    text = _post_and_read(case, {**case.data, field: "长" * ((max_length or 16) + 1)})
    if max_length is None:  # a choice: too long is simply not one of the choices
        assert f"「{label}」的取值无效" in text
    else:
        assert f"「{label}」不能超过 {max_length} 个字" in text


@pytest.mark.parametrize("setup", [c[0] for c in CASES], ids=lambda v: v.__name__)
def test_the_valid_post_goes_through(world: dict, setup: Callable[[dict], Case]) -> None:
    """The data around the bad field is itself valid: the refusals above are the field's."""
    case = setup(world)
    before = case.snapshot()
    response = case.client.post(case.url, case.data)
    assert response.status_code == 302
    assert case.snapshot() != before


def test_the_desk_get_writes_no_settings(world: dict) -> None:
    org = client_for(world["organizer"])
    before = ReviewSettings.objects.count()
    for _ in range(2):
        assert org.get(reverse("reviews:organizer", args=[world["campaign"].pk])).status_code == 200
    assert ReviewSettings.objects.count() == before == 0


def test_pool_actions_return_to_the_filtered_pool(world: dict) -> None:
    e1 = expert("e1", world["y_school"], world["y"])
    org = client_for(world["organizer"])
    pool = reverse("reviews:expert_pool")
    filtered = f"{pool}?q=e1&active=1"
    page = org.get(filtered).content.decode()
    assert 'name="next" value="/reviews/experts/?q=e1&amp;active=1"' in page or "q=e1&amp;active=1" in page
    response = org.post(
        reverse("reviews:expert_update", args=[e1.pk]),
        {"title": "教授", "fields": "", "region": "Y", "is_active": "on", "next": filtered},
    )
    assert response.status_code == 302 and response["Location"] == filtered
    response = org.post(
        reverse("reviews:expert_conflict", args=[e1.pk]), {"unit": "X0", "reason": "曾任职", "next": filtered}
    )
    assert response.status_code == 302 and response["Location"] == filtered
    for unsafe in ("https://evil.example/reviews/experts/?q=1", "//evil.example/", "/accounts/logout/"):
        response = org.post(
            reverse("reviews:expert_update", args=[e1.pk]),
            {"title": "教授", "fields": "", "region": "Y", "is_active": "on", "next": unsafe},
        )
        assert response.status_code == 302 and response["Location"] == pool
