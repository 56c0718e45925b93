"""County review, quotas, assignment with 回避, expert sheets, results, publication: the
domain functions against a real database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.notifications.models import Notification
from campuseval.reviews import services
from campuseval.reviews.models import (
    Assignment,
    CountyReview,
    Objection,
    Panel,
    Publication,
    Result,
    ReviewSettings,
)

from .conftest import accept_all, expert, recommended, sheet

pytestmark = pytest.mark.django_db


def test_county_accepts_with_adjustment_and_keeps_self_value(world: dict[str, object]) -> None:
    app = world["apps"][0]  # type: ignore[index]
    review = services.decide_county_review(
        actor=world["reviewer"],
        application=app,
        decision="accepted",
        opinion="同意推荐",
        adjustments=[services.AdjustmentInput(code="1", field="bw", value=450, reason="核查带宽合同为 450M")],
    )
    assert review.total == D(7)
    adj = review.adjustments.get()
    assert (adj.self_value, adj.new_value, adj.reason) == (600, 450, "核查带宽合同为 450M")
    app.refresh_from_db()
    assert app.status == Application.Status.ACCEPTED
    entry = AuditEntry.objects.get(action="county_review.accepted")
    assert entry.actor == world["reviewer"] and entry.before == {"status": "submitted"}


def test_county_points_override_must_stay_in_range(world: dict[str, object]) -> None:
    app = world["apps"][0]  # type: ignore[index]
    with pytest.raises(ValidationError, match="调整分值应在 0–6 分之间"):
        services.decide_county_review(
            actor=world["reviewer"],
            application=app,
            decision="accepted",
            adjustments=[services.AdjustmentInput("1", "points", "7", "多给")],
        )
    review = services.decide_county_review(
        actor=world["reviewer"],
        application=app,
        decision="accepted",
        adjustments=[services.AdjustmentInput("1", "points", "5.5", "现场核查")],
    )
    assert review.total == D("9.5")


def test_return_requires_reason_and_notifies_the_school(world: dict[str, object]) -> None:
    app = world["apps"][0]  # type: ignore[index]
    with pytest.raises(ValidationError, match="必须填写理由"):
        services.decide_county_review(actor=world["reviewer"], application=app, decision="returned")
    services.decide_county_review(actor=world["reviewer"], application=app, decision="returned", reason="缺少带宽合同")
    app.refresh_from_db()
    assert app.status == Application.Status.RETURNED
    text = Notification.objects.get(user=world["applicant"]).text
    assert "被退回补充材料，请于" in text and text.endswith("前修改并重新提交：缺少带宽合同")


def test_other_county_cannot_review(world: dict[str, object]) -> None:
    with pytest.raises(PermissionDenied):
        services.decide_county_review(actor=world["outsider"], application=world["apps"][0], decision="accepted")  # type: ignore[index]
    assert CountyReview.objects.count() == 0


def test_quota_enforced_at_recommendation(world: dict[str, object]) -> None:
    accept_all(world)
    apps = world["apps"]
    with pytest.raises(ValidationError) as info:
        services.recommend_applications(
            actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=apps
        )  # type: ignore[arg-type]
    assert "推荐学校 4 所，超过每县（区）最多 3 所的名额" in info.value.messages
    with pytest.raises(ValidationError) as info:
        services.recommend_applications(
            actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=apps[2:]
        )  # type: ignore[index]
    assert "推荐名单中乡村学校 0 所，少于至少 1 所的要求" in info.value.messages
    rec = services.recommend_applications(
        actor=world["reviewer"],
        campaign=world["campaign"],
        county=world["x"],
        applications=apps[:3],
        filled_by="王老师",
    )  # type: ignore[index]
    services.confirm_recommendation(actor=world["reviewer"], recommendation=rec, confirmed_name="李局长")
    assert Application.objects.filter(status=Application.Status.RECOMMENDED).count() == 3
    with pytest.raises(ValidationError, match="已确认"):
        services.recommend_applications(
            actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=apps[:1]
        )  # type: ignore[index]


def test_assignment_respects_conflicts_and_balances(world: dict[str, object]) -> None:
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料评审组")
    same_county = expert("e_x", world["schools"][3], region=world["x"])  # type: ignore[index]
    experts = [expert(f"e{i}", world["y"]) for i in range(3)]
    panel.members.add(same_county, *experts)
    with pytest.raises(ValidationError, match="专家与申报单位属同一区县"):
        services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=same_county)
    problems = services.auto_assign(actor=world["organizer"], panel=panel, per_application=2).problems
    assert problems == []
    loads = sorted(Assignment.objects.filter(panel=panel).values_list("expert_id", flat=True))
    assert not Assignment.objects.filter(expert=same_county).exists()
    assert sorted(loads.count(e.pk) for e in experts) == [2, 2, 2]
    problems = services.auto_assign(actor=world["organizer"], panel=panel, per_application=4).problems
    assert problems[0].endswith("可分配专家不足（需要 4 位，仅 3 位无需回避）")


def test_expert_sheet_concurrency_lock_and_unlock(world: dict[str, object]) -> None:
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料评审组")
    e = expert("e0", world["y"])
    a = services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e)
    with pytest.raises(ValidationError, match="请先确认无利益冲突"):
        services.record_expert_score(actor=e.user, assignment=a, revision=0, answers={"1": {"bw": 300}})
    services.confirm_no_conflict(actor=e.user, assignment=a)
    services.record_expert_score(actor=e.user, assignment=a, revision=0, answers={"1": {"bw": 300}})
    with pytest.raises(services.StaleRevision):
        services.record_expert_score(actor=e.user, assignment=a, revision=0, answers={"1": {"bw": 600}})
    a.refresh_from_db()
    assert a.total == D(7) and a.revision == 1
    with pytest.raises(ValidationError, match="2 制度"):  # indicator 2 is not decided yet
        services.submit_expert_score(actor=e.user, assignment=a)
    services.record_expert_score(actor=e.user, assignment=a, revision=1, agreed=["2"])
    a.refresh_from_db()
    services.submit_expert_score(actor=e.user, assignment=a)
    with pytest.raises(ValidationError, match="不能修改"):
        services.record_expert_score(actor=e.user, assignment=a, revision=2, points={"1": "6"})
    with pytest.raises(PermissionDenied):
        services.unlock_assignment(actor=world["reviewer"], assignment=a, reason="复议")
    services.unlock_assignment(actor=world["organizer"], assignment=a, reason="分歧复议")
    a.refresh_from_db()
    assert a.status == Assignment.Status.CONFIRMED


def test_results_ranking_publication_objection_final(world: dict[str, object]) -> None:
    apps = recommended(world)
    ReviewSettings.objects.create(campaign=world["campaign"], method="mean", divergence_total=D("2.5"), rural_places=1)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料评审组")
    e1, e2 = expert("e1", world["y"]), expert("e2", world["y"])
    scores = {
        apps[0].pk: [(600, True), (300, True)],
        apps[1].pk: [(600, True), (600, True)],
        apps[2].pk: [(300, False), (300, True)],
    }
    for app in apps:
        for ex, (bw, ok) in zip((e1, e2), scores[app.pk], strict=True):
            sheet(
                world,
                services.assign_expert(actor=world["organizer"], panel=panel, application=app, expert=ex),
                bw,
                ok,
                comment="带宽达标",
            )
    results = {
        r.application_id: r for r in services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    }
    assert results[apps[1].pk].final == D(10) and results[apps[1].pk].rank == 1
    assert results[apps[0].pk].final == D("8.50") and results[apps[0].pk].divergent
    assert results[apps[0].pk].level == "合格"  # ★ indicator 1 not at full points after averaging
    assert results[apps[1].pk].level == "优秀"
    # two places, one reserved for rural: apps[0] and apps[1] are rural, apps[2] urban
    assert {a for a, r in results.items() if r.selected} == {apps[0].pk, apps[1].pk}
    assert "算术平均" in results[apps[0].pk].method
    pub = services.publish_results(
        actor=world["organizer"],
        campaign=world["campaign"],
        starts_on=dt.date(2024, 7, 1),
        ends_on=dt.date(2024, 7, 7),
        today=dt.date(2024, 7, 1),
    )
    with pytest.raises(ValidationError, match="已发布公示"):
        services.publish_results(
            actor=world["organizer"],
            campaign=world["campaign"],
            starts_on=dt.date(2024, 7, 1),
            ends_on=dt.date(2024, 7, 7),
            today=dt.date(2024, 7, 1),
        )
    with pytest.raises(ValidationError) as info:
        services.lodge_objection(
            campaign=world["campaign"], name="", contact="", text="有异议", ip="10.0.0.1", today=dt.date(2024, 7, 2)
        )
    assert info.value.message_dict == {
        "name": ["请填写姓名"],
        "contact": ["请填写联系方式"],
        "application": ["请选择异议涉及的申报单位"],
    }
    with pytest.raises(ValidationError, match="不在公示期内"):
        services.lodge_objection(
            campaign=world["campaign"],
            name="张三",
            contact="138",
            text="x",
            ip="10.0.0.1",
            application=apps[0],
            today=dt.date(2024, 7, 8),
        )
    objection = services.lodge_objection(
        campaign=world["campaign"],
        name="张三",
        contact="13800000000",
        text="带宽数据有误",
        ip="10.0.0.1",
        application=apps[0],
        today=dt.date(2024, 7, 2),
    )
    for _ in range(4):
        services.lodge_objection(
            campaign=world["campaign"],
            name="张三",
            contact="138",
            text="再次",
            ip="10.0.0.1",
            application=apps[1],
            today=dt.date(2024, 7, 2),
        )
    with pytest.raises(ValidationError, match="提交过于频繁"):
        services.lodge_objection(
            campaign=world["campaign"],
            name="张三",
            contact="138",
            text="再次",
            ip="10.0.0.1",
            application=apps[1],
            today=dt.date(2024, 7, 2),
        )
    with pytest.raises(ValidationError, match="尚有 5 条异议未答复"):
        services.finalize_results(actor=world["organizer"], campaign=world["campaign"], today=dt.date(2024, 7, 8))
    for obj in Objection.objects.all():
        services.answer_objection(
            actor=world["organizer"], objection=obj, outcome="rejected", answer="经核查，数据无误"
        )
    for app in (apps[0], apps[2]):
        services.resolve_divergence(
            actor=world["organizer"], result=results[app.pk], reason="两位专家对带宽认定不同，经核查合同为准"
        )
    services.finalize_results(actor=world["organizer"], campaign=world["campaign"], today=dt.date(2024, 7, 8))
    pub.refresh_from_db()
    assert pub.status == Publication.Status.FINAL
    assert Result.objects.filter(status=Result.Status.FINAL).count() == 3
    note = Notification.objects.filter(user=world["applicant"]).latest("created_at")
    assert note.text == "《2024 示范校遴选》最终结果：入选，得分 8.5，等级：合格"
    feedback = services.feedback_for(results[apps[0].pk])
    assert feedback["indicators"]["1"] == [("专家1", "带宽达标"), ("专家2", "带宽达标")]
    assert objection.pk
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "results.compute",
        "publication.publish",
        "objection.lodge",
        "objection.answer",
        "publication.finalize",
    } <= actions


def test_audit_entries_cannot_be_changed_or_deleted(world: dict[str, object]) -> None:
    entry = AuditEntry.objects.create(action="x")
    entry.summary = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
