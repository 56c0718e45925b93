"""Every uploaded file goes one way (campuseval.files.checks): type by content, Word/Excel
structure (a zip shaped like a .docx carrying a program is refused), size, the application's
count and total, files per upload, no second copy of a file; the 自评说明 has a length bound. Each
refusal names the file in Chinese and leaves the database as it was."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campuseval.applications import services
from campuseval.applications.models import Application, Evidence
from campuseval.audit.models import AuditEntry
from campuseval.cultivation import services as cultivation
from campuseval.cultivation.models import Project

from .appworld import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def pdf(n: int) -> bytes:
    """A distinct small PDF (distinct SHA-256) per n."""
    return PDF.replace(b"%%EOF", f"% {n}\n%%EOF".encode())


def archive(parts: dict[str, bytes | str], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


DOCX_PARTS: dict[str, bytes | str] = {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}
XLSX_PARTS: dict[str, bytes | str] = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}


def state(app: Application) -> tuple[object, ...]:
    """What a refused upload must leave unchanged."""
    app.refresh_from_db()
    return (
        list(Evidence.objects.order_by("pk").values_list("pk", "sha256", "size", "original_name")),
        AuditEntry.objects.count(),
        app.revision,
        dict(app.narratives),
    )


def post_files(c: Client, app: Application, *files: tuple[str, bytes], code: str = "1.1") -> list[str]:
    """Upload through the page; the Chinese messages shown after the redirect."""
    response = c.post(
        reverse("applications:evidence_upload", args=[app.pk]),
        {"indicator": code, "file": [SimpleUploadedFile(name, data) for name, data in files]},
        follow=True,
    )
    assert response.redirect_chain[0][1] == 302 and response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    page = response.content.decode()
    assert all(m in page for m in shown)
    return shown


def test_a_docx_shaped_zip_carrying_a_program_is_refused(w: World, app: Application) -> None:
    c = w.client("school_officer")
    before = state(app)
    carrying = archive({**DOCX_PARTS, "payload.exe": EXE})
    assert post_files(c, app, ("年度报告.docx", carrying)) == [
        "文件「年度报告.docx」中夹带了程序文件「payload.exe」，不能上传"
    ]
    # hidden under a harmless name: found by its first bytes
    hidden = archive({**DOCX_PARTS, "word/media/image1.png": EXE})
    [message] = post_files(c, app, ("照片.docx", hidden))
    assert message == "文件「照片.docx」中夹带了程序文件「image1.png」，不能上传"
    macro = archive({**DOCX_PARTS, "word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60})
    [message] = post_files(c, app, ("宏.docx", macro))
    assert message.startswith("文件「宏.docx」含有宏代码，不能上传")
    assert state(app) == before


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("方案.docx", archive({"[Content_Types].xml": "<Types/>", "other.xml": "<x/>"}), "Word（docx）"),
        ("方案.docx", archive({"word/document.xml": "<w:document/>"}), "Word（docx）"),
        ("统计.xlsx", archive({"[Content_Types].xml": "<Types/>", "xl/styles.xml": "<s/>"}), "Excel（xlsx）"),
        ("统计.xlsx", b"PK\x03\x04" + b"\x00" * 300, "Excel（xlsx）"),
    ],
)
def test_an_archive_without_the_parts_of_its_kind_is_refused(
    w: World, app: Application, name: str, data: bytes, expected: str
) -> None:
    before = state(app)
    with pytest.raises(ValidationError) as refused:
        services.upload_evidence(
            actor=w.users["school_officer"], application=app, file=SimpleUploadedFile(name, data), indicator_code="1.1"
        )
    assert refused.value.messages == [
        f"文件「{name}」不是完整的 {expected}文件（文件已损坏或只是改了扩展名），请重新保存后上传"
    ]
    assert state(app) == before


def test_an_archive_that_unpacks_to_an_absurd_size_is_refused(w: World, app: Application) -> None:
    bomb = archive({**DOCX_PARTS, "word/media/fill.xml": b"\x00" * (12 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    c = w.client("school_officer")
    before = state(app)
    [message] = post_files(c, app, ("小文件.docx", bomb))
    assert message.startswith("文件「小文件.docx」解压后有 12.0 MB") and "不像正常的文档，不能上传" in message
    assert state(app) == before


def test_well_formed_word_and_excel_files_are_kept(w: World, app: Application) -> None:
    c = w.client("school_officer")
    messages = post_files(c, app, ("制度.docx", archive(DOCX_PARTS)), ("台账.xlsx", archive(XLSX_PARTS)))
    assert messages == ["已上传：制度.docx", "已上传：台账.xlsx"]
    assert sorted(Evidence.objects.values_list("original_name", "content_type")) == [
        ("制度.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("台账.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ]


def test_the_same_file_twice_is_refused_naming_the_file_already_there(w: World, app: Application) -> None:
    c = w.client("school_officer")
    assert post_files(c, app, ("网络合同.pdf", pdf(1))) == ["已上传：网络合同.pdf"]
    before = state(app)
    assert post_files(c, app, ("合同副本.pdf", pdf(1)), code="1.2") == [
        "文件「合同副本.pdf」与已上传的「网络合同.pdf」（指标 1.1）内容相同，不必重复上传"
    ]
    assert state(app) == before
    # ten copies in one upload: the one already there is named, and none is stored
    assert post_files(c, app, *[(f"副本{n}.pdf", pdf(1)) for n in range(10)]) == [
        f"文件「副本{n}.pdf」与已上传的「网络合同.pdf」（指标 1.1）内容相同，不必重复上传" for n in range(10)
    ]
    assert state(app) == before
    # the same new file twice in one upload: the first is stored, the second refused
    messages = post_files(c, app, ("照片.pdf", pdf(2)), ("照片(1).pdf", pdf(2)))
    assert messages == [
        "文件「照片(1).pdf」与已上传的「照片.pdf」（指标 1.1）内容相同，不必重复上传",
        "已上传：照片.pdf",
    ]
    assert Evidence.objects.count() == 2


def test_at_most_so_many_files_in_one_upload(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.EVIDENCE_MAX_FILES_PER_POST == 10
    c = w.client("school_officer")
    before = state(app)
    files = [(f"材料{n}.pdf", pdf(n)) for n in range(90)]
    assert post_files(c, app, *files) == [
        "一次最多上传 10 个文件，本次选择了 90 个，未上传任何文件，请分批上传"
    ]
    assert state(app) == before
    assert len(post_files(c, app, *files[:10])) == 10
    assert Evidence.objects.count() == 10


def test_the_application_holds_at_most_so_many_files_and_bytes(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_MAX_FILES = 3
    c = w.client("school_officer")
    assert len(post_files(c, app, *[(f"材料{n}.pdf", pdf(n)) for n in range(3)])) == 3
    before = state(app)
    assert post_files(c, app, ("第四个.pdf", pdf(4))) == [
        "文件「第四个.pdf」未上传：每份申报最多 3 个佐证材料，已有 3 个，请删除不需要的文件后再上传"
    ]
    assert state(app) == before
    settings.EVIDENCE_MAX_FILES = 100
    settings.EVIDENCE_MAX_TOTAL_BYTES = 1024 * 1024
    big = PDF + b"0" * (600 * 1024 - len(PDF))
    assert post_files(c, app, ("大文件.pdf", big)) == ["已上传：大文件.pdf"]
    before = state(app)
    assert post_files(c, app, ("又一个大文件.pdf", big + b"1")) == [
        "文件「又一个大文件.pdf」未上传：每份申报的佐证材料合计不超过 1 MB，已有 0.6 MB，"
        "请压缩或删除不需要的文件后再上传"
    ]
    assert state(app) == before


def test_a_long_narrative_is_refused_and_the_text_stays_on_the_page(w: World, app: Application, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.NARRATIVE_MAX_CHARS == 5000
    c = w.client("school_officer")
    url = reverse("applications:indicator", args=[app.pk, "1.3"])
    c.post(url, {"revision": str(app.revision), "narrative": "原来的说明"})
    app.refresh_from_db()
    assert app.narratives == {"1.3": "原来的说明"}
    narrative = "本校建成校园网。" * 626  # 5,008 characters
    response = c.post(url, {"revision": str(app.revision), "in_platform": "自建", "narrative": narrative})
    page = response.content.decode()
    assert response.status_code == 200
    assert "自评说明最多 5000 个字，现有 5008 个字，请精简后再保存（未保存自评说明）" in page
    assert f">{narrative}</textarea>" in page  # nothing typed is lost
    app.refresh_from_db()
    assert app.narratives == {"1.3": "原来的说明"}
    # the rest of the indicator was saved; the page says one field is wrong
    assert app.answers["answers"]["1.3"] == {"platform": "自建"}
    autosaved = c.post(url, {"revision": str(app.revision), "narrative": narrative}, headers={"HX-Request": "true"})
    fragment = autosaved.content.decode()
    assert 'data-autosave-state="invalid"' in fragment and "自评说明最多 5000 个字" in fragment
    app.refresh_from_db()
    assert app.narratives == {"1.3": "原来的说明"}
    # 5,000 characters are kept
    ok = "说" * 5000
    c.post(url, {"revision": str(app.revision), "narrative": ok})
    app.refresh_from_db()
    assert app.narratives == {"1.3": ok}


def test_stamped_scans_go_through_the_same_check(w: World, app: Application) -> None:
    before = state(app)
    with pytest.raises(ValidationError) as refused:
        services.upload_stamped_scan(
            actor=w.users["school_officer"], application=app, file=SimpleUploadedFile("盖章.pdf", b"just some text, 17")
        )
    assert refused.value.message_dict == {
        "stamped_scan": [
            "盖章申报书扫描件「盖章.pdf」的内容不是 PDF 或 JPG/PNG 图片，"
            "请检查后重新上传（系统按文件内容判断类型，改扩展名无效）"
        ]
    }
    app.refresh_from_db()
    assert not app.stamped_scan and state(app) == before


def plan_state() -> tuple[object, ...]:
    return (
        list(Project.objects.values_list("pk", "plan", "plan_name", "plan_submitted_at")),
        AuditEntry.objects.count(),
    )


def test_the_cultivation_plan_is_checked_by_content(personas, settings) -> None:  # type: ignore[no-untyped-def]
    project = personas.project
    Project.objects.filter(pk=project.pk).update(status=Project.Status.PLANNING, plan="", plan_name="")
    project.refresh_from_db()
    officer = personas.school_officer
    text = b"this is not a pdf"
    assert len(text) == 17
    before = plan_state()
    for name, data, message in [
        ("实施方案.pdf", text, "实施方案请上传 PDF、Word 或 OFD 文件：实施方案「实施方案.pdf」的内容不是这几种文件"),
        ("方案.docx", archive({**DOCX_PARTS, "setup.exe": EXE}), "实施方案「方案.docx」中夹带了程序文件「setup.exe」"),
        ("实施方案.ofd", archive({"Doc_0/Document.xml": "<d/>"}), "实施方案「实施方案.ofd」不是完整的 OFD 版式文件（"),
    ]:
        with pytest.raises(ValidationError) as refused:
            cultivation.submit_plan(actor=officer, project=project, plan=SimpleUploadedFile(name, data))
        assert refused.value.messages[0].startswith(message), refused.value.messages
    assert plan_state() == before
    # a Word file named .pdf is kept as the Word file it is, and downloaded under that name
    cultivation.submit_plan(
        actor=officer, project=project, plan=SimpleUploadedFile("实施方案.pdf", archive(DOCX_PARTS))
    )
    project.refresh_from_db()
    assert project.plan_name == "实施方案.pdf.docx" and project.plan.name.endswith(".docx")
    response = personas.client("school_officer").get(reverse("cultivation:plan", args=[project.pk]))
    assert response["Content-Disposition"].endswith(".docx") and "attachment" in response["Content-Disposition"]
    assert response["Content-Type"] != "application/pdf"
