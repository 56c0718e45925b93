"""Every form of the review pages. `ReviewFormMixin` is the one place that refuses NUL bytes
and words the length/required messages with the field's own label, so each form only lists
its fields and their limits; `problems()` gives the messages for the page's error box."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campuseval.applications.models import Application
from campuseval.engine.numbers import to_decimal
from campuseval.engine.text import id_param

from .models import (
    Assignment,
    Expert,
    Objection,
    Panel,
    RecommendationList,
    Reconsideration,
    Result,
    ReviewSettings,
)

NUL_MESSAGE = "「%(label)s」含有不可见的空字符，请删除后重试"


class ReviewFormMixin:
    """Bootstrap classes on every widget; Chinese messages naming the field for required,
    too long and NUL bytes (checked on the raw input of every field, whatever its type)."""

    fields: dict[str, forms.Field]
    #: False keeps Django's own "required" message, for forms whose errors sit beside each field
    label_required_message = True
    data: Any
    _errors: Any
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            self.prepare_field(field)

    def prepare_field(self, field: forms.Field) -> None:
        label = str(field.label or "")
        if self.label_required_message:
            field.error_messages["required"] = f"「{label}」为必填项"
        if isinstance(field, forms.CharField):
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
            if field.max_length is not None:
                field.error_messages["max_length"] = f"「{label}」不能超过 {field.max_length} 个字"
        for key in ("invalid", "invalid_choice", "invalid_list"):
            if key in field.error_messages:
                field.error_messages[key] = f"「{label}」的取值无效"
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        if not getattr(self, "is_bound", False) or self._errors is None:
            return
        for name, field in self.fields.items():
            key = self.add_prefix(name)  # type: ignore[attr-defined]
            raw = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data.get(key)]
            if any(isinstance(v, str) and "\x00" in v for v in raw):
                self._errors[name] = self.error_class([NUL_MESSAGE % {"label": field.label}])  # type: ignore[attr-defined]
                self.cleaned_data.pop(name, None)

    def problems(self) -> list[str]:
        """Every error, each naming its field, for the page's error box."""
        out: list[str] = []
        for name, errors in self.errors.items():  # type: ignore[attr-defined]
            for error in errors:
                text = str(error)
                field = self.fields.get(name)
                label = str(field.label) if field is not None and field.label else ""
                out.append(text if not label or f"「{label}」" in text or name == "__all__" else f"「{label}」：{text}")
        return out


class ReviewForm(ReviewFormMixin, forms.Form):
    pass


def _text(label: str, max_length: int, *, required: bool = False, area: bool = False) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 3}) if area else None
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget)


def _number(value: str, message: str) -> str:
    """Points as typed, when they are a number the engine reads (finite, ASCII digits): NaN or
    Infinity would reach the services' comparisons, where Decimal signals InvalidOperation."""
    value = value.strip()
    if value:
        try:
            to_decimal(value)
        except ValueError:
            raise forms.ValidationError(message % {"value": value}) from None
    return value


# --- organizer desk ------------------------------------------------------------------------------


if TYPE_CHECKING:
    _SettingsModelForm = forms.ModelForm[ReviewSettings]
else:
    _SettingsModelForm = forms.ModelForm


