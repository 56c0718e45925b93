"""Sign-in and password forms with the platform's own Chinese wording and Bootstrap classes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


def _style(form: forms.Form) -> None:
    """Bootstrap classes; fields with an error (once validated) are marked invalid."""
    errors = form.errors if form.is_bound else {}
    for name, field in form.fields.items():
        field.widget.attrs["class"] = "form-control is-invalid" if name in errors else "form-control"


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（区分大小写）。连续多次输错，账号将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        # AuthenticationForm sets max_length after the field was built, so nothing checks it:
        # an overlong name would reach the lock-out table (255 characters) and fail there
        limit = getattr(self.fields["username"], "max_length", None) or 150
        self.fields["username"].validators.append(
            MaxLengthValidator(limit, message=_("「用户名」不能超过 %(limit_value)d 个字符。"))
        )
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        _style(self)

    def full_clean(self) -> None:
        super().full_clean()
        _style(self)


class ChangePasswordForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("原密码不正确，请重新输入。"),
        "password_mismatch": _("两次输入的新密码不一致，请重新输入。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("原密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")
        _style(self)

    def full_clean(self) -> None:
        super().full_clean()
        _style(self)
