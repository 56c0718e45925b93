"""The unit tree as the organizer sees it: one query per level, whatever the number of schools."""

from __future__ import annotations

from dataclasses import dataclass, field

from campuseval.access.rules import Actor, managed_roots
from campuseval.orgs.models import Unit


@dataclass
class TreeNode:
    unit: Unit
    children: list[TreeNode] = field(default_factory=list)

    @property
    def schools(self) -> list[Unit]:
        return [c.unit for c in self.children if c.unit.kind == Unit.Kind.SCHOOL]

    @property
    def school_count(self) -> int:
        return sum(1 for n in self.walk() if n.unit.kind == Unit.Kind.SCHOOL)

    @property
    def rural_count(self) -> int:
        return sum(1 for n in self.walk() if n.unit.kind == Unit.Kind.SCHOOL and n.unit.area == Unit.Area.RURAL)

    @property
    def student_count(self) -> int:
        return sum(n.unit.students or 0 for n in self.walk() if n.unit.kind == Unit.Kind.SCHOOL)

    def walk(self) -> list[TreeNode]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


def unit_tree(user: Actor) -> list[TreeNode]:
    """The managed units as trees (city → counties → schools), children in code order."""
    roots = managed_roots(user)
    nodes = {u.pk: TreeNode(u) for u in roots}
    frontier = list(nodes)
    while frontier:
        level = list(Unit.objects.filter(parent_id__in=frontier).order_by("code"))
        for unit in level:
            nodes[unit.pk] = TreeNode(unit)
            nodes[unit.parent_id].children.append(nodes[unit.pk])  # type: ignore[index]
        frontier = [u.pk for u in level]
    return [nodes[u.pk] for u in roots]
