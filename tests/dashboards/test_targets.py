"""Level targets as data (等级目标), cumulative attainment across a family's campaigns, and the
trend that never mixes frameworks — against the hand-counted world in conftest.py.

依据（泰州 2022 通知“二、目标任务”）："2022年全市中小学校95 %以上的达市合格型智慧校园，20%以上的达市
优秀型智慧校园，10%以上的达市示范型智慧校园……到2024年实现全市中小学校100%达市合格型智慧校园" — a
target due two years on is watched across campaigns, so a level held from 2022 still counts in 2024
until a later final result replaces it. 亳州 2024 通知："遴选中小学智慧学校应用示范区1~2个、示范校20所" —
a count, not a share."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.accounts.models import Role
from campuseval.applications import figures
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.campaigns.models import FrameworkRecord
from campuseval.orgs.models import Unit
from campuseval.reports import dashboards
from campuseval.reports.models import Target
from campuseval.reports.targets import seed_demo_targets
from campuseval.reviews.models import Result

from .conftest import FRAMEWORK, DashWorld, apply, campaign, make_user, taizhou_targets
from .test_views import cells, chart_data, page

pytestmark = pytest.mark.django_db


def organizer_scope(dw: DashWorld, c: object = None, unit: object = None) -> dashboards.Scope:
    scope = dashboards.scope_for(dw.users["organizer"], c or dw.campaign, None, unit)
    assert scope is not None
    return scope


def finalize(app: Application) -> None:
    Result.objects.filter(application=app).update(status=Result.Status.FINAL)


def final_result(c: object, app: Application, level: str, *, selected: bool = False) -> Result:
    result = Result.objects.create(
        campaign=c,
        application=app,
        materials=D(80),
        final=D(80),
        method="算术平均",
        level=level,
        selected=selected,
        status=Result.Status.FINAL,
    )
    figures.record_final(result)
    return result


def total_row(html: str) -> list[str]:
    return next(r for r in cells(html) if r and r[0] == "泰州示例市（合计）")


# --- 2. attainment is cumulative, and a rejected application never counts ---------------------


def test_a_rejected_school_never_counts(dw: DashWorld) -> None:
    """乙县乡村中学 (YB) was not recommended (不予推荐) although its self-assessment says 示范型:
    before, it counted as 示范型 on the dashboard."""
    version = dw.apps["YB"].versions.get(number=2)
    version.result["level"] = "示范型"
    version.save()
    figures.record_self(version)
    y = next(r for r in dashboards.attainment(organizer_scope(dw))["rows"] if r["name"] == "乙县")
    # YA's self-assessed 合格型 only
    assert y["counts"] == {"示范型": 0, "优秀型": 0, "合格型": 1}
    assert (y["from_results"], y["from_self"], y["from_held"]) == (0, 1, 0)


def _two_years(dw: DashWorld) -> None:
    """The 2022 campaign's results become final: XA 优秀型 (replaced by 2024's 示范型), YA none;
    XD (no 2024 application) 合格型; YC 示范型 but its application was later terminated."""
    finalize(dw.apps["XA-2022"])
    finalize(dw.apps["YA-2022"])
    final_result(dw.previous, dw.apps["XD-2022"], "合格型")
    yc = Application.objects.create(
        campaign=dw.previous, unit=dw.schools["YC"], framework=dw.record, status=Application.Status.TERMINATED
    )
    final_result(dw.previous, yc, "示范型")


def test_levels_carry_over_from_earlier_campaigns_of_the_family(dw: DashWorld) -> None:
    _two_years(dw)
    later = campaign("2026 泰州智慧校园评估", 2026, dw.city, dw.record)  # after 2024: not counted there
    xe = Application.objects.create(campaign=later, unit=dw.schools["XE"], framework=dw.record, status="recommended")
    final_result(later, xe, "示范型")
    data = dashboards.attainment(organizer_scope(dw))
    rows = {r["name"]: r for r in data["rows"]}
    # 甲区: XA 示范型 and XB 优秀型 (2024 results), XD 合格型 held from 2022; XC, XE nothing
    assert rows["甲区"]["counts"] == {"示范型": 1, "优秀型": 2, "合格型": 3}
    assert (rows["甲区"]["from_results"], rows["甲区"]["from_self"], rows["甲区"]["from_held"]) == (2, 0, 1)
    # 乙县: YA's 2024 self-assessment (合格型); YC's terminated 2022 result counts for nothing
    assert rows["乙县"]["counts"] == {"示范型": 0, "优秀型": 0, "合格型": 1}
    # 8 units: 1, 2, 4 → 12.5%, 25%, 50%
    assert data["total"]["shares"] == {"示范型": D("12.5"), "优秀型": D("25.0"), "合格型": D("50.0")}
    # the 2022 dashboard sees only what 2022 knew: XA 优秀型 (result) … and not 2024's levels
    old = dashboards.attainment(organizer_scope(dw, dw.previous))
    assert old["total"]["counts"]["示范型"] == 0
    # the 2026 campaign's dashboard holds XA's 2024 示范型 — but 2024 was never finalized: XA holds
    # its 2022 优秀型; XE's own 2026 result is 示范型
    new = dashboards.attainment(organizer_scope(dw, later))
    assert new["total"]["counts"] == {"示范型": 1, "优秀型": 2, "合格型": 3}  # XE 示范; XA 优秀; XD 合格


def test_cumulative_attainment_against_a_target_edited_in_the_page(dw: DashWorld) -> None:
    """The done-when: two campaigns of one family, a target added and then changed in the targets
    page, the dashboard's comparison following at once (the counts stay cached)."""
    _two_years(dw)
    organizer = dw.client("organizer")
    values = {
        "region": dw.city.pk,
        "family": "taizhou",
        "subject": "school",
        "level": "合格型",
        "kind": "share",
        "value": "100",
        "due_year": "2024",
        "campaign": "",
        "note": "到2024年实现全市中小学校100%达市合格型智慧校园",
    }
    response = organizer.post(reverse("reports:targets"), values)
    assert response.status_code == 302
    target = Target.objects.get()
    html = page(dw, "organizer", "attainment")
    # 合格型 and above: 4 of 8 (XA, XB, XD held from 2022, YA) = 50% against 100%
    assert total_row(html) == [
        "泰州示例市（合计）",
        "8",
        "1",
        "12.5",
        "2",
        "25.0",
        "4",
        "50.0",
        "2",
        "1",
        "1",
        "未达标",
    ]
    assert "2024年目标 100%" in html
    assert f'href="{reverse("reports:targets")}"' in html  # the organizer's way to the targets page
    assert reverse("reports:targets") not in page(dw, "county_reviewer", "attainment")
    assert chart_data(html)["charts"][0]["targets"] == [
        {"name": "2024年目标 100%（合格型）", "value": 100.0, "series": 2}
    ]
    response = organizer.post(reverse("reports:target", args=[target.pk]), {**values, "value": "50"})
    assert response.status_code == 302
    html = page(dw, "organizer", "attainment")
    assert total_row(html)[-1] == "达标"
    assert "2024年目标 50%" in html
    organizer.post(reverse("reports:target_delete", args=[target.pk]))
    html = page(dw, "organizer", "attainment")
    assert len(total_row(html)) == 11  # no target column left
    assert "本区域尚未为该指标体系设定等级目标" in html
    actions = list(
        AuditEntry.objects.filter(action__startswith="target.").order_by("pk").values_list("action", "unit_id")
    )
    assert actions == [("target.create", dw.city.pk), ("target.update", dw.city.pk), ("target.delete", dw.city.pk)]


