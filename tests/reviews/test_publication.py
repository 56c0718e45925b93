"""Publication a bureau can stand behind: the list is frozen when published, changes only
through a recorded 复议 that makes the next numbered publication, waits for the end of 公示
and for every objection to have an outcome, names only the selected, and is final once final."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.notifications.models import Notification
from campuseval.reviews import services
from campuseval.reviews.models import (
    Assignment,
    Objection,
    Panel,
    Publication,
    Reconsideration,
    Result,
    ReviewSettings,
)

from .conftest import expert, recommended, sheet

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2024, 7, 1)
LAST = dt.date(2024, 7, 7)
AFTER = dt.date(2024, 7, 8)


def scored(world: dict, *, divergence: D | None = None) -> dict:
    """Three recommended schools, two experts, results computed: 甲县第1小学 (10) and 甲县第0小学
    (8.5, rural) take the two places; 甲县第2小学 (urban) is not selected."""
    apps = recommended(world)
    ReviewSettings.objects.create(campaign=world["campaign"], method="mean", divergence_total=divergence)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料评审组")
    e1, e2 = expert("e1", world["y"]), expert("e2", world["y"])
    scores = {
        apps[0].pk: [(600, True), (300, True)],
        apps[1].pk: [(600, True), (600, True)],
        apps[2].pk: [(300, False), (300, True)],
    }
    for app in apps:
        for ex, (bw, ok) in zip((e1, e2), scores[app.pk], strict=True):
            a = services.assign_expert(actor=world["organizer"], panel=panel, application=app, expert=ex)
            sheet(world, a, bw, ok, comment=f"{ex.user.username} 意见")
    results = {
        r.application_id: r for r in services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    }
    return {"apps": apps, "e1": e1, "e2": e2, "panel": panel, "results": results}


def publish(world: dict) -> Publication:
    return services.publish_results(
        actor=world["organizer"], campaign=world["campaign"], starts_on=DAY1, ends_on=LAST, today=DAY1
    )


def finalize(world: dict, today: dt.date = AFTER) -> Publication:
    return services.finalize_results(actor=world["organizer"], campaign=world["campaign"], today=today)


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_public_list_names_only_the_selected_during_and_after_publicity(world: dict) -> None:
    s = scored(world)
    publish(world)
    url = f"/reviews/public/{world['campaign'].pk}/"
    page = Client().get(url).content.decode()
    assert "甲县第0小学" in page and "甲县第1小学" in page
    assert "甲县第2小学" not in page
    finalize(world)
    page = Client().get(url).content.decode()
    assert "最终名单" in page
    assert "甲县第0小学" in page and "甲县第1小学" in page
    assert "甲县第2小学" not in page
    assert not s["results"][s["apps"][2].pk].selected


def test_final_list_waits_for_the_end_of_publicity(world: dict) -> None:
    scored(world)
    publish(world)
    with pytest.raises(ValidationError, match="公示期至 2024-07-07 结束，2024-07-08 起方可发布最终名单"):
        finalize(world, today=DAY1)
    with pytest.raises(ValidationError, match="公示期至 2024-07-07 结束"):
        finalize(world, today=LAST)
    assert Publication.objects.get().status == Publication.Status.PUBLICITY
    finalize(world, today=AFTER)
    assert Publication.objects.get().status == Publication.Status.FINAL


def test_final_list_waits_for_objection_outcomes_and_their_reconsideration(world: dict) -> None:
    s = scored(world)
    publish(world)
    objection = services.lodge_objection(
        campaign=world["campaign"],
        name="张三",
        contact="13800000000",
        text="甲县第0小学带宽数据有误",
        ip="10.0.0.9",
        application=s["apps"][0],
        today=DAY1,
    )
    with pytest.raises(ValidationError, match="尚有 1 条异议未答复"):
        finalize(world)
    with pytest.raises(ValidationError) as info:
        services.answer_objection(actor=world["organizer"], objection=objection, outcome="", answer="")
    assert info.value.message_dict == {
        "outcome": ["请选择处理结果（异议成立或不成立）"],
        "answer": ["请填写答复理由"],
    }
    services.answer_objection(
        actor=world["organizer"], objection=objection, outcome="upheld", answer="经核查，带宽合同为 300M"
    )
    with pytest.raises(ValidationError, match="1 条成立的异议尚未启动复议"):
        finalize(world)


def test_divergent_results_hold_the_final_list_until_explained(world: dict) -> None:
    s = scored(world, divergence=D("2.5"))
    divergent = [s["results"][a.pk] for a in s["apps"] if s["results"][a.pk].divergent]
    assert [r.application.unit.name for r in divergent] == ["甲县第0小学", "甲县第2小学"]
    publish(world)
    with pytest.raises(ValidationError, match="需复议（专家评分分歧超过阈值）且未处理：甲县第0小学、甲县第2小学"):
        finalize(world)
    with pytest.raises(ValidationError, match="分歧处理说明"):
        services.resolve_divergence(actor=world["organizer"], result=divergent[0], reason=" ")
    services.resolve_divergence(actor=world["organizer"], result=divergent[0], reason="两位专家认定不同，以合同为准")
    with pytest.raises(ValidationError, match="且未处理：甲县第2小学"):
        finalize(world)
    services.resolve_divergence(actor=world["organizer"], result=divergent[1], reason="制度文件齐全，以多数意见为准")
    finalize(world)
    assert AuditEntry.objects.filter(action="result.divergence_resolved").count() == 2


def test_desk_shows_why_the_final_button_is_disabled(world: dict) -> None:
    scored(world)
    today = timezone.localdate()
    services.publish_results(
        actor=world["organizer"], campaign=world["campaign"], starts_on=today, ends_on=today + dt.timedelta(days=6)
    )
    page = login(world["organizer"]).get(f"/reviews/organizer/{world['campaign'].pk}/").content.decode()
    assert f"公示期至 {today + dt.timedelta(days=6)} 结束" in page
    assert 'disabled aria-describedby="finalize-blockers"' in page


def test_published_results_do_not_move_without_a_reconsideration(world: dict) -> None:
    s = scored(world)
    publish(world)
    submitted = Assignment.objects.filter(status=Assignment.Status.SUBMITTED).first()
    assert submitted is not None
    with pytest.raises(ValidationError, match="请启动复议"):
        services.unlock_assignment(actor=world["organizer"], assignment=submitted, reason="再看看")
    with pytest.raises(ValidationError, match="结果变更须通过复议"):
        services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    with pytest.raises(ValidationError, match="已发布公示，入选调整须通过复议"):
        services.override_selection(
            actor=world["organizer"], result=s["results"][s["apps"][2].pk], selected=True, reason="城乡统筹"
        )
    with pytest.raises(ValidationError, match="不能再修改评审设置"):
        services.configure_review(actor=world["organizer"], campaign=world["campaign"], values={"method": "median"})
    with pytest.raises(ValidationError, match="不能再分配评审任务"):
        services.assign_expert(
            actor=world["organizer"], panel=s["panel"], application=s["apps"][0], expert=expert("e3", world["y"])
        )
    submitted.refresh_from_db()
    assert submitted.status == Assignment.Status.SUBMITTED
    assert ReviewSettings.objects.get(campaign=world["campaign"]).method == "mean"


def test_reconsideration_makes_a_new_numbered_publication_and_tells_the_moved_units(world: dict) -> None:
    s = scored(world)
    first = publish(world)
    frozen = {e.application_id: (e.final, e.rank, e.selected) for e in first.entries.all()}
    objection = services.lodge_objection(
        campaign=world["campaign"],
        name="李四",
        contact="13900000000",
        text="甲县第2小学带宽被低估",
        ip="10.0.0.8",
        application=s["apps"][2],
        today=DAY1,
    )
    services.answer_objection(actor=world["organizer"], objection=objection, outcome="upheld", answer="合同为 600M")
    with pytest.raises(ValidationError, match="请填写复议理由"):
        services.open_reconsideration(
            actor=world["organizer"], campaign=world["campaign"], application=s["apps"][2], reason="", experts=[s["e1"]]
        )
    rc = services.open_reconsideration(
        actor=world["organizer"],
        campaign=world["campaign"],
        application=s["apps"][2],
        objection=objection,
        reason="异议成立：带宽合同为 600M",
        experts=[s["e1"], s["e2"]],
    )
    assert rc.before == {
        "publication": 1,
        "rank": 3,
        "selected": False,
        "final": "5",
        "materials": "5",
        "level": "合格",
    }
    with pytest.raises(ValidationError, match="复议专家尚未提交评分：e1、e2"):
        services.close_reconsideration(
            actor=world["organizer"],
            reconsideration=rc,
            starts_on=dt.date(2024, 7, 3),
            ends_on=dt.date(2024, 7, 9),
            today=dt.date(2024, 7, 3),
        )
    for a in Assignment.objects.filter(reconsideration=rc).select_related("expert__user"):
        assert a.status == Assignment.Status.CONFIRMED
        services.record_expert_score(
            actor=a.expert.user, assignment=a, revision=a.revision, answers={"1": {"bw": 600}, "2": {"ok": True}}
        )
        a.refresh_from_db()
        services.submit_expert_score(actor=a.expert.user, assignment=a)
    second = services.close_reconsideration(
        actor=world["organizer"],
        reconsideration=rc,
        starts_on=dt.date(2024, 7, 3),
        ends_on=dt.date(2024, 7, 9),
        today=dt.date(2024, 7, 3),
    )
    first.refresh_from_db()
    rc.refresh_from_db()
    assert (first.status, second.number, second.status) == (Publication.Status.SUPERSEDED, 2, "publicity")
    assert "复议更正（甲县第2小学）" in second.reason
    # the first publication's snapshot is untouched; the second carries the re-scored result
    assert {e.application_id: (e.final, e.rank, e.selected) for e in first.entries.all()} == frozen
    new = second.entries.get(application=s["apps"][2])
    assert new.final == D(10) and rc.after["final"] == "10"
    assert rc.status == Reconsideration.Status.CLOSED and rc.publication == second
    # the unit whose published result moved is told
    applicant = world["applicant"]  # 甲县第0小学 (apps[0]) also moved: its rank changed
    assert Notification.objects.filter(user=applicant, text__contains="经复议更正后重新公示").exists()
    audit = AuditEntry.objects.get(action="reconsideration.close")
    assert audit.before[str(s["apps"][2].pk)]["final"] == "5"
    assert audit.after[str(s["apps"][2].pk)]["final"] == "10"
    page = Client().get(f"/reviews/public/{world['campaign'].pk}/").content.decode()
    assert "第2次公示" in page and "复议更正" in page
    # the second publicity period is what the final list waits for now
    with pytest.raises(ValidationError, match="第2次公示期至 2024-07-09 结束"):
        finalize(world, today=dt.date(2024, 7, 8))
    final = finalize(world, today=dt.date(2024, 7, 10))
    assert final.pk == second.pk and final.status == Publication.Status.FINAL


def test_final_list_is_immutable_and_result_pages_read_the_frozen_list(world: dict) -> None:
    s = scored(world)
    publish(world)
    finalize(world)
    top = s["results"][s["apps"][1].pk]
    with pytest.raises(ValidationError, match="最终名单已发布"):
        services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    with pytest.raises(ValidationError, match="最终名单已发布"):
        services.open_reconsideration(
            actor=world["organizer"],
            campaign=world["campaign"],
            application=s["apps"][1],
            reason="再议",
            experts=[s["e1"]],
        )
    with pytest.raises(ValidationError, match="请启动复议"):
        services.unlock_assignment(
            actor=world["organizer"], assignment=Assignment.objects.filter(application=s["apps"][1]).first(), reason="x"
        )
    # whatever happens to the live rows, the applicant's pages print the final list
    Result.objects.filter(pk=top.pk).update(final=D(1), selected=False)
    Assignment.objects.filter(application=s["apps"][1]).update(comments={"1": "事后改写"})
    head = world["schools"][1]
    officer = User.objects.create_user(username="officer_x1", password="x-Pass-12345")
    Membership.objects.create(user=officer, unit=head, role=Role.APPLICANT)
    client = login(officer)
    page = client.get(f"/reviews/results/{top.pk}/").content.decode()
    assert "10.00" in page and "入选" in page
    assert "e1 意见" in page and "事后改写" not in page
    pdf = client.get(f"/reports/results/{top.pk}/notice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_final_list_sets_the_applicants_status(world: dict) -> None:
    s = scored(world)
    publish(world)
    finalize(world)
    statuses = dict(Application.objects.filter(pk__in=[a.pk for a in s["apps"]]).values_list("pk", "status"))
    assert statuses == {
        s["apps"][0].pk: Application.Status.SELECTED,
        s["apps"][1].pk: Application.Status.SELECTED,
        s["apps"][2].pk: Application.Status.NOT_SELECTED,
    }
    page = login(world["applicant"]).get("/applications/").content.decode()
    assert "入选" in page and "已推荐" not in page


def test_organizer_overrides_the_computed_selection_with_a_reason(world: dict) -> None:
    s = scored(world)
    third = s["results"][s["apps"][2].pk]
    with pytest.raises(ValidationError, match="调整理由"):
        services.override_selection(actor=world["organizer"], result=third, selected=True, reason="")
    services.override_selection(
        actor=world["organizer"], result=third, selected=True, reason="综合考虑城乡等因素进行评选"
    )
    # a recomputation keeps the organizer's decision and says so
    results = {
        r.application_id: r for r in services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    }
    assert results[s["apps"][2].pk].selected
    assert "组织单位调整为入选" in results[s["apps"][2].pk].note
    pub = publish(world)
    entry = pub.entries.get(application=s["apps"][2])
    assert entry.selected and entry.override_reason == "综合考虑城乡等因素进行评选"
    assert AuditEntry.objects.filter(action="result.override", summary__contains="综合考虑城乡").exists()
    services.finalize_results(actor=world["organizer"], campaign=world["campaign"], today=AFTER)
    page = Client().get(f"/reviews/public/{world['campaign'].pk}/").content.decode()
    assert "甲县第2小学" in page


def test_override_back_to_the_ranking(world: dict) -> None:
    s = scored(world)
    first = s["results"][s["apps"][1].pk]
    services.override_selection(actor=world["organizer"], result=first, selected=False, reason="材料存疑")
    first.refresh_from_db()
    assert not first.selected
    services.override_selection(actor=world["organizer"], result=first, selected=None, reason="")
    first.refresh_from_db()
    assert first.selected and first.selection_override is None and first.override_reason == ""


def test_objection_must_name_a_published_application(world: dict) -> None:
    s = scored(world)
    publish(world)
    with pytest.raises(ValidationError) as info:
        services.lodge_objection(
            campaign=world["campaign"],
            name="王五",
            contact="137",
            text="x",
            ip="10.0.0.7",
            application=Application.objects.exclude(pk__in=[a.pk for a in s["apps"]]).first(),
            today=DAY1,
        )
    assert info.value.message_dict == {"application": ["所选申报单位不在本次公示名单中"]}
    # the public form offers the published names only
    page = Client().get(f"/reviews/public/{world['campaign'].pk}/")
    form = page.context["form"]
    names = [label for _value, label in form.fields["application"].choices]
    assert "甲县第0小学" in names and "甲县第2小学" not in names
    assert Objection.objects.count() == 0


def test_campaign_without_publicity_finalizes_straight_from_the_results(world: dict) -> None:
    s = scored(world)
    ReviewSettings.objects.filter(campaign=world["campaign"]).update(publicity=False)
    final = finalize(world, today=dt.date(2024, 6, 1))
    assert final.number == 1 and final.status == Publication.Status.FINAL
    assert final.entries.count() == 3
    assert Application.objects.get(pk=s["apps"][2].pk).status == Application.Status.NOT_SELECTED


def test_a_unit_may_object_to_its_own_unpublished_result(world: dict) -> None:
    s = scored(world)
    publish(world)
    officer = User.objects.create_user(username="officer_x2", password="x-Pass-12345")
    Membership.objects.create(user=officer, unit=world["schools"][2], role=Role.APPLICANT)
    form = login(officer).get(f"/reviews/public/{world['campaign'].pk}/").context["form"]
    names = [label for _value, label in form.fields["application"].choices]
    assert "甲县第2小学" in names
    page = Client().get(f"/reviews/public/{world['campaign'].pk}/").content.decode()
    assert "甲县第2小学" not in page
    assert s["apps"][2].unit.name == "甲县第2小学"
