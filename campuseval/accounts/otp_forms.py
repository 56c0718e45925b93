"""Forms of the second-factor pages: a code typed in, and the bare confirmations of the
steps that only need a button (starting the set-up, new recovery codes, a reset)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .otp import RECOVERY_CODE, TOTP_CODE, normalize_code


class CodeForm(forms.Form):
    """A 6-digit code from the authenticator; with `recovery=True` also an 8-letter recovery code."""

    #: no length or NUL validators of its own: whatever was typed gets the one message naming the field
    code = forms.CharField(label=_("验证码"), strip=True, validators=[])

    def __init__(self, *args: Any, recovery: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recovery = recovery
        self.fields["code"].validators = []
        widget = self.fields["code"].widget
        widget.attrs.update(
            {
                "class": "form-control form-control-lg ce-otp-code",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
            }
        )
        if not recovery:
            widget.attrs.update({"inputmode": "numeric", "pattern": r"\d{6}", "maxlength": "6"})
        self.fields["code"].error_messages["required"] = (
            _("验证码：请输入身份验证器上的 6 位数字，或 8 位恢复码。")
            if recovery
            else _("验证码：请输入身份验证器上的 6 位数字。")
        )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if TOTP_CODE.match(code) or (self.recovery and RECOVERY_CODE.match(code)):
            return code
        if self.recovery:
            raise forms.ValidationError(_("验证码：请输入身份验证器上的 6 位数字，或 8 位恢复码。"))
        raise forms.ValidationError(_("验证码：请输入身份验证器上的 6 位数字。"))

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and "code" in self.errors:
            self.fields["code"].widget.attrs["class"] += " is-invalid"


class ConfirmForm(forms.Form):
    """A step confirmed by its button alone (the CSRF token is the form's only content)."""
