"""Forms of the account pages. Every message names its field in Chinese; a NUL byte or an
overlong value is refused at the form (PostgreSQL would refuse it later, as a server error)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campuseval.accounts.models import Role
from campuseval.orgs.models import Subtree, Unit

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class PeopleForm(forms.Form):
    """Bootstrap classes and Chinese messages naming the field, for every form below."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "")
            field.error_messages["required"] = gettext("「%(label)s」为必填项") % {"label": label}
            for key in ("invalid", "invalid_choice"):
                field.error_messages[key] = gettext("「%(label)s」的取值无效") % {"label": label}
            if isinstance(field, forms.CharField) and field.max_length is not None:
                field.error_messages["max_length"] = gettext("「%(label)s」不能超过 %(n)s 个字符") % {
                    "label": label,
                    "n": field.max_length,
                }
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, field in self.fields.items():
            raw = self.data.get(self.add_prefix(name)) if hasattr(self.data, "get") else None
            if isinstance(raw, str) and "\x00" in raw:
                self.errors.pop(name, None)
                cleaned.pop(name, None)
                self.add_error(name, gettext("「%(label)s」含有不可见的空字符，请删除后重试") % {"label": field.label})
        return cleaned

    def problems(self) -> list[str]:
        out: list[str] = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            label = str(field.label) if field is not None and field.label else ""
            for error in errors:
                text = str(error)
                out.append(
                    text
                    if not label or f"「{label}」" in text or f"“{label}”" in text
                    else gettext("「%(label)s」：%(error)s") % {"label": label, "error": text}
                )
        return out


def _units(scope: Subtree | None) -> QuerySet[Unit]:
    units = Unit.objects.order_by("code")
    return units if scope is None else units.filter(scope.q())


class AccountFilterForm(PeopleForm):
    """The list's search and filters (GET): an invalid filter is ignored with its message."""

    q = forms.CharField(label=_("姓名、用户名、手机或工号"), max_length=100, required=False)
    unit = UnitChoiceField(
        label=_("单位（含下级）"), queryset=Unit.objects.none(), required=False, empty_label=_("全部")
    )
    role = forms.ChoiceField(label=_("角色"), choices=[("", _("全部")), *ROLE_CHOICES], required=False)
    active = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), ("1", _("启用")), ("0", _("已停用"))], required=False
    )

    def __init__(self, *args: Any, scope: Subtree | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # only regions in the select (a county covers its schools; schools are found by search)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _units(scope).exclude(kind=Unit.Kind.SCHOOL)


class AccountCreateForm(PeopleForm):
    username = forms.CharField(label=_("用户名"), max_length=150, validators=[UnicodeUsernameValidator()])
    display_name = forms.CharField(label=_("姓名"), max_length=60)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    email = forms.EmailField(label=_("邮箱"), max_length=254, required=False)
    staff_no = forms.CharField(label=_("工号"), max_length=40, required=False)
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("角色"), choices=ROLE_CHOICES)

    def __init__(self, *args: Any, scope: Subtree | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _units(scope)
        self.fields["username"].error_messages["invalid"] = gettext("「用户名」只能包含字母、数字和 @ . + - _")

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and not phone.replace("-", "").replace(" ", "").isdigit():
            raise forms.ValidationError(gettext("「手机」只能包含数字"))
        return phone


class RoleForm(PeopleForm):
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("角色"), choices=ROLE_CHOICES)

    def __init__(self, *args: Any, scope: Subtree | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _units(scope)


class ActiveForm(PeopleForm):
    active = forms.ChoiceField(label=_("状态"), choices=[("1", _("启用")), ("0", _("停用"))])


class ConfirmForm(PeopleForm):
    """The POST of a button that carries no input (withdraw a role, reset, unlock)."""