def test_targets_of_the_unit_looked_at_and_above_apply(dw: DashWorld) -> None:
    taizhou_targets(dw.city)
    Target.objects.create(region=dw.x, family="taizhou", level="合格型", value=60, due_year=2023)
    other_city = Unit.objects.get(code="O")
    Target.objects.create(region=other_city, family="taizhou", level="合格型", value=1, due_year=2022)
    Target.objects.create(region=dw.city, family="taizhou", subject="district", level="合格型", value=5, due_year=2022)
    Target.objects.create(region=dw.city, family="xiamen", level="合格型", value=5, due_year=2022)
    # limited to the 2022 campaign: not on the 2024 dashboard, on the 2022 one
    Target.objects.create(
        region=dw.city, family="taizhou", level="优秀型", value=15, due_year=2022, campaign=dw.previous
    )
    on_2022 = dashboards.attainment(organizer_scope(dw, dw.previous))["targets"]
    assert "2022年目标 15%" in [t["label"] for t in on_2022]
    assert [(t["year"], t["due"]) for t in on_2022 if t["level"] == "合格型"] == [(2022, True), (2024, False)]
    city = dashboards.attainment(organizer_scope(dw))
    assert [(t["label"], t["level"]) for t in city["targets"]] == [
        ("2022年目标 95%", "合格型"),
        ("2022年目标 20%", "优秀型"),
        ("2022年目标 10%", "示范型"),
        ("2024年目标 100%", "合格型"),
    ]
    county = dashboards.attainment(organizer_scope(dw, unit=dw.x.pk))
    # 甲区's own target besides the city's (named by its region: not the unit looked at)
    assert [t["label"] for t in county["targets"]][-2:] == ["2023年目标 60%", "泰州示例市2024年目标 100%"]
    assert [t["met"] for t in county["total"]["targets"]] == [False, True, True, False, False]  # 40% 合格型


