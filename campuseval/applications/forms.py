"""Forms of the application pages that are not the application itself: the county's return
with its 补正截止, and the stamped scan upload. Messages name the field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campuseval.engine.evidence import EvidenceItem
from campuseval.files.checks import limit_attrs


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise forms.ValidationError(gettext("内容含有不可见的空字符，请删除后重试"))


class ProblemsMixin:
    """Every error of a refused form as one line naming its field (「字段：错误」), for the
    message the page shows; one definition for the workspace's small forms."""

    fields: dict[str, forms.Field]
    errors: Any

    def problems(self) -> list[str]:
        return [
            gettext("%(field)s：%(error)s") % {"field": self.fields[k].label, "error": e}
            if k in self.fields
            else str(e)
            for k, es in self.errors.items()
            for e in es
        ]


class ReturnForm(ProblemsMixin, forms.Form):
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=2000,
        validators=[_no_nul],
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": _("请填写退回理由"), "max_length": _("退回理由不能超过 2000 个字")},
    )
    fix_deadline = forms.DateField(
        label=_("补正截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("请按 2026-12-10 的格式填写日期")},
    )


class AskHeadForm(ProblemsMixin, forms.Form):
    """The officer's request that the head confirm and submit, with an optional note."""

    note = forms.CharField(
        label=_("给负责人的留言"),
        required=False,
        max_length=150,
        validators=[_no_nul],
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "maxlength": "150"}),
        error_messages={"max_length": _("给负责人的留言不能超过 150 个字（现有 %(show_value)d 个字）")},
    )


class StampedScanForm(ProblemsMixin, forms.Form):
    stamped_scan = forms.FileField(
        label=_("盖章扫描件"),
        error_messages={"required": _("请选择要上传的盖章扫描件（PDF、JPG 或 PNG）"), "empty": _("所选文件是空文件")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stamped_scan"].widget.attrs.update(
            {"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png", **limit_attrs()}
        )


class EvidenceUploadForm(ProblemsMixin, forms.Form):
    """Which numbered item of the indicator's 提供材料要求 the uploaded files answer (the files
    themselves go through the one upload check in services). A number the requirement does not
    give is named as 材料序号; the page then keeps the files under 其他材料."""

    evidence_item = forms.TypedChoiceField(label=_("材料序号"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, items: Sequence[EvidenceItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evidence_item"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", gettext("其他材料（不对应以上编号）")),
            *((item.number, gettext("材料 %(n)s：%(text)s") % {"n": item.number, "text": item.text}) for item in items),
        ]
        if items:
            allowed = gettext("可选 %(first)s–%(last)s") % {"first": items[0].number, "last": items[-1].number}
        else:
            allowed = gettext("本指标的提供材料要求未编号")
        field.error_messages["invalid_choice"] = gettext(
            "「%%(value)s」不是本指标提供材料要求中的编号（%(allowed)s）"
        ) % {"allowed": allowed}
        field.widget.attrs.update({"class": "form-select"})


class CopyPreviousForm(ProblemsMixin, forms.Form):
    """Start an application from the unit's earlier one: which campaign, which unit, which
    earlier application (the view resolves each within what the user may reach)."""

    campaign = forms.IntegerField(
        label=_("申报活动"), min_value=1, error_messages={"required": _("请选择申报活动"), "invalid": _("申报活动无效")}
    )
    unit = forms.IntegerField(
        label=_("申报单位"), min_value=1, error_messages={"required": _("请选择申报单位"), "invalid": _("申报单位无效")}
    )
    source = forms.IntegerField(
        label=_("沿用的申报"),
        min_value=1,
        error_messages={"required": _("请选择要沿用的以往申报"), "invalid": _("请选择要沿用的以往申报")},
    )


class CopyConfirmForm(ProblemsMixin, forms.Form):
    """「确认无变化」 for one carried-over indicator (`code`) or page (`page`), and where to go back
    to afterwards (the indicator's page or the review list)."""

    code = forms.CharField(label=_("指标"), max_length=40, required=False)
    page = forms.ChoiceField(
        label=_("页面"), required=False, choices=[("", ""), ("form", _("申报书")), ("choices", _("基本情况与方向选择"))]
    )
    back = forms.ChoiceField(label=_("返回"), required=False, choices=[("", ""), ("indicator", ""), ("page", "")])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("code") and not data.get("page"):
            raise forms.ValidationError(gettext("请指明要确认的指标或页面"))
        return data
