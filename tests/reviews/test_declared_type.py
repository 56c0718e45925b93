"""Taizhou's 申报类型 (declared type): no prerequisite unless a campaign asks for one, a warning
(never a refusal) where the declaration and the self-score's level differ, and an awarded level
the score and the marks decide, whatever was declared.

依据（泰州 2022 通知“二、目标任务”）："2022年全市中小学校95 %以上的达市合格型智慧校园，20%以上的达市
优秀型智慧校园，10%以上的达市示范型智慧校园……积极推动已获评合格型的学校争创优秀型，优秀型的学校争创
示范型" — encouragement, no condition; a first-year school that may only declare 合格型 makes the
first-year 优秀/示范 targets unreachable. 附件1 注："总分达90分及以上可评为示范型智慧校园，总分达80分
及以上可评为优秀型智慧校园，总分达70分及以上学校可评为合格型智慧校园" — the level follows the score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from campuseval.applications import services as applications
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from campuseval.reviews import ladder, services
from campuseval.reviews.models import Panel, Result, ReviewSettings

from .conftest import expert, recommended, sheet

pytestmark = pytest.mark.django_db

# the mini framework's levels (tests/reviews/conftest.py): 优秀 at 8 with ★ indicator 1, 合格 at 5


def declare(app: Application, level: str) -> Application:
    app.form_data = {**(app.form_data or {}), "level_sought": level}
    app.save(update_fields=["form_data"])
    return app


def test_a_first_year_school_may_declare_the_top_level(world: dict) -> None:
    """No level held anywhere, 优秀 declared: nothing refuses it (before: "申报优秀须已获评合格")."""
    app = declare(world["apps"][0], "优秀")
    assert ladder.held_level(app.unit, "mini", ["优秀", "合格"]) == ""
    assert ladder.ladder_problems(app) == []
    assert not [p for p in applications.submission_problems(app) if "须已获评" in p]


def test_the_prerequisite_is_a_campaign_option_off_by_default(world: dict) -> None:
    app = declare(world["apps"][0], "优秀")
    settings = ReviewSettings.objects.create(campaign=world["campaign"])
    assert settings.level_prerequisite is False
    assert ladder.ladder_problems(app) == []
    settings.level_prerequisite = True
    settings.save()
    assert ladder.ladder_problems(app) == ["申报优秀须已获评合格（合格 → 优秀 逐级申报），本单位尚未获评任何等级"]
    assert ladder.ladder_problems(declare(app, "合格")) == []  # the lowest level stays open to all


def test_warning_when_the_declared_type_and_the_self_score_differ(world: dict) -> None:
    """Self-answers: bandwidth 600 (6 points, ★ met) and the rule (4) → 10, 优秀; 300 → 3 + 4 = 7,
    合格 (★ not met at full points)."""
    strong, weaker = world["apps"][0], world["apps"][3]  # bw 600 and 300
    assert ladder.declared_type_warnings(declare(strong, "优秀")) == []
    [warning] = ladder.declared_type_warnings(declare(strong, "合格"))
    assert warning.startswith("申报类型为合格，按当前自评（总分 10 分）达到的是优秀。")
    assert "不以申报类型为限" in warning
    [short] = ladder.declared_type_warnings(declare(weaker, "优秀"))
    assert short.startswith("申报类型为优秀，按当前自评（总分 7 分）达到的是合格，距优秀还差 1 分，1 项要求未达到（1 ")
    assert ladder.declared_type_warnings(declare(weaker, "")) == []  # nothing declared, nothing to compare
    # a warning refuses nothing: the submission's problems do not include it
    assert not [p for p in applications.submission_problems(weaker) if "申报类型为" in p]
    # the submit page's warnings carry it (registered by the reviews app)
    declare(weaker, "优秀")
    assert [w for w in applications.submission_warnings(weaker) if w.startswith("申报类型为优秀")] == [short]


def test_an_organizer_switches_the_prerequisite_on_in_the_review_settings(world: dict) -> None:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world["organizer"])
    desk = client.get(reverse("reviews:organizer", args=[world["campaign"].pk])).content.decode()
    assert 'name="level_prerequisite"' in desk


def test_the_awarded_level_is_what_the_score_reaches_not_the_declaration(world: dict) -> None:
    """A school declaring 合格 whose experts give 10 (★ met) is awarded 优秀; one declaring 优秀
    whose experts give 7 is awarded 合格 — the declaration neither caps nor floors the level."""
    apps = recommended(world)
    declare(apps[0], "优秀")
    declare(apps[1], "合格")
    ReviewSettings.objects.create(campaign=world["campaign"], experts_per_application=1)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料评审组")
    e1 = expert("e1", world["y"])
    for app, (bw, ok) in zip(apps[:2], [(300, True), (600, True)], strict=True):
        sheet(world, services.assign_expert(actor=world["organizer"], panel=panel, application=app, expert=e1), bw, ok)
    Application.objects.filter(pk=apps[2].pk).update(status=Application.Status.REJECTED)  # only two finalists
    services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    got = {r.application_id: (r.final, r.level) for r in Result.objects.filter(campaign=world["campaign"])}
    assert got[apps[0].pk] == (D(7), "合格")
    assert got[apps[1].pk] == (D(10), "优秀")


def test_a_held_level_is_the_latest_final_result_and_a_rejected_one_never_counts(world: dict) -> None:
    """Carried over until replaced: 优秀 in 2022 then 合格 in 2023 holds 合格; a final result of an
    application later found 不予推荐 (or terminated) counts for nothing."""
    unit = world["schools"][0]
    record = world["record"]

    def earlier(year: int, level: str, status: str = "recommended") -> Application:
        c = Campaign.objects.create(
            name=f"{year} 评估",
            year=year,
            organizer=world["city"],
            applicants="schools",
            school_framework=record,
            as_of=dt.date(year, 5, 30),
            status=Campaign.Status.CLOSED,
        )
        app = Application.objects.create(campaign=c, unit=unit, framework=record, status=status)
        Result.objects.create(
            campaign=c, application=app, materials=D(6), final=D(6), method="算术平均", level=level, status="final"
        )
        return app

    earlier(2022, "优秀")
    assert ladder.held_level(unit, "mini", ["优秀", "合格"]) == "优秀"
    later = earlier(2023, "合格")
    assert ladder.held_level(unit, "mini", ["优秀", "合格"]) == "合格"
    assert ladder.attained_levels([unit.pk], "mini", ["优秀", "合格"]) == {unit.pk: "合格"}
    Application.objects.filter(pk=later.pk).update(status=Application.Status.TERMINATED)
    assert ladder.held_level(unit, "mini", ["优秀", "合格"]) == "优秀"
    earlier(2024, "优秀", status=Application.Status.REJECTED)
    assert ladder.held_level(unit, "mini", ["优秀", "合格"]) == "优秀"  # from 2022 still, not the rejected 2024
