"""The county's recommendation PDF in the columns of the notice's own annex: Bozhou annex 5
(推荐类型, 单位名称, 联系人, 电话, 备注) and Taizhou annex 4 (学校名称, 联系人, 联系电话,
申报类型 from the application, 自评分, 亮点特色)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.reviews.models import RecommendationEntry, RecommendationList

from .conftest import recommended

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by `make system-deps`"),
]


def printed(world: dict, tmp_path: Path, name: str) -> tuple[str, str]:
    rec = RecommendationList.objects.get()
    c = Client()
    c.force_login(world["reviewer"])
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(c.get(reverse("reports:recommendation", args=[rec.pk])).content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / name)], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text, re.sub(r"\s+", "", text)


def test_taizhou_annex_4(world: dict, tmp_path: Path) -> None:
    campaign = world["campaign"]
    campaign.school_form = "taizhou-2022-school"
    campaign.name = "2022 泰州市智慧校园创建"
    campaign.save()
    levels = ["示范型", "优秀型", "合格型"]
    for i, app in enumerate(world["apps"][:3]):
        app.form_data = {"leader_name": f"校长{i}", "leader_phone": f"0523-8000{i}", "level_sought": levels[i]}
        app.save()
    recommended(world)
    RecommendationEntry.objects.filter(position=1).update(highlights="智慧课堂全覆盖")
    text, flat = printed(world, tmp_path, "taizhou-annex-4")
    assert "泰州市中小学智慧校园创建学校推荐名单表" in flat
    assert "市（区）（盖章）：甲县" in flat and "市（区）联系人" in flat and "联系人电话" in flat
    header = next(line for line in text.splitlines() if "学校名称" in line)
    for label in ("序号", "学校名称", "联系人", "联系电话", "自评分", "初评分", "亮点特色"):
        assert label in header, label
    assert "申报类型" in flat
    row = next(line for line in text.splitlines() if "甲县第1小学" in line)
    assert "校长1" in row and "0523-80001" in row and "优秀型" in row and "10" in row
    assert "智慧课堂全覆盖" in flat and "合格型" in flat
    assert "示范校" not in flat  # the type comes from the application, not a fixed word
    assert "市（区）教育局意见：负责人签字（盖章）年月日" in flat


def test_bozhou_annex_5(world: dict, tmp_path: Path) -> None:
    campaign = world["campaign"]
    campaign.school_form = "bozhou-2024-school"
    campaign.save()
    for i, app in enumerate(world["apps"][:3]):
        app.form_data = {"contact_name": f"联络人{i}", "contact_mobile": f"1390000000{i}"}
        app.save()
    recommended(world)
    text, flat = printed(world, tmp_path, "bozhou-annex-5")
    assert "亳州市中小学智慧学校应用示范区、示范校推荐表" in flat
    header = next(line for line in text.splitlines() if "单位名称" in line)
    assert re.search(r"序号\s+推荐类型\s+单位名称\s+联系人\s+电话\s+备注", header)
    row = next(line for line in text.splitlines() if "甲县第2小学" in line)
    assert re.search(r"3\s+示范校\s+甲县第2小学\s+联络人2\s+13900000002", row)
    assert "负责人签字（盖章）" in flat


def test_other_campaigns_keep_the_platform_table(world: dict, tmp_path: Path) -> None:
    recommended(world)
    _, flat = printed(world, tmp_path, "platform-recommendation")
    assert "推荐表" in flat and "城乡" in flat and "推荐名单表" not in flat
