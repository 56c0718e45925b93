"""Numbers and search boxes have bounds: what the hostile-input walk found, case by case.

Each of these answered 500 before: a number input without a maximum given 10^30 or 29 digits
(InvalidOperation while scoring), a whole-number form field given 1e5000 (int() of 5,001 digits),
Taizhou's 出口带宽 saved as 1e30 (the form page and its PDF failed on every visit), `?q=%00` on
the county list, the expert pool and the applications export (PostgreSQL refuses NUL), and an
id parameter written with other digits ('²' passes str.isdigit, int() refuses it)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campuseval.campaigns.services import load_framework_records
from campuseval.engine import Framework, InvalidAnswers, formdefs, load_framework, score
from campuseval.engine.framework import FRAMEWORKS_DIR
from campuseval.engine.inputs import InputSpec
from campuseval.engine.numbers import DEFAULT_CEILING, fmt, quantize, to_decimal
from campuseval.engine.text import clean_search, id_param
from tests import factories as f
from tests.personas import Personas

UNBOUNDED = ("sichuan-2023-school", "sichuan-2023-district", "taizhou-2022-school", "xiamen-trial-school")


@functools.cache
def framework(key: str) -> Framework:
    return load_framework(key)


@functools.cache
def unbounded_inputs() -> list[tuple[str, str, str, InputSpec]]:
    """(framework, leaf code, key, spec) of every number input that names no maximum."""
    out = []
    for key in UNBOUNDED:
        fw = framework(key)
        for leaf in fw.leaves():
            for name, spec in leaf.inputs.items():
                if spec.type == "number" and spec.max is None and not spec.percent:
                    out.append((key, leaf.code, name, spec))
    return out


# --- the engine ---------------------------------------------------------------------------------


def test_the_frameworks_have_the_unbounded_inputs_the_issue_counted() -> None:
    assert len(unbounded_inputs()) >= 36


@pytest.mark.parametrize("raw", ["1e30", "9" * 29, str(10**28), "1e5000", "1" * 5000])
def test_a_huge_number_without_a_maximum_is_refused_naming_the_indicator_and_field(raw: str) -> None:
    for key, code, name, spec in unbounded_inputs():
        fw = framework(key)
        with pytest.raises(InvalidAnswers) as caught:
            score(fw, {"answers": {code: {name: raw}}}, as_of=dt.date(2024, 5, 30))
        (problem,) = caught.value.problems
        assert (problem.code, problem.field) == (code, name)
        assert problem.message_zh.startswith(spec.label), problem.message_zh
        assert "不能大于 1000000000000" in problem.message_zh or "位数过多" in problem.message_zh


def test_the_ceiling_itself_scores_in_every_unbounded_input() -> None:
    """10^12 is accepted and scored (the products and quotients of bounded numbers fit)."""
    for key, code, name, spec in unbounded_inputs():
        value = str(DEFAULT_CEILING) if spec.min is None or spec.min <= DEFAULT_CEILING else str(spec.min)
        result = score(framework(key), {"answers": {code: {name: value}}}, as_of=dt.date(2024, 5, 30))
        assert code in result.indicators


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("NaN", "应为数字，收到「NaN」"),
        ("Infinity", "应为数字，收到「Infinity」"),
        ("-Infinity", "应为数字，收到「-Infinity」"),
        ("١٢٣", "应使用半角阿拉伯数字 0–9，收到「١٢٣」"),
        ("１２３", "应使用半角阿拉伯数字 0–9，收到「１２３」"),
        ("1" * 41, "位数过多（最多 40 个字符）"),
        ("0.0000001", "最多保留 6 位小数"),
        ("1e-5000", "最多保留 6 位小数"),
        ("12", "不能大于 10，收到 12"),
        ("-1", "不能为负数，收到 -1"),
    ],
)
def test_bad_numbers_are_refused_with_the_field_named(raw: str, message: str) -> None:
    spec = InputSpec(key="pts", type="number", label="自评分", max=Decimal(10))
    with pytest.raises(ValueError) as caught:
        spec.parse(raw)
    assert str(caught.value) == f"自评分{message}" or str(caught.value).startswith(f"自评分{message}")


def test_text_inputs_refuse_control_characters_and_overlong_text() -> None:
    spec = InputSpec(key="name", type="text", label="课题名称")
    for raw, message in [("a\x00b", "空字符"), ("a\x1bb", "控制字符"), ("长" * 501, "最多 500 字")]:
        with pytest.raises(ValueError, match=f"^课题名称.*{message}"):
            spec.parse(raw)
    assert spec.parse("第一行\n第二行\t") == "第一行\n第二行\t"


def test_printing_and_rounding_take_any_size() -> None:
    assert fmt(Decimal("1E+30")) == "1" + "0" * 30
    assert fmt(Decimal("1" * 40)) == "1" * 40
    assert fmt(Decimal("6.00")) == "6" and fmt(Decimal("0.50")) == "0.5" and fmt(Decimal("-0.0")) == "0"
    assert quantize(Decimal("1E+30"), 2) == Decimal("1E+30")
    assert quantize(Decimal("2.345"), 2) == Decimal("2.35")  # half up, not the context's half even
    assert to_decimal(10**30) == Decimal(10) ** 30


# --- the application form -----------------------------------------------------------------------


def test_form_numbers_are_bounded() -> None:
    taizhou = formdefs.load_definition("taizhou-2022-school")
    fields = {x.key: x for x in taizhou.fields()}
    for raw in ("1e5000", "1" * 5000, str(10**30), "9" * 29):
        with pytest.raises(ValueError, match=r"^班级数"):
            formdefs.clean_field(fields["classes"], raw)
        with pytest.raises(ValueError, match=r"^出口带宽"):
            formdefs.clean_field(fields["bandwidth_mbps"], raw)
    assert formdefs.clean_field(fields["classes"], "1,200") == 1200
    assert formdefs.clean_field(fields["bandwidth_mbps"], str(DEFAULT_CEILING)) == str(DEFAULT_CEILING)
    for raw in ("NaN", "Infinity", "１２３"):
        with pytest.raises(ValueError, match=r"^班级数"):
            formdefs.clean_field(fields["classes"], raw)


def test_a_stored_value_beyond_the_bounds_is_computed_shown_and_flagged() -> None:
    taizhou = formdefs.load_definition("taizhou-2022-school")
    bandwidth = next(x for x in taizhou.fields() if x.key == "bandwidth_mbps")
    stored = {"bandwidth_mbps": "1" + "0" * 30, "classes": 3}
    derived = formdefs.compute_derived(taizhou, stored)
    assert derived["bandwidth_per_class"] == "333333333333333333333333333333.33"
    assert formdefs.display_value(bandwidth, stored["bandwidth_mbps"]) == "1" + "0" * 30 + "（超出允许范围，请核对）"
    assert formdefs.value_problem(bandwidth, stored["bandwidth_mbps"]).startswith("出口带宽不能超过 1000000000000M")
    assert formdefs.display_value(bandwidth, "450") == "450"


@pytest.fixture
def taizhou_draft(personas: Personas) -> Any:
    """The persona school's draft on the Taizhou framework and form, with 出口带宽 stored as 1e30
    (as the form saved it before the bounds)."""
    (loaded,) = load_framework_records(paths=[FRAMEWORKS_DIR / "taizhou-2022-school.yaml"])
    campaign = f.CampaignFactory(
        organizer=personas.city, school_framework=loaded.record, school_form="taizhou-2022-school"
    )
    return f.ApplicationFactory(
        campaign=campaign,
        unit=personas.school,
        framework=loaded.record,
        form_key="taizhou-2022-school",
        form_data={"bandwidth_mbps": "1" + "0" * 30, "classes": 24},
        answers={"context": {}, "choices": {}, "declarations": {}, "answers": {}},
        result={},
    )


def test_the_form_page_and_its_pdf_render_a_stored_huge_bandwidth(personas: Personas, taizhou_draft: Any) -> None:
    c = personas.client("school_officer")
    page = c.get(reverse("applications:form", args=[taizhou_draft.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="1' + "0" * 30 + '"' in body and "出口带宽不能超过 1000000000000M，收到 1" + "0" * 30 in body
    pdf = c.get(reverse("reports:application_form", args=[taizhou_draft.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_form_refuses_1e30_and_1e5000_naming_the_field_and_keeping_the_rest(
    personas: Personas, taizhou_draft: Any
) -> None:
    c = personas.client("school_officer")
    url = reverse("applications:form", args=[taizhou_draft.pk])
    taizhou_draft.form_data = {}
    taizhou_draft.save(update_fields=["form_data"])
    response = c.post(
        url,
        {"revision": taizhou_draft.revision, "bandwidth_mbps": "1e30", "classes": "1e5000", "leader_name": "张校长"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "出口带宽不能超过 1000000000000M，收到 1" + "0" * 30 in body
    assert "班级数不能超过 1000000000000个，收到 1.000E+5000" in body
    assert 'value="张校长"' in body and 'value="1e30"' in body and 'value="1e5000"' in body
    taizhou_draft.refresh_from_db()
    assert taizhou_draft.form_data == {"leader_name": "张校长"}


# --- search boxes and id parameters -------------------------------------------------------------


def test_search_text_is_cleaned_and_bounded() -> None:
    assert clean_search("  甲县\x00 ") == ("甲县", "甲县", "「搜索」中的不可见控制字符已删除")
    assert clean_search("甲县") == ("甲县", "甲县", None)
    search, shown, problem = clean_search("长" * 101, "学校名称或代码")
    assert (search, shown) == ("", "长" * 101)
    assert problem == "「学校名称或代码」最多 100 个字，现为 101 个字，未按其筛选"
    assert [id_param(v) for v in ("12", "²", "١٢", "1" * 19, "", "-1", " 7 ")] == [12, None, None, None, None, None, 7]


@pytest.mark.parametrize("q", ["\x00", "甲县\x00", "\x1b"])
def test_a_control_character_in_the_county_list_search_is_dropped_with_a_message(personas: Personas, q: str) -> None:
    body = personas.client("county_reviewer").get(reverse("reviews:county_list"), {"q": q}).content.decode()
    assert "「学校名称或代码」中的不可见控制字符已删除" in body
    assert personas.school.name in body


def test_an_overlong_county_list_search_is_not_applied_and_says_so(personas: Personas) -> None:
    body = personas.client("county_reviewer").get(reverse("reviews:county_list"), {"q": "无" * 300}).content.decode()
    assert "「学校名称或代码」最多 100 个字，现为 300 个字，未按其筛选" in body
    assert personas.school.name in body and 'value="' + "无" * 300 + '"' in body


@pytest.mark.parametrize("param", ["campaign", "county"])
def test_ids_written_with_other_digits_are_ignored(personas: Personas, param: str) -> None:
    c = personas.client("county_reviewer")
    assert c.get(reverse("reviews:county_list"), {param: "²"}).status_code == 200
    assert c.get(reverse("reviews:county_list"), {param: "9" * 5000}).status_code == 200
    url = reverse("reviews:recommend", kwargs={"campaign_pk": personas.campaign.pk})
    assert c.get(url, {param: "²"}).status_code == 200


def test_a_control_character_in_the_expert_pool_search_is_dropped_with_a_message(personas: Personas) -> None:
    c = personas.client("city_organizer")
    body = c.get(reverse("reviews:expert_pool"), {"q": "赵\x00", "region": "²"}).content.decode()
    assert "「姓名、单位或专业领域」中的不可见控制字符已删除" in body
    assert personas.expert.display_name in body
    body = c.get(reverse("reviews:expert_pool"), {"q": "赵" * 101}).content.decode()
    assert "「姓名、单位或专业领域」最多 100 个字" in body


def test_the_applications_export_drops_control_characters_and_refuses_an_overlong_search(personas: Personas) -> None:
    c = personas.client("county_reviewer")
    url = reverse("reports:export", kwargs={"key": "applications", "pk": personas.campaign.pk})
    response = c.get(url, {"q": "甲县\x00"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert personas.school.name in [cell.value for cell in next(sheet.iter_cols(min_row=1, max_col=1))]
    response = c.get(url, {"q": "甲" * 101})
    assert response.status_code == 302 and response["Location"] == reverse("reports:exports")
    page = c.get(response["Location"]).content.decode()
    assert "未导出：「学校名称或代码」最多 100 个字" in page
    assert c.get(url, {"application": "²"}).status_code == 404


def test_a_revision_or_an_id_of_thousands_of_digits_is_refused_without_a_server_error(
    personas: Personas, taizhou_draft: Any
) -> None:
    c = personas.client("school_officer")
    url = reverse("applications:form", args=[taizhou_draft.pk])
    response = c.post(url, {"revision": "1" * 5000, "leader_name": "张校长"})
    assert response.status_code == 200 and "已保存了修改" in response.content.decode()
    for value in ("1e-5000", "1" * 5000, "NaN", str(10**30)):
        response = c.post(reverse("applications:mine"), {"campaign": value, "unit": personas.school.pk})
        assert response.status_code == 404


def test_a_login_name_over_255_characters_is_refused_in_chinese(client: Any, db: None) -> None:
    response = client.post(reverse("accounts:login"), {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200
    assert "用户名" in response.content.decode() and "不能超过" in response.content.decode()
