from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReviewSettings


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise forms.ValidationError(_("内容含有不可见的空字符，请删除后重试"))
    return value


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, so forms read the same across the product."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ReviewSettingsForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = [
            "experts_per_application",
            "method",
            "level",
            "site_weight",
            "divergence_total",
            "divergence_indicator",
            "other_scores",
            "hide_applicant",
            "rural_places",
            "rural_share",
            "city_review",
            "city_quota",
        ]
        help_texts = {
            "site_weight": _("如 0.3 表示材料评审 70%、实地考察/答辩 30%；0 表示不计实地考察"),
            "divergence_total": _("专家总分极差超过此值时标记需复议；留空不检查"),
            "divergence_indicator": _("任一指标专家极差超过此值时标记需复议；留空不检查"),
            "rural_share": _("如 0.2 表示名额中乡村学校不少于 20%"),
            "city_review": _("省级活动：区县推荐后由各市复核推荐，再报省级评审"),
        }

    def clean_site_weight(self) -> Any:
        value = self.cleaned_data["site_weight"]
        if value is not None and not 0 <= value < 1:
            raise forms.ValidationError(_("实地考察/答辩权重应在 0 到 1 之间（如 0.3 表示 30%）"))
        return value

    def clean_rural_share(self) -> Any:
        value = self.cleaned_data["rural_share"]
        if value is not None and not 0 <= value <= 1:
            raise forms.ValidationError(_("乡村最低比例应在 0 到 1 之间（如 0.2 表示 20%）"))
        return value

    def clean_experts_per_application(self) -> Any:
        value = self.cleaned_data["experts_per_application"]
        if value < 1:
            raise forms.ValidationError(_("每份申报至少需要 1 位专家"))
        return value


class PublishForm(BootstrapMixin, forms.Form):
    starts_on = forms.DateField(label=_("公示开始"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("公示结束"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("公示结束日期不能早于开始日期"))
        return data


class ObjectionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60, validators=[_no_nul])
    contact = forms.CharField(label=_("联系方式"), max_length=100, validators=[_no_nul])
    text = forms.CharField(
        label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, validators=[_no_nul]
    )
