"""Application forms as data: every seed annex loads, values are checked without silent
clamps, derived values are computed live, and the page renders and saves every field kind."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from campuseval.applications.models import Application
from campuseval.engine import formdefs

from .appworld import World


@pytest.mark.parametrize("key", formdefs.available_keys())
def test_every_bundled_form_loads_with_a_promise_and_opinions(key: str) -> None:
    definition = formdefs.load_definition(key)
    assert definition.key == key
    assert definition.fields() and definition.promise
    assert definition.opinions, "each level that signs needs its opinion block"
    keys = [f.key for f in definition.fields()]
    assert len(keys) == len(set(keys))


def test_seed_annexes_are_there_with_their_own_fields() -> None:
    assert {"bozhou-2024-school", "bozhou-2024-district", "taizhou-2022-school", "sichuan-2023-school"} <= set(
        formdefs.available_keys()
    )
    school = formdefs.load_definition("bozhou-2024-school")
    labels = [f.label for f in school.fields()]
    assert "每班智慧课堂环境教学周课时数" in labels and "建有新型教学空间" in labels
    assert school.promise == "我单位申报的所有材料均真实、完整。如有不实，愿意承担相应责任。"
    assert school.opinions[-1] == "市教育主管部门推荐意见"
    taizhou = formdefs.load_definition("taizhou-2022-school")
    level = next(f for f in taizhou.fields() if f.key == "level_sought")
    assert level.kind == "choice" and level.options == ("示范型", "优秀型", "合格型")


def test_unknown_or_empty_key_falls_back_to_the_generic_form() -> None:
    assert formdefs.load_definition("").key == "school"
    assert formdefs.load_definition("../settings").key == "school"


def test_bad_definitions_are_refused_with_the_field_named() -> None:
    with pytest.raises(formdefs.FormDefinitionError, match="字段编号重复：a"):
        formdefs.parse_definition(
            "x", {"title": "t", "sections": [{"title": "s", "fields": [{"key": "a", "label": "A"}] * 2}]}
        )
    with pytest.raises(formdefs.FormDefinitionError, match="不存在的字段 b"):
        formdefs.parse_definition(
            "x",
            {
                "title": "t",
                "sections": [{"title": "s", "fields": [{"key": "a", "label": "A"}]}],
                "derived": [{"key": "r", "label": "R", "numerator": "a", "denominator": "b"}],
            },
        )
    with pytest.raises(formdefs.FormDefinitionError, match="类型 date 未知"):
        formdefs.parse_definition(
            "x", {"title": "t", "sections": [{"title": "s", "fields": [{"key": "a", "label": "A", "kind": "date"}]}]}
        )


def field(kind: str, **extra: object) -> formdefs.FormField:
    return formdefs._field({"key": "k", "label": "字段", "kind": kind, **extra}, "test")


def test_values_out_of_range_are_refused_never_clamped_or_cut() -> None:
    with pytest.raises(ValueError, match=r"不能超过 100%，收到 100\.5"):
        formdefs.clean_field(field("percent"), "100.5")
    assert formdefs.clean_field(field("percent"), "100") == "100"
    assert formdefs.clean_field(field("percent"), "36.5%") == "36.5"
    with pytest.raises(ValueError, match="最多 200 字，现为 201 字"):
        formdefs.clean_field(field("text"), "字" * 201)
    assert formdefs.clean_field(field("narrative"), "字" * 201) == "字" * 201
    with pytest.raises(ValueError, match="最多 5000 字"):
        formdefs.clean_field(field("narrative"), "字" * 5001)
    with pytest.raises(ValueError, match="不能为负数"):
        formdefs.clean_field(field("int"), "-1")
    with pytest.raises(ValueError, match="空字符"):
        formdefs.clean_field(field("text"), "a\x00b")


def test_yes_no_and_choice_fields() -> None:
    assert formdefs.clean_field(field("bool"), "是") is True
    assert formdefs.clean_field(field("bool"), "否") is False
    with pytest.raises(ValueError, match="应选择“是”或“否”"):
        formdefs.clean_field(field("bool"), "也许")
    choice = field("choice", options=["乡村小学", "城镇小学"])
    assert formdefs.clean_field(choice, "乡村小学") == "乡村小学"
    with pytest.raises(ValueError, match="应为以下之一：乡村小学、城镇小学"):
        formdefs.clean_field(choice, "乡村高中")
    assert formdefs.display_value(field("bool"), True) == "是"
    assert formdefs.display_value(field("bool"), False) == "否"


def test_derived_values_ratio_share_and_contradictions() -> None:
    school = formdefs.load_definition("bozhou-2024-school")
    data = {"smart_classrooms": 7, "classes_grade3_up": 20, "students": 1000, "student_computers": 180}
    derived = formdefs.compute_derived(school, data)
    assert derived["smart_class_coverage_pct"] == "35"
    assert derived["students_per_computer"] == "5.56"
    contradiction = {"smart_classrooms": 25, "classes_grade3_up": 20}
    assert "smart_class_coverage_pct" not in formdefs.compute_derived(school, contradiction)
    assert formdefs.derived_problems(school, contradiction) == {
        "smart_class_coverage_pct": (
            "智慧课堂教室数多于其中三年级及以上班级数，智慧课堂教室占比（三年级以上）超过 100%，请核对"
        )
    }
    assert formdefs.derived_problems(school, {"smart_classrooms": 2, "classes_grade3_up": 0}) == {
        "smart_class_coverage_pct": "其中三年级及以上班级数为 0，无法计算智慧课堂教室占比（三年级以上）"
    }
    taizhou = formdefs.load_definition("taizhou-2022-school")
    per_class = formdefs.compute_derived(taizhou, {"bandwidth_mbps": "1000", "classes": 24})
    assert per_class["bandwidth_per_class"] == "41.67"


def test_seed_form_page_renders_every_kind_and_saves_them(w: World, app: Application) -> None:
    app.form_key = "bozhou-2024-school"
    app.save(update_fields=["form_key"])
    c = w.client("school_officer")
    url = reverse("applications:form", args=[app.pk])
    page = c.get(url).content.decode()
    assert "亳州市中小学智慧学校应用示范校申报书" in page
    assert re.search(r'type="radio" id="f_has_rules_\d" name="has_rules" value="是"', page)
    assert re.search(r'<select class="form-select[^"]*" id="f_category"', page)
    assert re.search(r'<textarea class="form-control[^"]*" id="f_n_leadership"', page)
    assert "我单位申报的所有材料均真实、完整。" in page
    c.post(
        url,
        {
            "revision": app.revision,
            "has_rules": "是",
            "has_ops": "否",
            "category": "乡村小学",
            "n_leadership": "校长牵头成立信息化领导小组。",
            "platform_teacher_use": "101",
            "smart_classrooms": "12",
            "classes_grade3_up": "16",
        },
    )
    app.refresh_from_db()
    assert app.form_data["has_rules"] is True and app.form_data["has_ops"] is False
    assert app.form_data["category"] == "乡村小学"
    assert app.form_data["n_leadership"] == "校长牵头成立信息化领导小组。"
    assert "platform_teacher_use" not in app.form_data
    page = c.get(url).content.decode()
    assert 'value="是" checked' in page and "<option selected>乡村小学</option>" in page
    assert "75%" in page  # 12 of 16 classes: the derived share


def test_bad_percent_is_refused_and_what_was_typed_is_kept(w: World, app: Application) -> None:
    app.form_key = "bozhou-2024-school"
    app.save(update_fields=["form_key"])
    c = w.client("school_officer")
    page = c.post(
        reverse("applications:form", args=[app.pk]),
        {"revision": app.revision, "platform_teacher_use": "120", "n_team": "组建了 5 人专业团队"},
    ).content.decode()
    assert "国家中小学智慧教育平台教师使用率不能超过 100%，收到 120" in page
    assert 'value="120"' in page and "组建了 5 人专业团队" in page
    app.refresh_from_db()
    assert app.form_data["n_team"] == "组建了 5 人专业团队"
