"""Evidence tied to the numbered items of Xiamen's 提供材料要求: the engine reads the seed's
numbering, the school chooses which item a file answers, and its indicator page lists the files
under each item — its files or 「材料 N：无」 — with files tied to no item under 「其他材料」.

Seed (厦门市中小学智慧校园建设评价标准, 提供材料要求): 一.1.(1) “1. 提供光纤接入合同或概述 2. 班均以合同
出口或是城域网出口去平均班级数。 3. 核心交换设备支持 IPV6, 提供项目建设合同或设备型号及参数。”;
二.5.(5) “提供 1. 学校平台上对接市、区资源的截图, 2 且有组织使用培训的照片, 3 定期资源更新和校本资源
整合的证明材料, 4. 学校落实已制定的教育资源共建共享文件或通知等佐证材料…”; 四.1.(2) “需有近三年或以上的
发展规划，规划需正式行文（1分）具有整体性…；2. 年度计划需是近两年的…”."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campuseval.applications import services
from campuseval.applications.models import Application, Evidence
from campuseval.audit.models import AuditEntry
from campuseval.engine import load_framework
from campuseval.engine.evidence import EvidenceItem, evidence_items, item_numbers

from .test_asked_once import SeedWorld, seed_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: how many numbered items each Xiamen leaf's 提供材料要求 has, read from the seed by hand; a
#: leaf not listed numbers none (no number at all, or a lone "1." as in 一.3.(2), 二.5.(4))
XIAMEN_COUNTS = {
    "一.1.(1)": 3, "一.1.(2)": 2, "一.1.(3)": 3, "一.1.(4)": 4, "一.2.(1)": 2, "一.2.(2)": 2,
    "一.3.(1)": 3, "一.3.(4)": 3, "一.4": 2, "一.5.(1)": 2, "一.5.(2)": 2,
    "二.1.(1)": 2, "二.1.(2)": 2, "二.1.(3)": 2, "二.1.(4)": 3, "二.2.(1)": 2, "二.2.(2)": 3,
    "二.3.(1)": 3, "二.3.(2)": 2, "二.3.(3)": 2, "二.3.(4)": 2, "二.3.(5)": 2, "二.3.(6)": 2,
    "二.4.(1)": 2, "二.4.(3)": 2, "二.4.(4)": 2, "二.4.(5)": 2,
    "二.5.(1)": 2, "二.5.(2)": 2, "二.5.(3)": 2, "二.5.(5)": 4,
    "二.6.(1)": 2, "二.6.(2)": 2, "二.6.(3)": 3, "二.7.(1)": 3, "二.7.(3)": 3,
    "四.1.(1)": 2, "四.1.(2)": 2, "四.2.(1)": 2, "四.2.(2)": 2, "四.2.(3)": 3, "四.3": 2,
    "四.4.(1)": 2, "四.4.(2)": 2, "五.1": 2, "五.2": 2, "五.3": 2, "六.1.(1)": 2, "六.1.(2)": 2,
}  # fmt: skip


# --- the engine reads the seed's numbering ----------------------------------------------------


def test_every_xiamen_requirement_is_read_as_the_seed_numbers_it() -> None:
    """Each leaf has the number of items the seed gives, numbered 1…n, and each item's words are
    the seed's own, in the seed's order (nothing invented, nothing reordered)."""
    fw = load_framework("xiamen-trial-school")
    found = {}
    for leaf in fw.leaves():
        items = evidence_items(leaf.evidence)
        rest = leaf.evidence
        for item in items:
            assert item.text and item.text in rest, (leaf.code, item)
            rest = rest[rest.index(item.text) + len(item.text) :]
        if items:
            found[leaf.code] = len(items)
            assert [i.number for i in items] == list(range(1, len(items) + 1))
    assert found == XIAMEN_COUNTS


def test_the_seed_s_loose_numbering_is_followed() -> None:
    """一.1.(1) plain "1. 2. 3."; 二.5.(5) writes "2" and "3" without a dot; 四.1.(2) leaves its first
    item unnumbered; numbers inside an item ("2-3 张", "1 分", "2019 年 12 月") are not items."""
    fw = load_framework("xiamen-trial-school")
    assert evidence_items(fw.by_code["一.1.(1)"].evidence) == (
        EvidenceItem(1, "提供光纤接入合同或概述"),
        EvidenceItem(2, "班均以合同出口或是城域网出口去平均班级数。"),
        EvidenceItem(3, "核心交换设备支持 IPV6, 提供项目建设合同或设备型号及参数。"),
    )
    five = evidence_items(fw.by_code["二.5.(5)"].evidence)
    assert [i.text for i in five[:3]] == [
        "学校平台上对接市、区资源的截图",
        "且有组织使用培训的照片",
        "定期资源更新和校本资源整合的证明材料",
    ]
    plan = evidence_items(fw.by_code["四.1.(2)"].evidence)
    assert plan[0].text.startswith("需有近三年或以上的发展规划") and plan[1].text.startswith("年度计划需是近两年的")
    assert evidence_items(fw.by_code["一.2.(2)"].evidence)[0].text == "提供功能室建设合同及现场图片 2-3 张"
    assert evidence_items(fw.by_code["一.3.(4)"].evidence)[0].text == "提供智能化管控设备及应用 1 分。"
    assert len(evidence_items(fw.by_code["四.4.(2)"].evidence)) == 2  # "2019 年 12 月" twice in item 1
    assert evidence_items(fw.by_code["三.1.(1)"].evidence) == ()  # no numbers at all
    assert evidence_items(fw.by_code["二.5.(4)"].evidence) == ()  # a lone "1."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（1）网络拓扑图；（2）管理制度", ["网络拓扑图", "管理制度"]),
        ("(1)合同(2)照片(3分)", ["合同", "照片(3分)"]),
        ("①合同②照片③台账", ["合同", "照片", "台账"]),
        ("1、合同；2、照片", ["合同", "照片"]),
        ("得 0.5 分，共 2 分", []),
        ("", []),
    ],
)
def test_other_ways_of_numbering(text: str, expected: list[str]) -> None:
    assert [i.text for i in evidence_items(text)] == expected


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet="12345 .．、()（）①②③,，;；。分张材料提供合同", max_size=60))
def test_any_requirement_text_reads_without_error(text: str) -> None:
    """A framework uploaded as a workbook may word its requirement any way: the reading never
    fails, numbers its items 1…n, and keeps the words of each as they are in the text."""
    items = evidence_items(text)
    assert [i.number for i in items] == list(range(1, len(items) + 1))
    assert len(items) != 1
    for item in items:
        assert item.text and item.text in text


# --- the school ties a file to an item ------------------------------------------------------

django_db = pytest.mark.django_db


def upload_page(w: SeedWorld, code: str, name: str, item: str | None):  # type: ignore[no-untyped-def]
    data = {"indicator": code, "file": SimpleUploadedFile(name, PDF + name.encode())}
    if item is not None:
        data["evidence_item"] = item
    return w.client(w.officer).post(reverse("applications:evidence_upload", args=[w.application.pk]), data, follow=True)


@django_db
def test_upload_tied_to_an_item_is_stored_and_audited() -> None:
    w = seed_world("xiamen-trial-school", "school")
    response = upload_page(w, "一.1.(1)", "IPv6设备参数.pdf", "3")
    assert response.status_code == 200 and "已上传：IPv6设备参数.pdf" in response.content.decode()
    ev = Evidence.objects.get(application=w.application)
    assert (ev.indicator_code, ev.evidence_item) == ("一.1.(1)", 3)
    entry = AuditEntry.objects.filter(action="evidence.upload").latest("pk")
    assert entry.after is not None and entry.after["item"] == 3


@django_db
def test_indicator_page_lists_the_files_under_their_items() -> None:
    """A file for item 1 and one for item 3: item 2 reads 「材料 2：无」; the upload offers the three
    items by their seed words."""
    w = seed_world("xiamen-trial-school", "school")
    upload_page(w, "一.1.(1)", "光纤合同.pdf", "1")
    upload_page(w, "一.1.(1)", "交换机参数.pdf", "3")
    page = w.client(w.officer).get(reverse("applications:indicator", args=[w.application.pk, "一.1.(1)"]))
    html = page.content.decode()
    one, two, three = (html.index(f'id="evidence-item-{n}"') for n in (1, 2, 3))
    assert one < html.index("光纤合同.pdf") < two < three < html.index("交换机参数.pdf")
    assert "材料 2：无" in html[two:three] and "材料 1：无" not in html and "材料 3：无" not in html
    assert "班均以合同出口或是城域网出口去平均班级数。" in html[two:three]
    assert '<select name="evidence_item"' in html
    assert '<option value="2">材料 2：班均以合同出口或是城域网出口去平均班级数。</option>' in html
    assert 'id="evidence-other"' not in html  # nothing filed under no item


@django_db
def test_evidence_without_an_item_is_still_shown_under_other_materials() -> None:
    """Files uploaded before the items were offered (or without choosing one) are not hidden."""
    w = seed_world("xiamen-trial-school", "school")
    app = Application.objects.get(pk=w.application.pk)
    services.upload_evidence(
        actor=w.officer,
        application=app,
        indicator_code="一.1.(1)",
        file=SimpleUploadedFile("旧的佐证.pdf", PDF),
    )
    html = w.client(w.officer).get(reverse("applications:indicator", args=[app.pk, "一.1.(1)"])).content.decode()
    other = html.index('id="evidence-other"')
    assert "其他材料" in html[other:] and html.index("旧的佐证.pdf") > other
    assert all(f"材料 {n}：无" in html for n in (1, 2, 3))


@django_db
@pytest.mark.parametrize(("item", "shown"), [("9", "9"), ("abc", "abc")])
def test_a_bad_item_number_is_named_and_the_file_kept(item: str, shown: str) -> None:
    """An item the requirement does not give: 材料序号 is named in Chinese with the numbers allowed,
    and the file is kept (under 其他材料), not lost."""
    w = seed_world("xiamen-trial-school", "school")
    html = upload_page(w, "一.1.(1)", "网络合同.pdf", item).content.decode()
    assert f"材料序号：「{shown}」不是本指标提供材料要求中的编号（可选 1–3）" in html
    assert "已上传的文件放在「其他材料」下" in html
    ev = Evidence.objects.get(application=w.application)
    assert (ev.original_name, ev.evidence_item) == ("网络合同.pdf", None)
    assert html.index("网络合同.pdf", html.index('id="evidence-other"')) > 0


@django_db
def test_the_service_refuses_an_item_the_requirement_does_not_give() -> None:
    w = seed_world("xiamen-trial-school", "school")
    app = Application.objects.get(pk=w.application.pk)
    for code, number, message in (
        ("一.1.(1)", 4, "可选 1–3"),
        ("三.1.(1)", 1, "本指标的提供材料要求未编号"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.upload_evidence(
                actor=w.officer,
                application=app,
                indicator_code=code,
                evidence_item=number,
                file=SimpleUploadedFile("合同.pdf", PDF),
            )
    assert not Evidence.objects.exists()
    assert item_numbers(load_framework("xiamen-trial-school").by_code["一.1.(1)"].evidence) == (1, 2, 3)


@django_db
def test_an_unnumbered_requirement_keeps_the_plain_list() -> None:
    """三.1.(1) numbers nothing: no item choice, the files in one list."""
    w = seed_world("xiamen-trial-school", "school")
    upload_page(w, "三.1.(1)", "课程表.pdf", None)
    html = w.client(w.officer).get(reverse("applications:indicator", args=[w.application.pk, "三.1.(1)"]))
    text = html.content.decode()
    assert "课程表.pdf" in text and 'name="evidence_item"' not in text and "材料 1" not in text


@django_db
def test_a_file_under_other_materials_is_tied_to_an_item_in_place() -> None:
    """An earlier file (no item) is tied to item 2 without uploading it again; a number the
    requirement does not give is named and the file stays where it was."""
    w = seed_world("xiamen-trial-school", "school")
    upload_page(w, "一.1.(1)", "带宽说明.pdf", None)
    ev = Evidence.objects.get(application=w.application)
    url = reverse("applications:evidence_item", args=[w.application.pk, ev.pk])
    c = w.client(w.officer)
    page = c.get(reverse("applications:indicator", args=[w.application.pk, "一.1.(1)"])).content.decode()
    assert f'action="{url}"' in page and f'id="retie-{ev.pk}"' in page
    html = c.post(url, {"evidence_item": "5"}, follow=True).content.decode()
    assert "材料序号：「5」不是本指标提供材料要求中的编号（可选 1–3）" in html
    ev.refresh_from_db()
    assert ev.evidence_item is None
    html = c.post(url, {"evidence_item": "2"}, follow=True).content.decode()
    ev.refresh_from_db()
    assert ev.evidence_item == 2
    two, three = html.index('id="evidence-item-2"'), html.index('id="evidence-item-3"')
    assert "已更改：带宽说明.pdf" in html and "材料 2：无" not in html
    assert two < html.index("带宽说明.pdf", two) < three
    entry = AuditEntry.objects.filter(action="evidence.assign_item").get()
    assert (entry.before, entry.after) == ({"item": None}, {"item": 2})
