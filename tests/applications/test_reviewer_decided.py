"""Inputs the seed leaves to the review group (`decided_by: reviewer`), on the applicant's pages:
the applicant may give a self-estimate, labelled 「自评估计（由评审认定）」; the indicator's
explanation, the score panel and the eligibility line say which points rest on it.

Seed words: 四川省智慧教育示范区创建评价指标 C38 “发展蓝图务实细致，可执行性强，亮点突出（创建阶段
由评审组评定得分；验收阶段根据完成情况打分，不超过创建评定分）”; 厦门市中小学智慧校园建设评价标准
四.2.(1) 材料要求“建议现场抽查分工工作落实情况，落实不到位不得分（1分）”."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from campuseval.applications import services
from campuseval.applications.models import Application

from .test_asked_once import save_indicator, seed_world

pytestmark = pytest.mark.django_db


def test_sichuan_c38_panel_score_is_a_labelled_self_estimate() -> None:
    """C38 “创建阶段由评审组评定得分”: a district may enter the score it expects (8 of 10); the input is
    labelled as a self-estimate decided in review, C38's 8 points are scored and named in the score
    panel as estimated, and the self-score gate (自评 70 分以上) says it counted the estimate."""
    w = seed_world("sichuan-2023-district", "sichuan-2023-district", district=True)
    app = save_indicator(w, "C38", panel_score="8")
    assert app.result["indicators"]["C38"]["points"] == "8"
    assert app.result["indicators"]["C38"]["reviewer_decided"] == ["panel_score"]
    page = w.client(w.officer).get(reverse("applications:indicator", args=[app.pk, "C38"])).content.decode()
    assert "评审组评定得分 <span" in page and "自评估计（由评审认定）" in page
    assert 'name="in_panel_score"' in page  # the estimate may still be typed
    assert 'id="estimated-note"' in page  # beside the indicator's points
    panel = page[page.index('id="score-panel"') :]
    assert "其中 <strong>8</strong> 分为自评估计（由评审认定）" in panel
    assert "C38 未来三年发展蓝图 8 分（估计）" in panel
    assert "其中 C38 为自评估计" in panel  # the eligibility line


def test_xiamen_spot_check_marked_estimated_only_where_it_scores() -> None:
    """厦门 四.2.(1) “建议现场抽查分工工作落实情况，落实不到位不得分（1分）”: the on-site check is the
    reviewers'. Before the school answers, nothing is called estimated; once it answers (spot check
    是), the indicator's 3 points are named as resting on a self-estimate; 四.2.(2), which the school
    decides, never is."""
    w = seed_world("xiamen-trial-school", "school")
    c = w.client(w.officer)
    page = c.get(reverse("applications:indicator", args=[w.application.pk, "四.2.(1)"])).content.decode()
    assert "自评估计（由评审认定）" in page  # the input's label
    assert 'id="estimated"' not in page  # nothing scored on an estimate yet
    app = save_indicator(w, "四.2.(1)", team_list="true", duties="true", spot_check="true")
    assert app.result["indicators"]["四.2.(1)"]["points"] == "3"
    page = c.get(reverse("applications:indicator", args=[app.pk, "四.2.(1)"])).content.decode()
    panel = page[page.index('id="score-panel"') :]
    assert "四.2.(1) 智慧校园建设与应用教师队伍 3 分（估计）" in panel
    other = c.get(reverse("applications:indicator", args=[app.pk, "四.2.(2)"])).content.decode()
    assert "自评估计（由评审认定）</span></label>" not in other


def test_the_autosave_answer_refreshes_the_estimate_in_the_score_panel() -> None:
    """An htmx save of C38 sends the score panel back with the estimate named (the page is not
    reloaded)."""
    w = seed_world("sichuan-2023-district", "sichuan-2023-district", district=True)
    app = Application.objects.get(pk=w.application.pk)
    response = w.client(w.officer).post(
        reverse("applications:indicator", args=[app.pk, "C38"]),
        {"revision": app.revision, "in_panel_score": "6"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "其中 <strong>6</strong> 分为自评估计" in body and 'hx-swap-oob="true"' in body


def test_the_submitted_version_page_labels_the_estimate() -> None:
    """The frozen version (what the county and experts open) reads C38's figure as the district's
    self-estimate."""
    w = seed_world("sichuan-2023-district", "sichuan-2023-district", district=True)
    app = save_indicator(w, "C38", panel_score="7")
    result = services.score_application(app)
    version = app.versions.create(
        number=1,
        form_data=app.form_data,
        answers=services.answer_document(app),
        result=result.to_dict(),
        total=result.total,
        promise_text="承诺",
        submitted_at=timezone.now(),
    )
    page = w.client(w.officer).get(reverse("applications:version", args=[app.pk, version.number])).content.decode()
    assert "评审组评定得分（自评估计，由评审认定）" in page
