"""Forms for every cultivation action: lengths, numbers, dates and NUL bytes are checked here,
with Chinese messages naming the field, before any service runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from campuseval.campaigns.models import Campaign
from campuseval.engine import Indicator
from campuseval.orgs.models import Unit

from .models import Evaluation

REASON_MAX = 500
NOTES_MAX = 2000
NUL_MESSAGE = "含有不可见的控制字符（NUL），请删除后重新填写"


def no_nul(value: Any) -> None:
    """The one text validator of these forms: NUL bytes are refused (PostgreSQL cannot store
    them and they never come from a person typing)."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(NUL_MESSAGE)


class ActionForm(forms.Form):
    """A form whose errors read `字段名：问题`, each field named by its label."""

    def error_lines(self) -> list[str]:
        lines = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            lines += [f"{label}：{e}" if label else str(e) for e in errors]
        return lines

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, raw in self.data.items():
            if name not in self.errors and name != "csrfmiddlewaretoken":
                try:
                    no_nul(str(raw))
                except ValidationError as exc:
                    self.add_error(name if name in self.fields else None, exc)
        return data


def _text(label: str, max_length: int, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "null_characters_not_allowed": NUL_MESSAGE,
            "required": f"请填写{label}",
            "max_length": f"不能超过 {max_length} 个字（已填 %(show_value)d 个）",
        },
    )


def _evaluation(project_evaluations: QuerySet[Evaluation]) -> forms.ModelChoiceField[Evaluation]:
    return forms.ModelChoiceField(
        label="评估",
        queryset=project_evaluations,
        error_messages={"required": "请选择评估", "invalid_choice": "所选评估不属于本项目"},
    )


def _date(label: str, example: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        error_messages={"required": f"请填写{label}（如 {example}）", "invalid": f"请按 {example} 的格式填写日期"},
    )


class CreateProjectsForm(ActionForm):
    campaign = forms.ModelChoiceField(
        label="遴选活动",
        queryset=Campaign.objects.none(),
        error_messages={"required": "请选择遴选活动", "invalid_choice": "所选活动不可用"},
    )
    start_date = _date("开始日期", "2024-01-01")

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = campaigns


class PlanForm(ActionForm):
    plan = forms.FileField(label="实施方案文件", error_messages={"required": "请选择实施方案文件"})


class AcceptPlanForm(ActionForm):
    plan = forms.FileField(label="实施方案文件", required=False)


class ReasonForm(ActionForm):
    reason = _text("原因", REASON_MAX)


class ReturnPlanForm(ActionForm):
    reason = _text("修改意见", REASON_MAX)


class ExcludeSchoolForm(ActionForm):
    school = forms.ModelChoiceField(
        label="学校",
        queryset=Unit.objects.none(),
        error_messages={"required": "请选择学校", "invalid_choice": "所选学校不在本区域内"},
    )
    reason = _text("原因", REASON_MAX)

    def __init__(self, *args: Any, schools: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = schools


class OpenEvaluationForm(ActionForm):
    """The deadline and the review steps of this evaluation: a county list, a public notice and
    the site visit's weight are the organizer's choice here, not inherited from the selection."""

    deadline = _date("提交截止日期", "2025-01-01")
    county_list = forms.BooleanField(
        label="需要县级推荐名单",
        required=False,
        help_text="不勾选时，县级初审通过即进入专家评审，不必再建只有一行的推荐名单",
    )
    publicity = forms.BooleanField(label="需要公示", required=False, help_text="不勾选时，计算结果后直接确定最终名单")
    site_weight = forms.DecimalField(
        label="实地考察/答辩权重",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal("0.99"),
        decimal_places=2,
        help_text="如 0.3 表示材料评审 70%、实地考察/答辩 30%；留空或 0 表示不计实地考察",
        error_messages={
            "invalid": "请填写 0 到 1 之间的小数（如 0.3）",
            "min_value": "应在 0 到 1 之间（如 0.3 表示 30%%）",
            "max_value": "应在 0 到 1 之间（如 0.3 表示 30%%）",
            "max_decimal_places": "最多两位小数",
        },
    )

    def __init__(self, *args: Any, evaluations: QuerySet[Evaluation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"evaluation": _evaluation(evaluations), **self.fields}


class ConcludeForm(ActionForm):
    outcome = forms.CharField(
        label="结论", required=False, max_length=20, error_messages={"null_characters_not_allowed": NUL_MESSAGE}
    )
    notes = _text("整改要求/说明", NOTES_MAX, required=False)

    def __init__(self, *args: Any, evaluations: QuerySet[Evaluation], schools: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "evaluation": _evaluation(evaluations),
            **self.fields,
            "sampled_school": forms.ModelChoiceField(
                label="抽检学校",
                queryset=schools,
                required=False,
                error_messages={"invalid_choice": "抽检学校须为本区域内的学校"},
            ),
        }


class EvaluateForm(ConcludeForm):
    """The offline review's indicator points (`p_<code>`, 0 to the indicator's points), the
    outcome and, for a district's final evaluation, the sampled school and its score."""

    def __init__(
        self,
        *args: Any,
        leaves: list[Indicator],
        evaluations: QuerySet[Evaluation],
        schools: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, evaluations=evaluations, schools=schools, **kwargs)
        self.leaves = leaves
        self.fields["sampled_score"] = _points("抽检学校得分", Decimal(100))
        for leaf in leaves:
            self.fields[f"p_{leaf.code}"] = _points(f"{leaf.code} 的得分", leaf.points)

    def indicators(self) -> dict[str, Decimal]:
        return {
            leaf.code: self.cleaned_data[f"p_{leaf.code}"]
            for leaf in self.leaves
            if self.cleaned_data.get(f"p_{leaf.code}") is not None
        }


def _points(label: str, most: Decimal) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=most,
        max_digits=8,
        decimal_places=2,
        error_messages={
            "invalid": "应为数字",
            "min_value": f"应在 0–{most} 分之间",
            "max_value": f"应在 0–{most} 分之间",
            "max_digits": "数字过长",
            "max_decimal_places": "最多保留 2 位小数",
        },
    )
