"""The printed forms are the Chinese paper a bureau stamps and files: a reader whose screen is in
English still downloads them in Chinese, labels taken from the database's choices included (the
templates' own text is Chinese and not marked for translation; tests/shell/test_translations.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.reviews.models import RecommendationList

from .conftest import recommended

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by `make system-deps`"),
]


def test_recommendation_form_is_chinese_on_an_english_screen(world: dict, tmp_path: Path) -> None:
    recommended(world)
    rec = RecommendationList.objects.get()
    client = Client()
    client.force_login(world["reviewer"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Sign out" in client.get("/").content.decode()  # the screen is in English
    pdf = tmp_path / "recommendation.pdf"
    pdf.write_bytes(client.get(reverse("reports:recommendation", args=[rec.pk])).content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "推荐表" in text and ("城镇" in text or "乡村" in text)
    assert "Urban" not in text and "Rural" not in text
