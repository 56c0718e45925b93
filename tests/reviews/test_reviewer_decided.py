"""Inputs the seed leaves to the review group (`decided_by: reviewer`) are decided in review: the
county's first review and the expert's sheet show the applicant's self-estimate beside the field
the reviewer fills, the reviewer's value is what that reviewer's score uses, and 同意初审分 (the
first-review score, which rests on the estimate) is not a decision for them.

Seed words: 四川省智慧教育示范区创建评价指标 C38 “创建阶段由评审组评定得分”; 厦门市中小学智慧校园建设
评价标准 四.2.(1) “建议现场抽查分工工作落实情况，落实不到位不得分（1分）”; 四.4.(3) “此项需专家复核”."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications import services as applications
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.campaigns.models import Campaign
from campuseval.reviews import services
from campuseval.reviews.models import Adjustment, Assignment, CountyReview, Expert, Panel
from tests.applications.test_asked_once import SeedWorld, save_indicator, seed_world

pytestmark = pytest.mark.django_db


def submit(w: SeedWorld, status: str) -> Application:
    """Freeze the application as its version 1 (as the head's submission does) and move it on."""
    app = Application.objects.get(pk=w.application.pk)
    result = applications.score_application(app)
    ApplicationVersion.objects.create(
        application=app,
        number=1,
        form_data=app.form_data,
        answers=applications.answer_document(app),
        narratives=app.narratives,
        result=result.to_dict(),
        total=result.total,
        promise_text="我单位申报的所有材料均真实、完整。",
        submitted_at=timezone.now(),
    )
    app.status = status
    app.version_number = 1
    app.save()
    return app


def confirmed_sheet(w: SeedWorld, app: Application) -> Assignment:
    """An expert of another county, assigned to the application and past the conflict check."""
    w.campaign.status = Campaign.Status.EXPERT_REVIEW
    w.campaign.save()
    other = w.county.parent.children.create(code="S-Y", name="乙县", kind="county")  # type: ignore[union-attr]
    u = User.objects.create_user(username="expert1", password="x-Pass-12345", display_name="钱专家")
    Membership.objects.create(user=u, unit=other, role=Role.EXPERT)
    expert = Expert.objects.create(user=u, unit=other, region=other)
    panel = Panel.objects.create(campaign=w.campaign, name="材料组")
    return Assignment.objects.create(
        panel=panel, application=app, expert=expert, status=Assignment.Status.CONFIRMED, no_conflict_at=timezone.now()
    )


def sheet_post(assignment: Assignment, **fields: Any) -> dict[str, Any]:
    return {"revision": assignment.revision, "action": "save", **fields}


def test_sichuan_c38_expert_decides_the_panel_score() -> None:
    """C38 “创建阶段由评审组评定得分”: the district estimated 9 of 10; the expert's sheet shows
    “申报方自评估计 9” beside the expert's field, offers no 同意初审分 for C38, and the expert's 5 is
    what the expert's C38 and total use (4 points less than the self-score)."""
    w = seed_world("sichuan-2023-district", "sichuan-2023-district", district=True)
    save_indicator(w, "C38", panel_score="9")
    app = submit(w, Application.Status.RECOMMENDED)
    self_total = Decimal(str(app.versions.get().total))
    assignment = confirmed_sheet(w, app)
    c = w.client(assignment.expert.user)
    page = c.get(reverse("reviews:expert_sheet", args=[assignment.pk])).content.decode()
    row = page[page.index('id="row-C38"') :]
    row = row[: row.index("</tr>")]
    assert "由评审认定" in row and "申报方自评估计 <strong>9</strong>" in row
    assert 'name="decided_C38__panel_score"' in row and "→ 专家认定" in row
    assert 'name="agree_C38"' not in row and "须评审认定" in row
    assert "评审组评定得分（申报方自评估计，由评审认定）" in row  # the materials say so too
    response = c.post(
        reverse("reviews:expert_save", args=[assignment.pk]), sheet_post(assignment, decided_C38__panel_score="5")
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.answers["answers"]["C38"]["panel_score"] == "5"
    assert assignment.result["indicators"]["C38"]["points"] == "5"
    assert "C38" in assignment.entered
    assert assignment.total == self_total - 4
    page = c.get(reverse("reviews:expert_sheet", args=[assignment.pk])).content.decode()
    assert 'name="decided_C38__panel_score" value="5"' in page
    assert "C38" not in [code for code, _title in services.undecided(assignment)]


def test_an_expert_value_out_of_the_inputs_range_is_refused_naming_it() -> None:
    """C38 is scored 0–10: an expert's 12 is refused with the indicator named, nothing saved, and
    what was typed is shown again."""
    w = seed_world("sichuan-2023-district", "sichuan-2023-district", district=True)
    save_indicator(w, "C38", panel_score="9")
    assignment = confirmed_sheet(w, submit(w, Application.Status.RECOMMENDED))
    c = w.client(assignment.expert.user)
    body = c.post(
        reverse("reviews:expert_save", args=[assignment.pk]), sheet_post(assignment, decided_C38__panel_score="12")
    ).content.decode()
    assert "指标 C38 的评审认定：评审组评定得分不能大于 10分" in body
    assert 'name="decided_C38__panel_score" value="12"' in body
    assignment.refresh_from_db()
    assert assignment.revision == 0 and assignment.result == {}


def test_xiamen_spot_check_decided_by_the_expert_not_agreed() -> None:
    """厦门 四.2.(1): the school estimated its on-site spot check 是 (3 of 3). 同意初审分 would adopt
    that estimate, so it is refused for 四.2.(1) and 其余指标同意初审分 leaves it out; the expert's
    否 (落实不到位不得分) gives 2."""
    w = seed_world("xiamen-trial-school", "school")
    save_indicator(w, "四.2.(1)", team_list="true", duties="true", spot_check="true")
    app = submit(w, Application.Status.RECOMMENDED)
    assert app.versions.get().result["indicators"]["四.2.(1)"]["points"] == "3"
    assignment = confirmed_sheet(w, app)
    user = assignment.expert.user
    with pytest.raises(ValidationError, match=re.escape("指标 四.2.(1) 由评审认定")):
        services.record_expert_score(actor=user, assignment=assignment, revision=0, agreed=["四.2.(1)"])
    c = w.client(user)
    page = c.get(reverse("reviews:expert_sheet", args=[assignment.pk]) + "?agree_rest=1").content.decode()
    assert "由评审认定的指标请填写认定结果或直接评分" in page
    assert "由评审认定的指标不在其中" in page
    rest = page[page.index('id="agree-rest"') :]
    rest = rest[: rest.index("</form>")]
    assert 'value="四.2.(2)"' in rest and 'value="四.2.(1)"' not in rest and 'value="四.4.(3)"' not in rest
    c.post(
        reverse("reviews:expert_save", args=[assignment.pk]),
        sheet_post(assignment, **{"decided_四.2.(1)__spot_check": "false"}),
    )
    assignment.refresh_from_db()
    assert assignment.result["indicators"]["四.2.(1)"]["points"] == "2"
    assert assignment.answers["answers"]["四.2.(1)"] == {"team_list": True, "duties": True, "spot_check": False}
    pending = [code for code, _title in services.undecided(assignment)]
    codes = [code for code in pending if code not in services.estimated_codes(assignment)]
    assignment = services.agree_with_first_review(
        actor=user, assignment=assignment, revision=assignment.revision, codes=codes
    )
    assert "四.4.(3)" in [code for code, _title in services.undecided(assignment)]  # still the expert's to decide
    assert "四.2.(1)" not in assignment.agreed


def test_xiamen_county_decides_the_notices_and_the_expert_sees_it() -> None:
    """厦门 四.4.(3) “此项需专家复核”: the school chose 没有被通报记录 (2 points). The county's first review
    shows the estimate and the county's field; the county records 被通报，未及时整改 (0 points): the county
    score uses it, the adjustment keeps the school's value beside it, and the expert's sheet shows the
    estimate and the county's decision beside the expert's own field."""
    w = seed_world("xiamen-trial-school", "school")
    save_indicator(w, "四.4.(3)", notices="没有被通报记录")
    app = submit(w, Application.Status.SUBMITTED)
    w.campaign.status = Campaign.Status.COUNTY_REVIEW
    w.campaign.save()
    reviewer = User.objects.create_user(username="county", password="x-Pass-12345", display_name="县审核员")
    Membership.objects.create(user=reviewer, unit=w.county, role=Role.COUNTY_REVIEWER)
    c = w.client(reviewer)
    page = c.get(reverse("reviews:county_review", args=[app.pk])).content.decode()
    assert "申报方自评估计 <strong>没有被通报记录</strong>" in page and 'name="decided_四.4.(3)__notices"' in page
    response = c.post(
        reverse("reviews:county_decide", args=[app.pk]),
        {"decision": "accepted", "opinion": "同意推荐", "decided_四.4.(3)__notices": "被通报，未及时整改"},
    )
    assert response.status_code == 302
    review = CountyReview.objects.get(application=app)
    assert review.result["indicators"]["四.4.(3)"]["points"] == "0"
    assert review.total == Decimal(str(app.versions.get().total)) - 2
    adjustment = Adjustment.objects.get(review=review)
    assert (adjustment.field, adjustment.self_value, adjustment.new_value) == (
        "notices",
        "没有被通报记录",
        "被通报，未及时整改",
    )
    assert adjustment.reason == "县级评审认定（此项由评审认定）"
    app.status = Application.Status.RECOMMENDED
    app.save()
    assignment = confirmed_sheet(w, app)
    page = w.client(assignment.expert.user).get(reverse("reviews:expert_sheet", args=[assignment.pk])).content.decode()
    row = page[page.index('id="row-四.4.(3)"') :]
    row = row[: row.index("</tr>")]
    assert (
        "申报方自评估计 <strong>没有被通报记录</strong>" in row
        and "县级认定 <strong>被通报，未及时整改</strong>" in row
    )
    # the first-review score of 四.4.(3) is the county's decision now: the expert may agree with it
    assert 'name="agree_四.4.(3)"' in row
    estimated = services.estimated_codes(assignment)
    assert "四.4.(3)" not in estimated and "四.2.(1)" in estimated
    assignment = services.record_expert_score(
        actor=assignment.expert.user, assignment=assignment, revision=0, agreed=["四.4.(3)"]
    )
    assert assignment.result["indicators"]["四.4.(3)"]["points"] == "0"


def test_county_value_refused_by_the_input_keeps_the_page() -> None:
    """A county value that is not one of 四.4.(3)'s options is refused naming the indicator; no
    decision is saved."""
    w = seed_world("xiamen-trial-school", "school")
    save_indicator(w, "四.4.(3)", notices="没有被通报记录")
    app = submit(w, Application.Status.SUBMITTED)
    w.campaign.status = Campaign.Status.COUNTY_REVIEW
    w.campaign.save()
    reviewer = User.objects.create_user(username="county", password="x-Pass-12345", display_name="县审核员")
    Membership.objects.create(user=reviewer, unit=w.county, role=Role.COUNTY_REVIEWER)
    body = (
        w.client(reviewer)
        .post(
            reverse("reviews:county_decide", args=[app.pk]),
            {"decision": "accepted", "decided_四.4.(3)__notices": "不清楚"},
        )
        .content.decode()
    )
    assert "指标 四.4.(3) 的评审认定" in body and "只能选择" in body
    assert not CountyReview.objects.exists()


def test_the_result_uses_the_experts_decision_not_the_estimate() -> None:
    """C38 again, to the end: the expert decides C38 (5, against the estimate 9) and C25 (排名全省前列:
    否), agrees with the first-review score elsewhere and submits; the computed result's materials
    score is the expert's total, C38 counted at 5."""
    w = seed_world("sichuan-2023-district", "sichuan-2023-district", district=True)
    save_indicator(w, "C38", panel_score="9")
    app = submit(w, Application.Status.RECOMMENDED)
    assignment = confirmed_sheet(w, app)
    user = assignment.expert.user
    assignment = services.record_expert_score(
        actor=user,
        assignment=assignment,
        revision=0,
        answers={"C38": {"panel_score": "5"}, "C25": {"top_ranked": False}},
    )
    rest = [c for c, _t in services.undecided(assignment) if c not in services.estimated_codes(assignment)]
    assignment = services.agree_with_first_review(
        actor=user, assignment=assignment, revision=assignment.revision, codes=rest
    )
    services.submit_expert_score(actor=user, assignment=assignment)
    organizer = User.objects.create_user(username="organizer", password="x-Pass-12345", display_name="组织者")
    Membership.objects.create(user=organizer, unit=w.campaign.organizer, role=Role.ORGANIZER)
    (result,) = services.compute_results(actor=organizer, campaign=w.campaign)
    assignment.refresh_from_db()
    assert result.materials == assignment.total
    assert Decimal(result.indicators["C38"]) == Decimal("5")
    assert result.materials == Decimal(str(app.versions.get().total)) - 4
