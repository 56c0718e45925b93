"""Every cultivation action form refuses NUL bytes, over-long text and bad numbers or dates
with a Chinese message naming the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from campuseval.cultivation import forms
from campuseval.cultivation.models import Evaluation
from campuseval.engine import load_framework
from campuseval.orgs.models import Unit

pytestmark = pytest.mark.django_db


def lines(form: forms.ActionForm) -> list[str]:
    assert not form.is_valid()
    return form.error_lines()


@pytest.mark.parametrize("cls,label", [(forms.ReasonForm, "原因"), (forms.ReturnPlanForm, "修改意见")])
def test_reason_forms(cls: type[forms.ActionForm], label: str) -> None:
    assert lines(cls({"reason": "布局\x00调整"})) == [f"{label}：含有不可见的控制字符（NUL），请删除后重新填写"]
    assert lines(cls({"reason": "长" * 501})) == [f"{label}：不能超过 500 个字（已填 501 个）"]
    assert lines(cls({"reason": ""})) == [f"{label}：请填写{label}"]
    assert cls({"reason": "布局调整撤并"}).is_valid()


def test_open_evaluation_date() -> None:
    form = forms.OpenEvaluationForm({"evaluation": "", "deadline": "2025-13-01"}, evaluations=Evaluation.objects.none())
    assert lines(form) == ["评估：请选择评估", "提交截止日期：请按 2025-01-01 的格式填写日期"]


def test_evaluate_points_and_notes() -> None:
    fw = load_framework("sichuan-2023-district")
    leaf = fw.leaves()[0]
    data = {
        "evaluation": "",
        f"p_{leaf.code}": "abc",
        "sampled_score": "1e999",
        "notes": "x" * 2001,
    }
    got = lines(
        forms.EvaluateForm(data, leaves=fw.leaves(), evaluations=Evaluation.objects.none(), schools=Unit.objects.none())
    )
    assert f"{leaf.code} 的得分：应为数字" in got
    assert "整改要求/说明：不能超过 2000 个字（已填 2001 个）" in got
    assert any(line.startswith("抽检学校得分：") for line in got)
    over = lines(
        forms.EvaluateForm(
            {f"p_{leaf.code}": str(leaf.points + 1)},
            leaves=fw.leaves(),
            evaluations=Evaluation.objects.none(),
            schools=Unit.objects.none(),
        )
    )
    assert f"{leaf.code} 的得分：应在 0–{leaf.points} 分之间" in over
    nul = lines(
        forms.EvaluateForm(
            {"notes": "a\x00"}, leaves=[], evaluations=Evaluation.objects.none(), schools=Unit.objects.none()
        )
    )
    assert "整改要求/说明：含有不可见的控制字符（NUL），请删除后重新填写" in nul
    assert Decimal(0) <= leaf.points