class ReviewSettingsForm(ReviewFormMixin, _SettingsModelForm):
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
            "level_prerequisite",
        ]
        help_texts = {
            "method": _(
                "“去掉最高最低分后平均”只在 5 位及以上专家评分时去掉一个最高分和一个最低分；"
                "不足 5 位专家时按算术平均，评审结果的汇总方法中会注明"
            ),
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


class PublishForm(ReviewForm):
    starts_on = forms.DateField(label=_("公示开始"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("公示结束"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("公示结束日期不能早于开始日期"))
        return data


class DeskForm(ReviewForm):
    """A desk action of one campaign: its panels, finalists, pool and objections as choices."""

    def __init__(
        self,
        data: Any = None,
        *,
        panels: QuerySet[Panel] | None = None,
        applications: QuerySet[Application] | None = None,
        experts: QuerySet[Expert] | None = None,
        assignments: QuerySet[Assignment] | None = None,
        objections: QuerySet[Objection] | None = None,
        results: QuerySet[Result] | None = None,
        reconsiderations: QuerySet[Reconsideration] | None = None,
    ) -> None:
        super().__init__(data)
        for name, qs in (
            ("result", results),
            ("reconsideration", reconsiderations),
            ("panel", panels),
            ("application", applications),
            ("applications", applications),
            ("expert", experts),
            ("experts", experts),
            ("assignment", assignments),
            ("objection", objections),
        ):
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField) and qs is not None:
                field.queryset = qs


def _choice(label: str, model: type[Any]) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(label=label, queryset=model.objects.none())


class IdChoices(forms.ModelMultipleChoiceField[Any]):
    """Several objects by id. Only ids are looked up: 10^30 in a `pk__in` fails on SQLite
    (OverflowError), and text that is no id is no choice."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if id_param(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # not in django-stubs


def _choices(label: str, model: type[Any], *, required: bool = False) -> forms.ModelMultipleChoiceField[Any]:
    return IdChoices(label=label, queryset=model.objects.none(), required=required)


class ConfirmForm(DeskForm):
    """An action without input (confirm no conflict, compute, finalize): CSRF is all it carries."""


class PanelForm(DeskForm):
    name = forms.CharField(label="专家组名称", max_length=100, required=False)
    kind = forms.ChoiceField(label="类型", choices=Panel.Kind.choices)
    experts = _choices("专家", Expert)


class PanelMembersForm(DeskForm):
    panel = _choice("专家组", Panel)
    experts = _choices("成员", Expert)


class PanelActionForm(DeskForm):
    panel = _choice("专家组", Panel)


class BatchAssignForm(DeskForm):
    panel = _choice("专家组", Panel)
    applications = _choices("申报", Application)
    experts = _choices("专家", Expert)


class AssignForm(DeskForm):
    panel = _choice("专家组", Panel)
    application = _choice("申报", Application)
    expert = _choice("专家", Expert)


class UnlockForm(DeskForm):
    assignment = _choice("评审任务", Assignment)
    reason = _text("解锁理由", 200)


class AnswerForm(DeskForm):
    objection = _choice("异议", Objection)
    outcome = forms.ChoiceField(label="处理结果", choices=Objection.Outcome.choices)
    answer = _text("答复理由", 2000, required=True)


class OverrideForm(DeskForm):
    """The organizer's 入选 decision against the ranking; "computed" returns to the ranking."""

    result = _choice("评审结果", Result)
    decision = forms.ChoiceField(
        label="入选决定",
        choices=[("selected", "调整为入选"), ("not_selected", "调整为未入选"), ("computed", "按排名结果")],
    )
    reason = _text("调整理由", 1000)

    def selected(self) -> bool | None:
        return {"selected": True, "not_selected": False}.get(self.cleaned_data["decision"])


class DivergenceForm(DeskForm):
    result = _choice("评审结果", Result)
    reason = _text("分歧处理说明", 1000, required=True)


class ReconsiderationForm(DeskForm):
    application = _choice("复议申报", Application)
    objection = forms.ModelChoiceField(label="依据的异议", queryset=Objection.objects.none(), required=False)
    reason = _text("复议理由", 2000, required=True)
    experts = _choices("复议专家", Expert, required=True)


class CloseReconsiderationForm(DeskForm):
    reconsideration = _choice("复议", Reconsideration)
    starts_on = forms.DateField(label=_("重新公示开始"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("重新公示结束"), widget=forms.DateInput(attrs={"type": "date"}))


# --- expert pool ---------------------------------------------------------------------------------


class ExpertAddForm(ReviewForm):
    username = _text("用户名", 150)
    display_name = _text("姓名", 60)
    email = _text("邮箱", 254)
    title = _text("职称/职务", 60)
    unit = _text("工作单位代码", 30)
    region = _text("所在区县代码", 30)
    fields = _text("专业领域", 200)  # type: ignore[assignment]  # a form field named "fields" (its POST key)


class ExpertUpdateForm(ReviewForm):
    title = _text("职称/职务", 60)
    fields = _text("专业领域", 200)  # type: ignore[assignment]  # a form field named "fields" (its POST key)
    region = _text("所在区县代码", 30)
    is_active = forms.BooleanField(label="在库", required=False)


class ConflictForm(ReviewForm):
    unit = _text("回避单位代码", 30)
    reason = _text("回避理由", 200)


class ReasonForm(ReviewForm):
    reason = _text("理由", 200)


# --- expert --------------------------------------------------------------------------------------


class DeclareConflictForm(ReviewForm):
    unit_code = _text("单位代码", 30)
    reason = _text("回避理由", 200)


class AbstainForm(ReviewForm):
    abstain_reason = _text("回避理由", 1000)


class IndicatorFieldsForm(ReviewForm):
    """A form with a few fields per leaf indicator (named `<part>_<code>`), whose `points_<code>`
    must be a number when given. Subclasses list the parts and the number message."""

    #: (name prefix, field maker taking the indicator code)
    indicator_parts: tuple[tuple[str, Callable[[str], forms.Field]], ...] = ()
    #: the message for points that are not a number (%(code)s and %(value)s filled in)
    points_message = ""

    def __init__(self, data: Any = None, *, codes: Iterable[str] = ()) -> None:
        super().__init__(data)
        self.codes = list(codes)
        for code in self.codes:
            for prefix, make in self.indicator_parts:
                field = make(code)
                self.prepare_field(field)
                self.fields[f"{prefix}_{code}"] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code in self.codes:
            key = f"points_{code}"
            if isinstance(data.get(key), str):
                try:
                    data[key] = _number(data[key], self.points_message.replace("%(code)s", code))
                except forms.ValidationError as exc:
                    self.add_error(key, exc)
        return data


class DecidedInputsForm(IndicatorFieldsForm):
    """An indicator form that also takes the reviewer's value of each input the review group
    decides (`decided_by: reviewer`), as a field `decided_<code>__<key>`: text here, checked by
    the framework's input itself (range, options) when the page hands it on."""

    def __init__(
        self, data: Any = None, *, codes: Iterable[str] = (), decided: Mapping[str, Mapping[str, str]] | None = None
    ) -> None:
        """`decided`: {leaf code: {input key: label}}."""
        super().__init__(data, codes=codes)
        self.decided = {code: dict(keys) for code, keys in (decided or {}).items()}
        for code, keys in self.decided.items():
            for key, label in keys.items():
                field = _text(f"指标 {code} 的评审认定「{label}」", 200)
                self.prepare_field(field)
                self.fields[f"decided_{code}__{key}"] = field

    def decided_values(self) -> dict[str, dict[str, str]]:
        """{code: {input key: what the reviewer typed}}, only the inputs given a value."""
        out: dict[str, dict[str, str]] = {}
        for code, keys in self.decided.items():
            for key in keys:
                value = str(self.cleaned_data.get(f"decided_{code}__{key}") or "").strip()
                if value:
                    out.setdefault(code, {})[key] = value
        return out


class ScoreSheetForm(DecidedInputsForm):
    """The expert's sheet: per leaf indicator points (a number) or 同意初审分, a comment,
    skipped or not; and the overall opinion."""

    revision = forms.IntegerField(label="版本", required=False)
    overall_comment = _text("总体评审意见", 4000, area=True)
    indicator_parts = (
        ("points", lambda code: _text(f"指标 {code} 的评分", 20)),
        ("agree", lambda code: forms.BooleanField(label=f"指标 {code} 同意初审分", required=False)),
        ("comment", lambda code: _text(f"指标 {code} 的评语", 1000)),
        ("skip", lambda code: forms.BooleanField(label=f"指标 {code} 暂不评分", required=False)),
    )
    points_message = "指标 %(code)s 的评分应为数字，收到「%(value)s」"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for code in self.codes:
            points = data.get(f"points_{code}")
            if isinstance(points, str) and points.strip() and data.get(f"agree_{code}"):
                self.add_error(f"points_{code}", f"指标 {code} 既填写了评分又勾选了同意初审分，请二选一")
        return data

    def agreed(self) -> list[str]:
        return [c for c in self.codes if self.cleaned_data.get(f"agree_{c}")]

    def overall(self) -> str:
        return str(self.cleaned_data.get("overall_comment", ""))

    def points(self) -> dict[str, str]:
        return {c: self.cleaned_data.get(f"points_{c}", "") for c in self.codes}

    def comments(self) -> dict[str, str]:
        return {c: self.cleaned_data.get(f"comment_{c}", "") for c in self.codes}

    def skipped(self) -> list[str]:
        return [c for c in self.codes if self.cleaned_data.get(f"skip_{c}")]

    def revision_number(self) -> int:
        value = self.cleaned_data.get("revision")
        return -1 if value is None else int(value)


class AgreeRestForm(ReviewForm):
    """其余指标同意初审分, confirmed: the revision and the indicator codes the expert was shown."""

    revision = forms.IntegerField(label="版本")
    codes = forms.MultipleChoiceField(label="待决定的指标")

    def __init__(self, data: Any = None, *, codes: Iterable[str] = ()) -> None:
        super().__init__(data)
        field = self.fields["codes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c, c) for c in codes]


# --- county and city -----------------------------------------------------------------------------


class CountyDecisionForm(DecidedInputsForm):
    """The county's decision, with an adjusted score and its reason per leaf indicator."""

    decision = forms.CharField(label="初审结论", max_length=16, required=False)
    reason = _text("理由", 2000)
    opinion = _text("推荐意见", 4000, area=True)
    #: a return's 补正截止 (empty: the campaign's number of days from now)
    fix_deadline = forms.DateField(
        label="补正截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    indicator_parts = (
        ("points", lambda code: _text(f"指标 {code} 的调整分值", 20)),
        ("reason", lambda code: _text(f"指标 {code} 的调整理由", 500)),
    )
    points_message = "指标 %(code)s 的调整分值应为数字，收到「%(value)s」"


class RecommendationForm(ReviewForm):
    """The picked applications in order, who filled the list in, and a highlight per row."""

    application = forms.TypedMultipleChoiceField(label="推荐申报", coerce=int, required=False)
    filled_by = _text("填表人", 60)
    phone = _text("联系电话", 30)

    def __init__(self, data: Any = None, *, candidates: Iterable[tuple[int, str]] = ()) -> None:
        super().__init__(data)
        named = list(candidates)
        self.candidates = [pk for pk, _name in named]
        field = self.fields["application"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(pk, name) for pk, name in named]
        for pk, name in named:
            extra = _text(f"{name}的亮点特色", 2000)
            self.prepare_field(extra)
            self.fields[f"highlights_{pk}"] = extra

    def picked(self) -> list[int]:
        return list(self.cleaned_data.get("application") or [])

    def highlights(self) -> dict[int, str]:
        return {pk: self.cleaned_data.get(f"highlights_{pk}", "") for pk in self.picked()}

    def list_fields(self) -> dict[str, Any]:
        """What the recommendation services take besides the applications."""
        return {
            "filled_by": self.cleaned_data["filled_by"],
            "phone": self.cleaned_data["phone"],
            "highlights": self.highlights(),
        }


def shown_list(form: RecommendationForm | None, rec: RecommendationList | None) -> dict[str, Any]:
    """What a list page shows in its form: what was just typed when a save was refused (so
    nothing is lost), else the saved list."""
    if form is not None and form.is_bound:
        return {
            # ASCII digits of a bounded length only: int() of 5,000 digits (or '²') raises
        "chosen": [pk for pk in (id_param(str(x)) for x in form.data.getlist("application")) if pk is not None],
            "highlights": {pk: form.data.get(f"highlights_{pk}", "") for pk in form.candidates},
            "filled_by": form.data.get("filled_by", ""),
            "phone": form.data.get("phone", ""),
        }
    if rec is None:
        return {"chosen": [], "highlights": {}, "filled_by": "", "phone": ""}
    rows = list(rec.rows.values_list("application_id", "highlights"))
    return {
        "chosen": [pk for pk, _text in rows],
        "highlights": dict(rows),
        "filled_by": rec.filled_by,
        "phone": rec.phone,
    }


class ConfirmListForm(ReviewForm):
    confirmed_name = _text("确认人姓名", 60)


# --- public --------------------------------------------------------------------------------------


class ObjectionForm(ReviewForm):
    """The public objection form; its errors are shown under each field (so the stock message)."""

    label_required_message = False
    application = forms.ModelChoiceField(
        label=_("异议涉及的申报单位"), queryset=Application.objects.none(), empty_label="（请选择）"
    )
    name = forms.CharField(label=_("姓名"), max_length=60)
    contact = forms.CharField(label=_("联系方式"), max_length=100)
    text = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)

    def __init__(self, data: Any = None, *, choices: Iterable[tuple[int, str]] = ()) -> None:
        """`choices`: the published applications (pk, name) an objection may concern."""
        super().__init__(data)
        options = list(choices)
        field = self.fields["application"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Application.objects.filter(pk__in=[pk for pk, _name in options])
        names = dict(options)
        field.label_from_instance = lambda app: names.get(app.pk, str(app))  # type: ignore[method-assign,assignment]
