"""The campaign settings form: field types and required fields here; the rules between fields
(deadline after start, quotas, framework subject, locked settings) live in services so every
caller gets them. A refused form is shown again with everything as typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campuseval.engine.text import id_param
from campuseval.orgs.models import Subtree, Unit
from campuseval.spreadsheets.reading import check_file

from . import services
from .models import Campaign, FrameworkRecord, Stage
from .queries import frameworks_seen_by

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


class FrameworkChoice(forms.ModelChoiceField[FrameworkRecord]):
    def label_from_instance(self, obj: FrameworkRecord) -> str:
        total = f"{obj.total.normalize():f}"
        if obj.bonus_total:
            total += f" + {obj.bonus_total.normalize():f}"
        edition = f"{obj.edition}，" if obj.edition else ""
        return f"{obj.title}（{edition}{obj.key}，{total} 分）"


class UnitChoices(forms.ModelMultipleChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"

    def _check_values(self, value: Any) -> Any:
        """Only ids are looked up: 10^30 in a `pk__in` fails on SQLite (OverflowError), and
        text that is no id is no choice."""
        for pk in value:
            if id_param(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # not in django-stubs


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("请填写有效的日期时间，如 2024-05-30 17:30")},
    )


#: the largest quota or count a campaign takes (far above any city's schools)
COUNT_MAX = 100_000


def _count(label: StrOrPromise) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        # a count beyond the database's integer (10^30) would fail on saving: refused here
        max_value=COUNT_MAX,
        error_messages={
            "invalid": _("请填写整数"),
            "min_value": _("不能为负数"),
            "max_value": _("不能超过 %(limit_value)s"),
        },
    )


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise forms.ValidationError(_("内容含有不可见的空字符，请删除后重试"))


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("活动名称"), max_length=200, error_messages={"required": _("请填写活动名称")})
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": _("请填写年度"),
            "invalid": _("年度应为四位数字"),
            "min_value": _("年度应在 2000 到 2100 之间"),
            "max_value": _("年度应在 2000 到 2100 之间"),
        },
    )
    kind = forms.ChoiceField(label=_("类型"), choices=Campaign.Kind.choices, widget=forms.RadioSelect)
    organizer = forms.ModelChoiceField(
        label=_("组织单位"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("请选择组织单位")},
    )
    covered_units = UnitChoices(
        label=_("覆盖范围"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示组织单位所辖全部区县和学校"),
        error_messages={"invalid_choice": _("所选单位不在您的管理范围内")},
    )
    applicants = forms.ChoiceField(label=_("申报对象"), choices=Campaign.Applicants.choices, widget=forms.RadioSelect)
    school_framework = FrameworkChoice(
        label=_("学校指标框架"),
        queryset=FrameworkRecord.objects.none(),
        required=False,
        empty_label=_("（不适用）"),
        error_messages={"invalid_choice": _("请从列表中选择学校指标框架")},
    )
    district_framework = FrameworkChoice(
        label=_("区县指标框架"),
        queryset=FrameworkRecord.objects.none(),
        required=False,
        empty_label=_("（不适用）"),
        error_messages={"invalid_choice": _("请从列表中选择区县指标框架")},
    )
    school_form = forms.ChoiceField(label=_("学校申报书"), required=False)
    district_form = forms.ChoiceField(label=_("区县申报书"), required=False)
    as_of = forms.DateField(
        label=_("评估基准日"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("“近三年”“近两年”等时间窗口据此计算，一般取申报截止日"),
        error_messages={"required": _("请填写评估基准日"), "invalid": _("请填写有效的日期，如 2024-05-30")},
    )
    max_schools_per_county = _count(_("每县最多推荐学校数"))
    min_rural_per_county = _count(_("每县至少乡村学校数"))
    min_self_score = forms.DecimalField(
        label=_("申报最低自评分"),
        required=False,
        max_digits=6,
        decimal_places=2,
        error_messages={
            "invalid": _("请填写数字，如 70"),
            "max_digits": _("分数位数过多"),
            "max_decimal_places": _("最多保留两位小数"),
        },
    )
    places_schools = _count(_("学校名额"))
    places_districts = _count(_("区县名额"))
    description = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[_no_nul],
        max_length=5000,
        error_messages={"max_length": _("说明最多 %(limit_value)d 字（现为 %(show_value)d 字）")},
    )
    fix_days = forms.IntegerField(
        label=_("补正期限（天）"),
        required=False,
        min_value=1,
        max_value=60,
        initial=7,
        help_text=_("县级退回后学校修改并重新提交的天数（县级退回时可另定日期）"),
        error_messages={
            "required": _("请填写补正期限（天）"),
            "invalid": _("补正期限应为整数天数"),
            "min_value": _("补正期限至少 1 天"),
            "max_value": _("补正期限不能超过 60 天"),
        },
    )
    requires_stamped_scans = forms.BooleanField(
        label=_("要求上传盖章扫描件"),
        required=False,
        help_text=_("勾选后，申报单位须上传签字盖章的申报书扫描件才能提交，县级须上传盖章推荐表扫描件才能确认推荐名单"),
    )

    def __init__(
        self,
        *args: Any,
        organizers: Sequence[Unit],
        campaign: Campaign | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        ids = [u.pk for u in organizers]
        self.fields["organizer"].queryset = Unit.objects.filter(pk__in=ids).order_by("code")  # type: ignore[attr-defined]
        below = Subtree.of(organizers)
        self.fields["covered_units"].queryset = (  # type: ignore[attr-defined]
            below.units().exclude(pk__in=ids).exclude(kind=Unit.Kind.SCHOOL).order_by("code")
        )
        for key, subject in (("school_framework", "school"), ("district_framework", "district")):
            current = getattr(campaign, f"{key}_id", None)
            self.fields[key].queryset = FrameworkRecord.objects.filter(  # type: ignore[attr-defined]
                (Q(subject=subject, is_active=True) & frameworks_seen_by(organizers)) | Q(pk=current)
            ).order_by("key")
        for key, subject in (("school_form", "school"), ("district_form", "district")):
            choices = [("", _("（按指标框架自动选择）")), *services.available_forms(subject).items()]
            current_form = getattr(campaign, key, "")
            if current_form and current_form not in dict(choices):
                choices.append((current_form, current_form))
            self.fields[key].choices = choices  # type: ignore[attr-defined]
        self.stage_fields: list[dict[str, Any]] = []
        for kind, label in Stage.Kind.choices:
            self.fields[f"{kind}_starts"] = _datetime_field(_("%(stage)s开始") % {"stage": label})
            self.fields[f"{kind}_deadline"] = _datetime_field(_("%(stage)s截止") % {"stage": label})
        if campaign is not None and campaign.applications.exists():
            for key in services.LOCKED_WHEN_STARTED:
                self.fields[key].disabled = True
                self.fields[key].help_text = _("已有单位开始申报，不能更改")
        self.single_organizer = len(ids) == 1
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput)):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        _no_nul(name)
        return name.strip()

    def stages(self) -> list[dict[str, Any]]:
        """The stage rows for the template: label and the two bound fields."""
        return [
            {"label": label, "starts": self[f"{kind}_starts"], "deadline": self[f"{kind}_deadline"]}
            for kind, label in Stage.Kind.choices
        ]

    def to_data(self) -> services.CampaignData:
        d = self.cleaned_data
        return services.CampaignData(
            name=d["name"],
            year=d["year"],
            kind=d["kind"],
            organizer=d["organizer"],
            applicants=d["applicants"],
            as_of=d["as_of"],
            covered_units=list(d["covered_units"]),
            school_framework=d["school_framework"],
            district_framework=d["district_framework"],
            school_form=d["school_form"],
            district_form=d["district_form"],
            max_schools_per_county=d["max_schools_per_county"],
            min_rural_per_county=d["min_rural_per_county"],
            min_self_score=d["min_self_score"],
            places_schools=d["places_schools"],
            places_districts=d["places_districts"],
            description=d["description"],
            fix_days=d["fix_days"] if d.get("fix_days") is not None else 7,
            requires_stamped_scans=d["requires_stamped_scans"],
            stages={kind: (d.get(f"{kind}_starts"), d.get(f"{kind}_deadline")) for kind in Stage.Kind.values},
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the service's messages next to their fields (general ones at the top)."""
        for key, messages in errors.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)


