"""Evidence upload: size limit, type by content, safe names, sha256, preview headers, scoping."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campuseval.applications import services
from campuseval.applications.models import Application, Evidence

from .appworld import World, complete_application

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def upload(w: World, app: Application, name: str, data: bytes, code: str = "1.1") -> Evidence:
    return services.upload_evidence(
        actor=w.users["school_officer"],
        application=app,
        indicator_code=code,
        file=SimpleUploadedFile(name, data, "application/octet-stream"),
    )


def test_pdf_stored_with_sha256_and_through_storage(w: World, app: Application) -> None:
    ev = upload(w, app, "网络合同.pdf", PDF)
    assert ev.sha256 == hashlib.sha256(PDF).hexdigest() and ev.size == len(PDF)
    assert ev.content_type == "application/pdf" and ev.original_name == "网络合同.pdf"
    assert ev.file.name.endswith(ev.sha256)
    with ev.file.open("rb") as f:
        assert f.read() == PDF


def test_oversize_refused(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="超过 1 MB 的大小限制"):
        upload(w, app, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert not Evidence.objects.exists()


def test_exe_renamed_pdf_refused_with_message_on_page(w: World, app: Application) -> None:
    with pytest.raises(ValidationError, match="改扩展名无效"):
        upload(w, app, "合同.pdf", EXE)
    c = w.client("school_officer")
    response = c.post(
        reverse("applications:evidence_upload", args=[app.pk]),
        {"indicator": "1.1", "file": SimpleUploadedFile("合同.pdf", EXE)},
        follow=True,
    )
    assert "的内容不是 PDF" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("..\\..\\windows\\合同.pdf", PDF, "合同.pdf"),
        ("a\x00b.pdf", PDF, "a_b.pdf"),
        (".hidden.png", PNG, "hidden.png"),
        ("照片.pdf", PNG, "照片.pdf.png"),
        ("方案.docx", docx(), "方案.docx"),
        ("x" * 300 + ".pdf", PDF, "x" * 96 + ".pdf"),
    ],
)
def test_names_sanitised(w: World, app: Application, name: str, data: bytes, expected: str) -> None:
    ev = upload(w, app, name, data)
    assert ev.original_name == expected
    assert ".." not in ev.file.name and "/etc/" not in ev.file.name


def test_preview_headers(w: World, app: Application) -> None:
    pdf = upload(w, app, "合同.pdf", PDF)
    word = upload(w, app, "方案.docx", docx())
    c = w.client("school_officer")
    response = c.get(reverse("applications:evidence_file", args=[app.pk, pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PDF
    response = c.get(reverse("applications:evidence_file", args=[app.pk, word.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert "wordprocessingml" in response["Content-Type"]


def test_outsider_gets_404(w: World, app: Application) -> None:
    ev = upload(w, app, "合同.pdf", PDF)
    url = reverse("applications:evidence_file", args=[app.pk, ev.pk])
    for who in ("outsider", "outsider_reviewer", "expert", "sysadmin", "county_reviewer"):
        response = w.client(who).get(url)
        assert response.status_code == 404, who
        assert b"%PDF" not in response.content
    # once submitted, the county reviewer of the school's county may see it
    complete_application(w, app)
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    response = w.client("county_reviewer").get(url)
    assert b"".join(response.streaming_content) == PDF


def test_remove_and_frozen_cannot_be_removed(w: World, app: Application) -> None:
    ev = upload(w, app, "合同.pdf", PDF)
    c = w.client("school_officer")
    c.post(reverse("applications:evidence_remove", args=[app.pk, ev.pk]))
    assert not Evidence.objects.exists()
    ev = upload(w, app, "合同.pdf", PDF)
    complete_application(w, app)
    services.submit_application(actor=w.users["school_head"], application=app, promise_confirmed=True)
    ev.refresh_from_db()
    with pytest.raises(ValidationError):
        services.remove_evidence(actor=w.users["school_officer"], evidence=ev)
    assert Evidence.objects.filter(pk=ev.pk).exists()


def test_outsider_cannot_upload(w: World, app: Application) -> None:
    response = w.client("outsider").post(
        reverse("applications:evidence_upload", args=[app.pk]), {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 404 and not Evidence.objects.exists()
