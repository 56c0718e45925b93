"""Dashboard pages: the tables show the hand-counted numbers, the chart data in json_script
matches them, downloads round-trip through openpyxl, and the query count does not grow with
the number of applications."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campuseval.orgs.models import Unit

from .conftest import DashWorld, apply, campaign, framework_record, make_user, school, taizhou_targets

SECTIONS = ["progress", "scores", "indicators", "attainment", "gap", "trend"]


def page(dw: DashWorld, who: str, section: str, query: str = "") -> str:
    response = dw.client(who).get(reverse("reports:dashboard", args=[dw.campaign.pk, section]) + query)
    assert response.status_code == 200, (who, section)
    return response.content.decode()


def cells(html: str) -> list[list[str]]:
    """Each table row's cells as text, in page order."""
    out = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S):
        out.append(
            [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        )
    return out


def chart_data(html: str) -> dict:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, flags=re.S)
    assert match is not None
    return json.loads(match.group(1))


def xlsx(dw: DashWorld, who: str, section: str, table: int, query: str = "") -> list[tuple]:
    url = reverse("reports:dashboard_download", args=[dw.campaign.pk, section, table]) + query
    response = dw.client(who).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_progress_page(dw: DashWorld) -> None:
    html = page(dw, "organizer", "progress")
    rows = cells(html)
    assert ["甲区", "1", "1", "0", "1", "0", "0", "0", "2", "5"] in rows
    assert ["乙县", "1", "0", "1", "0", "1", "0", "0", "0", "3"] in rows
    assert ["合计", "2", "1", "1", "1", "1", "0", "0", "2", "8"] in rows
    assert "已截止" in html and "剩余 20 天" in html
    chart = chart_data(html)["charts"][0]
    assert chart["categories"] == ["甲区", "乙县"]
    assert chart["series"][0] == {"name": "未开始", "data": [1, 1]}
    assert 'src="/static/vendor/echarts.min.js"' in html and "/static/js/dashboards.js" in html
    assert "http://" not in html.split("<body", 1)[-1].replace("http://testserver", "")


def test_scores_page_and_download(dw: DashWorld) -> None:
    html = page(dw, "organizer", "scores", "?basis=self")
    rows = cells(html)
    assert ["甲区", "3", "60", "72.5", "85", "90", "95", "80"] in rows
    assert ["乙县", "2", "55", "59.25", "63.5", "67.75", "72", "63.5"] in rows
    assert ["合计", "5", "55", "60", "72", "85", "95", "73.4"] in rows
    assert "四分位数采用线性插值法" in html
    data = chart_data(html)
    box = data["charts"][1]
    assert box["categories"][:2] == ["甲区", "乙县"]
    assert box["data"][0] == [60.0, 72.5, 85.0, 90.0, 95.0]
    sheet = xlsx(dw, "organizer", "scores", 1, "?basis=self")
    assert sheet[0][:3] == ("分组", "份数", "最低分")
    assert sheet[1] == ("甲区", 3, 60, 72.5, 85, 90, 95, 80)
    hist = xlsx(dw, "organizer", "scores", 0, "?basis=self")
    assert hist[-1] == ("合计", 5, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0)
    final = cells(page(dw, "organizer", "scores"))
    assert ["甲区", "2", "81", "83.75", "86.5", "89.25", "92", "86.5"] in final


def test_indicators_page(dw: DashWorld) -> None:
    html = page(dw, "organizer", "indicators", "?basis=self")
    rows = cells(html)
    assert ["1", "基础环境", "50", "76.7", "60.0", "70.0"] in rows
    assert ["2", "融合应用", "40", "70.8", "58.8", "66.0"] in rows
    assert "得分率最低的指标" in html and "3 特色发展（60.0%）" in html
    heat = chart_data(html)["charts"][0]
    assert heat["y"] == ["甲区", "乙县", "合计"]
    assert [1, 1, 58.8] in heat["data"]
    sheet = xlsx(dw, "organizer", "indicators", 0, "?basis=self")
    assert sheet[0] == ("指标编码", "指标", "分值", "甲区（3份）", "乙县（2份）", "合计（5份）")
    assert sheet[2] == ("2", "融合应用", 40, 70.8, 58.8, 66)


def test_attainment_page(dw: DashWorld) -> None:
    taizhou_targets(dw.city)
    html = page(dw, "organizer", "attainment")
    rows = cells(html)
    assert [
        "甲区",
        "5",
        "1",
        "20.0",
        "2",
        "40.0",
        "2",
        "40.0",
        "2",
        "0",
        "0",
        "未达标",
        "达标",
        "达标",
        "未达标",
    ] in rows
    assert [
        "泰州示例市（合计）",
        "8",
        "1",
        "12.5",
        "2",
        "25.0",
        "3",
        "37.5",
        "2",
        "1",
        "0",
        "未达标",
        "达标",
        "达标",
        "未达标",
    ] in rows
    assert "2022年目标 95%" in html and "2024年目标 100%" in html
    chart = chart_data(html)["charts"][0]
    assert [t["value"] for t in chart["targets"]] == [95.0, 20.0, 10.0, 100.0]
    assert chart["series"][2] == {"name": "合格型及以上", "data": [40.0, 33.3, 37.5]}
    sheet = xlsx(dw, "organizer", "attainment", 0)
    assert sheet[-1][:8] == ("泰州示例市（合计）", 8, 1, 12.5, 2, 25, 3, 37.5)