def initial_for(campaign: Campaign) -> dict[str, Any]:
    """The form's initial values from a saved campaign (local times for the stages)."""
    initial: dict[str, Any] = {key: getattr(campaign, key) for key in services.SCALARS}
    initial.update(
        organizer=campaign.organizer_id,
        covered_units=list(campaign.covered_units.values_list("pk", flat=True)),
        school_framework=campaign.school_framework_id,
        district_framework=campaign.district_framework_id,
    )
    for stage in campaign.stages.all():
        initial[f"{stage.kind}_starts"] = timezone.localtime(stage.starts_at)
        initial[f"{stage.kind}_deadline"] = timezone.localtime(stage.deadline)
    return initial


def initial_new(organizers: Sequence[Unit]) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "year": today.year,
        "kind": Campaign.Kind.SELECTION,
        "applicants": Campaign.Applicants.SCHOOLS,
        "organizer": organizers[0].pk if organizers else None,
        "apply_starts": dt.datetime.combine(today, dt.time(8, 0)),
        "fix_days": 7,
    }


# --- framework pages ------------------------------------------------------------------------------


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs["class"] = "form-control"


def _date_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("请填写有效的日期，如 2025-09-01")},
    )


def _check_upload(upload: Any) -> Any:
    problem = check_file(upload)
    if problem:
        raise forms.ValidationError(problem)
    if not str(upload.name or "").lower().endswith(".xlsx"):
        raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 工作簿"))
    return upload


