"""Evidence files sorted under the numbered items of their indicator's 提供材料要求, for the
school's indicator page and the reviewer's materials: each item with its files (or none, which
the pages show as 「材料 N：无」), and the files tied to no item — uploaded before the items were
offered, or for a requirement that does not number them — under 「其他材料」, never hidden."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from campuseval.engine.evidence import EvidenceItem, evidence_items

T = TypeVar("T")


@dataclass(frozen=True)
class ItemFiles(Generic[T]):
    item: EvidenceItem
    files: tuple[T, ...]

    @property
    def number(self) -> int:
        return self.item.number

    @property
    def text(self) -> str:
        return self.item.text


@dataclass(frozen=True)
class EvidenceGroups(Generic[T]):
    #: one entry per numbered item, in the requirement's order; () when it numbers none
    items: tuple[ItemFiles[T], ...]
    #: the files tied to no item of this requirement
    other: tuple[T, ...]

    @property
    def numbered(self) -> bool:
        return bool(self.items)

    @property
    def missing(self) -> tuple[int, ...]:
        """The item numbers that have no file yet."""
        return tuple(entry.number for entry in self.items if not entry.files)


def group_files(requirement: str, files: Iterable[T], number_of: Callable[[T], int | None]) -> EvidenceGroups[T]:
    """`files` under the requirement's numbered items; a file whose number is not one of them
    (none, or one the framework no longer gives) goes to `other`."""
    items = evidence_items(requirement)
    by_number: dict[int, list[T]] = {item.number: [] for item in items}
    other: list[T] = []
    for f in files:
        number = number_of(f)
        if number is not None and number in by_number:
            by_number[number].append(f)
        else:
            other.append(f)
    return EvidenceGroups(
        items=tuple(ItemFiles(item, tuple(by_number[item.number])) for item in items), other=tuple(other)
    )
