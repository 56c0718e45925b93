"""The platform's password policy: a minimum length and a number of character classes, both
set in settings (PASSWORD_MIN_LENGTH, PASSWORD_REQUIRE_CLASSES) so a bureau can follow its own
rules (等保 often asks for three classes) without touching code."""

from __future__ import annotations

import string
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

#: the four classes counted, in the order the message names them
CLASSES: tuple[tuple[str, str], ...] = (
    ("upper", "大写字母"),
    ("lower", "小写字母"),
    ("digit", "数字"),
    ("symbol", "符号"),
)


def character_classes(password: str) -> set[str]:
    """Which of upper/lower/digit/symbol the password uses (any non-alphanumeric is a symbol,
    so a Chinese character counts as one)."""
    found: set[str] = set()
    for ch in password:
        if ch in string.ascii_uppercase:
            found.add("upper")
        elif ch in string.ascii_lowercase:
            found.add("lower")
        elif ch.isdigit():
            found.add("digit")
        else:
            found.add("symbol")
    return found


class PasswordPolicyValidator:
    """Length and character classes, read from settings at each check (tests and deployments
    change them without restarting the validator list)."""

    def __init__(self, min_length: int | None = None, require_classes: int | None = None) -> None:
        self._min_length = min_length
        self._require_classes = require_classes

    @property
    def min_length(self) -> int:
        return self._min_length if self._min_length is not None else int(getattr(settings, "PASSWORD_MIN_LENGTH", 8))

    @property
    def require_classes(self) -> int:
        wanted = self._require_classes
        if wanted is None:
            wanted = int(getattr(settings, "PASSWORD_REQUIRE_CLASSES", 2))
        return max(0, min(wanted, len(CLASSES)))

    def validate(self, password: str, user: Any = None) -> None:
        errors: list[ValidationError] = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    "密码太短，至少需要 %(min_length)d 个字符。",
                    code="password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        if len(character_classes(password)) < self.require_classes:
            errors.append(
                ValidationError(
                    "密码须至少包含大写字母、小写字母、数字、符号中的 %(classes)d 类。",
                    code="password_too_simple",
                    params={"classes": self.require_classes},
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return (
            f"至少 {self.min_length} 个字符，并至少包含大写字母、小写字母、数字、符号中的 {self.require_classes} 类。"
        )