class FrameworkUploadForm(forms.Form):
    """A framework workbook: the bureau it belongs to, its edition label and dates (these may
    also stand in the workbook's 设置 sheet; what is typed here wins)."""

    file = forms.FileField(
        label=_("指标框架工作簿（.xlsx）"),
        error_messages={"required": _("请选择要上传的指标框架工作簿"), "empty": _("上传的文件是空的")},
    )
    owner = forms.ModelChoiceField(
        label=_("所属单位"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("请选择所属单位")},
    )
    edition = forms.CharField(
        label=_("版本"), required=False, max_length=40, help_text=_("如 2025版；留空则取工作簿“设置”中的版本")
    )
    effective_from = _date_field(_("生效日期"))
    effective_until = _date_field(_("失效日期"))
    edition_of = forms.ModelChoiceField(
        label=_("作为以下框架的新版本"),
        queryset=FrameworkRecord.objects.none(),
        required=False,
        empty_label=_("（新的框架系列）"),
        error_messages={"invalid_choice": _("请从列表中选择框架")},
    )

    replace_draft = forms.BooleanField(
        label=_("编号相同的草稿（未启用、未被使用）用本工作簿替换"),
        required=False,
        help_text=_("不勾选时，编号已存在会被拒绝"),
    )

    def __init__(self, *args: Any, owners: Sequence[Unit], families: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Unit.objects.filter(pk__in=[u.pk for u in owners]).order_by("code")  # type: ignore[attr-defined]
        self.fields["edition_of"].queryset = families  # type: ignore[attr-defined]
        self.single_owner = len(owners) == 1
        _styled(self)

    def clean_file(self) -> Any:
        return _check_upload(self.cleaned_data["file"])

    def clean_edition(self) -> str:
        text = str(self.cleaned_data.get("edition") or "").strip()
        _no_nul(text)
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("effective_from"), data.get("effective_until")
        if start and end and end < start:
            self.add_error("effective_until", _("失效日期不能早于生效日期"))
        return data


class SampleSheetForm(forms.Form):
    """A filled 样例答卷 to score in the preview."""

    file = forms.FileField(
        label=_("填写好的样例答卷（.xlsx）"),
        error_messages={"required": _("请选择填写好的样例答卷"), "empty": _("上传的文件是空的")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean_file(self) -> Any:
        return _check_upload(self.cleaned_data["file"])


class ActivateForm(forms.Form):
    retire_family = forms.BooleanField(
        label=_("同时停用本单位该系列的其他版本（已使用它们的活动不受影响）"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class DeactivateForm(forms.Form):
    """Stopping a framework is a POST with its CSRF token; nothing else to say."""


class CopyForm(forms.Form):
    key = forms.CharField(
        label=_("新版本的框架编号"),
        max_length=80,
        help_text=_("小写字母、数字和连字符，如 city-2026-school"),
        error_messages={"required": _("请填写新版本的框架编号")},
    )
    edition = forms.CharField(
        label=_("版本"), max_length=40, error_messages={"required": _("请填写版本名称，如 2026版")}
    )
    owner = forms.ModelChoiceField(
        label=_("所属单位"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("请选择所属单位")},
    )

    def __init__(self, *args: Any, owners: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Unit.objects.filter(pk__in=[u.pk for u in owners]).order_by("code")  # type: ignore[attr-defined]
        self.single_owner = len(owners) == 1
        _styled(self)

    def clean_key(self) -> str:
        text = str(self.cleaned_data["key"]).strip()
        _no_nul(text)
        return text

    def clean_edition(self) -> str:
        text = str(self.cleaned_data["edition"]).strip()
        _no_nul(text)
        return text


class DiffForm(forms.Form):
    """Which other edition to compare with (a GET form: reading, no write)."""

    other = forms.ModelChoiceField(
        label=_("对比的版本"),
        queryset=FrameworkRecord.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("请选择要对比的版本")},
    )

    def __init__(self, *args: Any, editions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = editions  # type: ignore[attr-defined]
        _styled(self)