def test_gap_page_and_formula_safe_download(dw: DashWorld) -> None:
    Unit.objects.filter(pk=dw.schools["XA"].pk).update(name='=HYPERLINK("http://x")<b>')
    html = page(dw, "organizer", "gap")
    rows = cells(html)
    assert ["甲区", "2", "90", "86.5", "-3.5", "-4", "-3"] in rows
    assert "&lt;b&gt;" in html and "<b>" not in html
    sheet = xlsx(dw, "organizer", "gap", 1)
    assert sheet[1] == ('\'=HYPERLINK("http://x")<b>', "甲区", 95, 92, -3)


def test_trend_page(dw: DashWorld) -> None:
    html = page(dw, "organizer", "trend")
    rows = cells(html)
    assert ["甲区实验小学", "甲区", "80", "评审", "72.7", "92", "评审", "83.6", "12", "10.9"] in rows
    assert ["乙县城关中学", "乙县", "65", "评审", "59.1", "72", "自评", "65.5", "7", "6.4"] in rows
    chart = chart_data(html)["charts"][0]
    assert chart["categories"] == ["2022 泰州智慧校园评估", "2024 泰州智慧校园评估"]
    assert {"name": "甲区乡村小学", "data": [70.0, 81.0]} in chart["series"]
    sheet = xlsx(dw, "organizer", "trend", 0)
    assert ("甲区乡村小学", "甲区", 70, "自评", 63.6, 81, "评审", 73.6, 11, 10) in sheet


def test_county_reviewer_pages_show_only_their_county(dw: DashWorld) -> None:
    for section in SECTIONS:
        html = page(dw, "county_reviewer", section, "?basis=self")
        assert "乙县" not in html, section
        assert "本区县" in html
    rows = cells(page(dw, "county_reviewer", "progress"))
    assert ["合计", "1", "1", "0", "1", "0", "0", "0", "2", "5"] in rows
    sheet = xlsx(dw, "outsider_reviewer", "progress", 0)
    assert [r[0] for r in sheet] == ["区县", "乙县", "合计"]


def test_index_lists_visible_campaigns(dw: DashWorld) -> None:
    html = dw.client("county_reviewer").get(reverse("reports:dashboards")).content.decode()
    assert "2024 泰州智慧校园评估" in html and "2022 泰州智慧校园评估" in html
    html = dw.client("other_organizer").get(reverse("reports:dashboards")).content.decode()
    assert "暂无可查看的活动" in html and "泰州" not in html


def test_unknown_section_and_table_are_404(dw: DashWorld) -> None:
    c = dw.client("organizer")
    assert c.get(reverse("reports:dashboard", args=[dw.campaign.pk, "nothing"])).status_code == 404
    assert c.get(reverse("reports:dashboard_download", args=[dw.campaign.pk, "gap", 9])).status_code == 404


# --- query counts ----------------------------------------------------------------------------


def grow(dw: DashWorld, n: int) -> None:
    """n more schools in each county, each with a reviewed 2024 application and a 2022 one."""
    for county in (dw.x, dw.y):
        for i in range(n):
            unit = school(f"{county.code}-N{i}", f"{county.name}新增学校{i}", county, Unit.Area.RURAL)
            apply(dw.campaign, dw.record, unit, "recommended", (30, 30, 10), "合格型", (30, 30, 12), 72, "合格型")
            apply(dw.previous, dw.record, unit, "submitted", (20, 20, 10), None)


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("who", ["organizer", "county_reviewer"])
def test_query_count_does_not_grow_with_rows(
    dw: DashWorld, section: str, who: str, django_assert_num_queries: object
) -> None:
    url = reverse("reports:dashboard", args=[dw.campaign.pk, section])
    client = dw.client(who)
    client.get(url)  # warm the framework cache and the session
    cache.clear()  # both measured pages compute their figures (no cached dashboard)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(dw, 15)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):  # type: ignore[operator]
        html = client.get(url).content.decode()
    if section == "trend":
        assert "新增学校14" in html
    download = reverse("reports:dashboard_download", args=[dw.campaign.pk, section, 0])
    with CaptureQueriesContext(connection) as many:
        client.get(download)
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_single_application_world(db: None) -> None:
    """A campaign with one application renders every section with its numbers."""
    city = Unit.objects.create(code="S", name="单校市", kind=Unit.Kind.CITY)
    county = Unit.objects.create(code="S-1", name="单校县", kind=Unit.Kind.COUNTY, parent=city)
    unit = school("S-1-A", "唯一小学", county, Unit.Area.RURAL)
    record = framework_record("taizhou-2022-school-single")
    c = campaign("单校评估", 2024, city, record)
    apply(c, record, unit, "submitted", (40, 30, 18), "示范型", self_total=88)
    taizhou_targets(city)
    user = make_user("solo_organizer", city, "organizer")
    client = Client()
    client.force_login(user)
    for section in SECTIONS:
        response = client.get(reverse("reports:dashboard", args=[c.pk, section]))
        assert response.status_code == 200
    html = client.get(reverse("reports:dashboard", args=[c.pk, "scores"])).content.decode()
    assert ["单校县", "1", "88", "88", "88", "88", "88", "88"] in cells(html)
    html = client.get(reverse("reports:dashboard", args=[c.pk, "attainment"])).content.decode()
    assert [
        "单校市（合计）",
        "1",
        "1",
        "100.0",
        "1",
        "100.0",
        "1",
        "100.0",
        "0",
        "1",
        "0",
        "达标",
        "达标",
        "达标",
        "达标",
    ] in cells(html)