def test_a_count_target_on_a_framework_without_levels(dw: DashWorld) -> None:
    """Bozhou selects by ranking, without levels: the level is 入选 and the target a count."""
    text = FRAMEWORK.replace("id: taizhou-mini", "id: bozhou-mini\nfamily: bozhou").split("levels:\n")[0]
    text += "indicators:" + FRAMEWORK.split("indicators:", 1)[1]
    record = FrameworkRecord.objects.create(
        key="bozhou-mini",
        title="亳州式",
        subject="school",
        total=110,
        source_yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    assert record.family == "bozhou"
    c = campaign("2024 亳州式示范校遴选", 2024, dw.city, record)
    for code, selected in (("XA", True), ("XB", True), ("YA", False)):
        app = apply(c, record, dw.schools[code], "selected" if selected else "not_selected", (40, 30, 10), None)
        final_result(c, app, "", selected=selected)
    target = Target.objects.create(
        region=dw.city, family="bozhou", level=Target.SELECTED, kind=Target.Kind.COUNT, value=2, due_year=2024
    )
    data = dashboards.attainment(organizer_scope(dw, c))
    assert data["levels"] == ["入选"]
    assert data["total"]["counts"] == {"入选": 2}
    assert [(t["label"], t["met"]) for t in data["total"]["targets"]] == [("2024年目标 2 个", True)]
    target.value = 20  # 亳州: 示范校20所
    target.save()
    assert [t["met"] for t in dashboards.attainment(organizer_scope(dw, c))["total"]["targets"]] == [False]
    # a level of one family is refused for another, naming the field and the levels it has
    refused = dw.client("organizer").post(reverse("reports:targets"), _values(dw, level="入选")).content.decode()
    assert "「等级」应为 示范型、优秀型、合格型 之一" in refused
    assert Target.objects.count() == 1


# --- 3. the trend never mixes frameworks ----------------------------------------------------------


def test_the_trend_keeps_one_series_per_framework_family(dw: DashWorld) -> None:
    """XA: Taizhou 80 (2022) → Xiamen 190 (2023, out of 200) → Taizhou 92 (2024). Before, one line
    ran 80 → 190 → 92; now Taizhou's series is 80 → 92 (增值 +12) and Xiamen's its own."""
    text = FRAMEWORK.replace("id: taizhou-mini", "id: xiamen-mini\nfamily: xiamen").replace("total: 110", "total: 200")
    xiamen = FrameworkRecord.objects.create(
        key="xiamen-mini",
        title="厦门式",
        subject="school",
        total=200,
        source_yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    first = campaign("2023 厦门式评价", 2023, dw.city, xiamen)
    second = campaign("2025 厦门式评价", 2025, dw.city, xiamen)
    apply(first, xiamen, dw.schools["XA"], "recommended", (45, 40, 20), None, (45, 40, 20), 190, "")
    apply(first, xiamen, dw.schools["XB"], "submitted", (45, 40, 20), None, self_total=150)
    apply(second, xiamen, dw.schools["XB"], "submitted", (45, 40, 20), None, self_total=170)
    data = dashboards.year_over_year(organizer_scope(dw))
    assert [s["family"] for s in data["families"]] == ["taizhou", "xiamen"]
    taizhou, xm = data["families"]
    assert [c["year"] for c in taizhou["campaigns"]] == [2022, 2024]
    xa = next(r for r in taizhou["rows"] if r["name"] == "甲区实验小学")
    assert [c["score"] for c in xa["cells"]] == [D(80), D(92)] and xa["gain"] == D(12)
    assert [c["year"] for c in xm["campaigns"]] == [2023, 2025]
    assert [(r["name"], r["gain"]) for r in xm["rows"]] == [("甲区乡村小学", D(20))]  # XA applied once there
    assert data["rows"] == taizhou["rows"]
    html = page(dw, "organizer", "trend")
    assert "多次申报单位的历年得分（泰州式测试框架）" in html and "多次申报单位的历年得分（厦门式）" in html
    charts = chart_data(html)["charts"]
    assert len(charts) == 2
    assert [s["data"] for s in charts[0]["series"] if s["name"] == "甲区实验小学"] == [[80.0, 92.0]]
    assert [c["title"] for c in charts] == ["泰州式测试框架", "厦门式"]  # each chart says which framework it is


# --- 1. the targets page ---------------------------------------------------------------------------


def _values(dw: DashWorld, **changes: str) -> dict[str, str]:
    return {
        "region": str(dw.city.pk),
        "family": "taizhou",
        "subject": "school",
        "level": "合格型",
        "kind": "share",
        "value": "95",
        "due_year": "2022",
        "campaign": "",
        "note": "",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "120"}, "「目标值」为比例时不能超过 100（%）"),
        ({"value": "abc"}, "「目标值」应为数字"),
        ({"value": "-1"}, "「目标值」应为不小于 0 的数"),
        ({"kind": "count", "value": "2.5"}, "「目标值」为数量时应为整数（个）"),
        ({"level": "入选"}, "「等级」的取值无效"),  # no framework without levels is loaded here
        ({"due_year": "22"}, "「完成年度」应在 2000 到 2100 之间"),
        ({"region": ""}, "「目标区域」为必填项"),
        ({"note": "说明\x00"}, "「依据或说明」含有不可见的空字符"),
    ],
)
def test_bad_input_is_named_and_kept(dw: DashWorld, changes: dict[str, str], message: str) -> None:
    response = dw.client("organizer").post(reverse("reports:targets"), _values(dw, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert Target.objects.count() == 0
    if "value" in changes:
        assert f'value="{changes["value"]}"' in html  # what was typed stays in the box


def test_another_regions_target_answers_404(dw: DashWorld) -> None:
    other = Target.objects.create(
        region=Unit.objects.get(code="O"), family="taizhou", level="合格型", value=9, due_year=2022
    )
    mine = Target.objects.create(region=dw.x, family="taizhou", level="合格型", value=8, due_year=2022)
    organizer = dw.client("organizer")
    listing = organizer.get(reverse("reports:targets")).content.decode()
    assert f'data-target="{mine.pk}"' in listing and f'data-target="{other.pk}"' not in listing
    assert organizer.get(reverse("reports:target", args=[other.pk])).status_code == 404
    assert organizer.post(reverse("reports:target", args=[other.pk]), _values(dw)).status_code == 404
    assert organizer.post(reverse("reports:target_delete", args=[other.pk])).status_code == 404
    assert Target.objects.filter(pk=other.pk, value=9).exists()
    # a county organizer keeps the county's targets, not the city's above it
    county_organizer = make_user("county_organizer", dw.x, Role.ORGANIZER)
    city_target = Target.objects.create(region=dw.city, family="taizhou", level="合格型", value=7, due_year=2022)
    client = dw.client("organizer").__class__()
    client.force_login(county_organizer)
    assert client.get(reverse("reports:target", args=[mine.pk])).status_code == 200
    assert client.get(reverse("reports:target", args=[city_target.pk])).status_code == 404
    refused = client.post(reverse("reports:targets"), _values(dw)).content.decode()  # the city is not theirs
    assert "「目标区域」的取值无效" in refused
    for who in ("county_reviewer", "school_officer", "expert", "sysadmin"):
        assert dw.client(who).get(reverse("reports:targets")).status_code == 404, who


def test_targets_list_reads_the_same_queries_for_one_row_and_many(
    dw: DashWorld, django_assert_num_queries: object
) -> None:
    organizer = dw.client("organizer")
    Target.objects.create(region=dw.city, family="taizhou", level="合格型", value=95, due_year=2022)
    organizer.get(reverse("reports:targets"))  # sessions and the like settled
    with CaptureQueriesContext(connection) as one:
        response = organizer.get(reverse("reports:targets"))
    assert len(re.findall(r"data-target=", response.content.decode())) == 1
    for i in range(12):
        region = dw.x if i % 2 else dw.y
        Target.objects.create(
            region=region, family="taizhou", level="优秀型", value=i, due_year=2022 + i, note=f"第{i}条"
        )
    with django_assert_num_queries(len(one.captured_queries)):  # type: ignore[operator]
        response = organizer.get(reverse("reports:targets"))
    assert len(re.findall(r"data-target=", response.content.decode())) == 13


def test_seed_targets_for_the_demo(dw: DashWorld) -> None:
    """The demo's targets are the seeds' words, made through the service (logged), once."""
    made = seed_demo_targets(actor=dw.users["organizer"], region=dw.city)
    assert [(t.level, t.value_label, t.due_year) for t in made] == [
        ("合格型", "95%", 2022),
        ("优秀型", "20%", 2022),
        ("示范型", "10%", 2022),
        ("合格型", "100%", 2024),
    ]  # no Bozhou framework is loaded in this world: its count targets are left out
    assert seed_demo_targets(actor=dw.users["organizer"], region=dw.city) == []
    assert AuditEntry.objects.filter(action="target.create").count() == 4
