"""Evidence and stamped-scan downloads: with FILES_ACCEL_REDIRECT set (and local storage) the
answer is empty and names the file for nginx; without it the file is streamed by Django. The
permission checks are the same either way."""

from __future__ import annotations

from urllib.parse import unquote

from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campuseval.applications import services
from campuseval.applications.downloads import stored_file_response
from campuseval.applications.models import Application

from ..web.appworld import World
from ..web.test_evidence import PDF, PNG, docx, upload


def test_evidence_handed_to_nginx_when_set(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FILES_ACCEL_REDIRECT = "/protected/"
    pdf = upload(w, app, "网络 合同.pdf", PDF)
    word = upload(w, app, "方案.docx", docx())
    c = w.client("school_officer")
    response = c.get(reverse("applications:evidence_file", args=[app.pk, pdf.pk]))
    assert response.status_code == 200 and response.content == b""
    assert not response.streaming
    assert unquote(response["X-Accel-Redirect"]) == "/protected/" + pdf.file.name
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%E7%BD%91%E7%BB%9C%20%E5%90%88%E5%90%8C.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    response = c.get(reverse("applications:evidence_file", args=[app.pk, word.pk]))
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "wordprocessingml" in response["Content-Type"] and response.content == b""


def test_prefix_without_trailing_slash_and_outsiders(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FILES_ACCEL_REDIRECT = "/protected"
    ev = upload(w, app, "合同.pdf", PDF)
    url = reverse("applications:evidence_file", args=[app.pk, ev.pk])
    assert w.client("school_officer").get(url)["X-Accel-Redirect"].startswith("/protected/evidence")
    for who in ("outsider", "county_reviewer", "expert"):
        response = w.client(who).get(url)
        assert response.status_code == 404 and not response.has_header("X-Accel-Redirect"), who


def test_evidence_streamed_when_unset(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FILES_ACCEL_REDIRECT = ""
    ev = upload(w, app, "合同.pdf", PDF)
    response = w.client("school_officer").get(reverse("applications:evidence_file", args=[app.pk, ev.pk]))
    assert not response.has_header("X-Accel-Redirect")
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PDF


def test_stamped_scan_both_ways(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    services.upload_stamped_scan(
        actor=w.users["school_officer"], application=app, file=SimpleUploadedFile("s.png", PNG)
    )
    app.refresh_from_db()
    url = reverse("applications:stamped_scan", args=[app.pk])
    settings.FILES_ACCEL_REDIRECT = "/protected/"
    response = w.client("school_officer").get(url)
    assert unquote(response["X-Accel-Redirect"]) == "/protected/" + app.stamped_scan.name
    assert response["Content-Type"] == "image/png" and response.content == b""
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert w.client("county_reviewer").get(url).status_code == 404
    settings.FILES_ACCEL_REDIRECT = ""
    response = w.client("school_officer").get(url)
    assert not response.has_header("X-Accel-Redirect")
    assert b"".join(response.streaming_content) == PNG


def test_object_storage_is_streamed_even_when_set(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    """Only local files can be aliased by nginx; anything else keeps Django's stream."""
    settings.FILES_ACCEL_REDIRECT = "/protected/"
    ev = upload(w, app, "合同.pdf", PDF)
    memory = InMemoryStorage()
    memory.save(ev.file.name, SimpleUploadedFile("x", PDF))
    ev.file.storage = memory
    response = stored_file_response(ev.file, filename="合同.pdf", content_type="application/pdf", as_attachment=False)
    assert not response.has_header("X-Accel-Redirect")
    assert b"".join(response.streaming_content) == PDF
