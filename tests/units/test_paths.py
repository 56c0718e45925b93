"""The materialized path behind every "everything under this unit" question: kept right on
create, on a move (the whole subtree follows) and after a bulk insert; filtered in SQL with a
prefix match, never a list of ids."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campuseval.orgs.models import Subtree, Unit, fill_paths, units_above, units_below

pytestmark = pytest.mark.django_db


def _tree() -> dict[str, Unit]:
    p = Unit.objects.create(code="P", name="省", kind=Unit.Kind.PROVINCE)
    c1 = Unit.objects.create(code="C1", name="甲市", kind=Unit.Kind.CITY, parent=p)
    c2 = Unit.objects.create(code="C2", name="乙市", kind=Unit.Kind.CITY, parent=p)
    x = Unit.objects.create(code="X", name="甲县", kind=Unit.Kind.COUNTY, parent=c1)
    s = Unit.objects.create(code="S", name="甲县小学", kind=Unit.Kind.SCHOOL, parent=x)
    return {"p": p, "c1": c1, "c2": c2, "x": x, "s": s}


def test_a_new_unit_carries_the_ids_from_the_root() -> None:
    t = _tree()
    s = Unit.objects.get(code="S")
    assert s.path == f"{t['p'].pk}/{t['c1'].pk}/{t['x'].pk}/{s.pk}/"
    assert s.path_ids == [t["p"].pk, t["c1"].pk, t["x"].pk, s.pk]
    assert s.ancestor_ids == [t["x"].pk, t["c1"].pk, t["p"].pk]
    assert [u.code for u in s.ancestors()] == ["X", "C1", "P"]
    assert s.county is not None and s.county.code == "X"


def test_moving_a_county_moves_its_schools() -> None:
    t = _tree()
    x = Unit.objects.get(code="X")
    x.parent = t["c2"]
    x.save()
    s = Unit.objects.get(code="S")
    assert s.path == f"{t['p'].pk}/{t['c2'].pk}/{x.pk}/{s.pk}/"
    assert s in Unit.objects.get(code="C2").subtree()
    assert s not in Unit.objects.get(code="C1").subtree()


def test_the_region_is_one_prefix_query() -> None:
    t = _tree()
    region = units_below([t["c1"].pk])
    with CaptureQueriesContext(connection) as queries:
        codes = sorted(region.units().values_list("code", flat=True))
    assert codes == ["C1", "S", "X"]
    assert len(queries) == 1 and "LIKE" in queries[0]["sql"] and " IN (" not in queries[0]["sql"]
    assert units_above([t["s"].pk]) == {t["p"].pk, t["c1"].pk, t["x"].pk, t["s"].pk}


def test_a_region_inside_another_is_not_repeated() -> None:
    t = _tree()
    region = Subtree.of([t["c1"], t["x"], t["c2"]])
    assert region.paths == frozenset({t["c1"].path, t["c2"].path})
    assert t["s"] in region and t["p"] not in region
    assert not Subtree() and Subtree.whole_tree() and t["p"] in Subtree.whole_tree()
    assert list(Unit.objects.filter(Subtree().q())) == []
    with pytest.raises(TypeError):
        t["s"].pk in region  # noqa: B015 - an id is refused: compare units


def test_bulk_created_units_get_their_paths() -> None:
    t = _tree()
    made = Unit.objects.bulk_create(
        [Unit(code=f"B{i}", name=f"新校{i}", kind=Unit.Kind.SCHOOL, parent=t["x"]) for i in range(3)]
    )
    fill_paths(made)
    for unit in Unit.objects.filter(code__startswith="B"):
        assert unit.path == f"{t['x'].path}{unit.pk}/"
        assert unit in t["c1"].subtree()
