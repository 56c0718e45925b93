"""Signature and stamp areas as on the annexes: the opinion at the top left of its box, then
"负责人签字（盖章）" and "年 月 日" at the bottom right, below the opinion, inside the border.
Positions are read back with pdftotext -bbox."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.reviews import services
from campuseval.reviews.models import Panel, RecommendationList

from .conftest import expert, recommended, sheet

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by `make system-deps`"),
]

MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def words_of(pdf: bytes, tmp_path: Path, name: str) -> tuple[list[Word], float]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / name)], check=True)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    words = [
        Word(t, float(a), float(b), float(c), float(d))
        for a, b, c, d, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html
        )
    ]
    return words, width


def first(words: list[Word], text: str, below: float = -1) -> Word:
    found = next((w for w in words if text in w.text and w.y0 > below), None)
    assert found is not None, f"「{text}」 not found below y={below:.0f}"
    return found


def assert_signed_at_bottom_right(words: list[Word], width: float, opinion: str, who: str) -> None:
    label = first(words, opinion)
    signature = first(words, who, below=label.y0)
    year = first(words, "年", below=signature.y0)
    assert signature.y0 >= label.y1 + 5 * MM, "the signature line sits below the opinion, not beside or above it"
    assert signature.x0 > width / 2 and year.x0 > width / 2, "signature and date on the right half"
    assert year.y0 >= signature.y1, "the date under the signature"
    assert year.y1 - label.y0 < 45 * MM, "all within one box"


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def test_recommendation_and_expert_sheet_sign_at_the_bottom_right(world: dict, tmp_path: Path) -> None:
    apps = recommended(world)
    rec = RecommendationList.objects.get()
    pdf = client_for(world["reviewer"]).get(reverse("reports:recommendation", args=[rec.pk])).content
    words, width = words_of(pdf, tmp_path, "recommendation")
    assert_signed_at_bottom_right(words, width, "县（市、区）教育主管部门意见", "负责人签字（盖章）")
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1 = expert("e1", world["y"])
    a = services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e1)
    sheet(world, a, 600, True)
    pdf = client_for(e1.user).get(reverse("reports:expert_sheet", args=[a.pk])).content
    words, width = words_of(pdf, tmp_path, "expert-sheet")
    assert_signed_at_bottom_right(words, width, "本人确认与申报单位无利益冲突", "专家签字")


def test_application_form_and_self_evaluation_sign_at_the_bottom_right(world: dict, tmp_path: Path) -> None:
    app = world["apps"][0]
    app.form_key = "bozhou-2024-school"
    app.save()
    reviewer = client_for(world["reviewer"])
    pdf = reviewer.get(reverse("reports:application_form", args=[app.pk])).content
    words, width = words_of(pdf, tmp_path, "application-form")
    assert_signed_at_bottom_right(words, width, "市教育主管部门推荐意见", "负责人签字（盖章）")
    assert_signed_at_bottom_right(words, width, "县（市、区）教育主管部门推荐意见", "负责人签字（盖章）")
    pdf = reviewer.get(reverse("reports:self_evaluation", args=[app.pk])).content
    words, width = words_of(pdf, tmp_path, "self-evaluation")
    assert_signed_at_bottom_right(words, width, "自评总得分", "学校负责人签字（盖章）")
