"""The 自评报告 lists each indicator's evidence as the submitted version froze it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campuseval.applications import services
from campuseval.applications.models import Application

from .appworld import World, complete_application

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by `make system-deps`"),
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_prints_under_its_indicator(w: World, app: Application, tmp_path) -> None:  # type: ignore[no-untyped-def]
    services.upload_evidence(
        actor=w.users["school_officer"],
        application=app,
        indicator_code="1.2",
        file=SimpleUploadedFile("制度汇编.pdf", PDF, "application/pdf"),
    )
    complete_application(w, app)
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    response = w.client("county_reviewer").get(reverse("reports:self_assessment", args=[app.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "self-assessment.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    # the evidence sits in indicator 1.2's table, between its heading and the next indicator's
    section = flat[flat.index("1.2") : flat.index("1.3")]
    assert "佐证材料制度汇编.pdf" in section and "SHA-256" in section
    assert flat.count("制度汇编.pdf") == 1
    assert "佐证材料无" in flat  # the indicators without evidence still say so
