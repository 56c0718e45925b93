"""Errors the engine raises, each carrying a Chinese and an English message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about a framework file or an answer file."""

    message_zh: str
    message_en: str
    file: str = ""
    line: int = 0
    code: str = ""
    field: str = ""
    severity: str = "error"  # error | warning | note

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.code:
            parts.append(f"指标 {self.code}")
        if self.field:
            parts.append(f"字段 {self.field}")
        return " ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        prefix = f"{loc}: " if loc else ""
        return f"{prefix}{self.message_zh} / {self.message_en}"


class FrameworkError(Exception):
    """A framework file is malformed; problems hold every finding with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InvalidAnswers(Exception):
    """An answer file holds bad input; each problem names the indicator and the field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
