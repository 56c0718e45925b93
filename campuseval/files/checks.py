"""One validation path for every uploaded file.

The type is read from the bytes, never from the name (a text file named .pdf is not a PDF).
Word and Excel files are zip archives: besides the zip signature, the archive must have the
parts that make it a document ([Content_Types].xml and word/document.xml or xl/workbook.xml),
must carry no programs or macros, and must not unpack to an absurd size (a small file that
unpacks to gigabytes holds whoever opens it). Every refusal is a Chinese message naming the
file, raised as ValidationError before anything is stored."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Kind:
    """A file type we accept: what it is called to users, its mime type and extension."""

    extension: str
    mime: str
    label: str


KINDS: dict[str, Kind] = {
    k.extension: k
    for k in (
        Kind("pdf", "application/pdf", "PDF"),
        Kind("jpg", "image/jpeg", "JPG 图片"),
        Kind("png", "image/png", "PNG 图片"),
        Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word（docx）"),
        Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel（xlsx）"),
        Kind("doc", "application/msword", "Word 97-2003（doc）"),
        Kind("wps", "application/vnd.ms-works", "WPS 文字（wps）"),
        Kind("ofd", "application/ofd", "OFD 版式"),
    )
}

#: the part of an OOXML package that makes it this kind of document
OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
#: members that are programs or macros: refused inside any document archive
EXECUTABLE_SUFFIXES = frozenset(
    (
        ".exe", ".dll", ".com", ".scr", ".pif", ".cpl", ".msi", ".msp", ".bat", ".cmd", ".ps1", ".vbs", ".vbe",
        ".js", ".jse", ".wsf", ".wsh", ".hta", ".jar", ".lnk", ".sh", ".elf", ".so", ".dylib", ".app", ".apk",
    )
)  # fmt: skip
#: the bytes a program starts with (Windows PE, ELF, Mach-O, shell script)
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
#: OOXML parts that are binary by nature and legitimate (embedded objects, printer settings)
BINARY_PART_DIRS = ("word/embeddings/", "xl/embeddings/", "word/printerSettings/", "xl/printerSettings/")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_MEMBERS = 5000
#: a document may unpack to at most this many times its size, once it unpacks to more than ZIP_SMALL_BYTES
MAX_RATIO = 100
ZIP_SMALL_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """What the check found: the kind by content, the size and the SHA-256 of the bytes."""

    kind: Kind
    size: int
    sha256: str

    @property
    def mime(self) -> str:
        return self.kind.mime

    @property
    def extension(self) -> str:
        return self.kind.extension


def megabytes(limit: int) -> str:
    value = limit / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def kinds_text(accept: Collection[str]) -> str:
    """The accepted kinds for a message: 「PDF、JPG/PNG 图片、Word（docx）或 Excel（xlsx）」."""
    wanted = [e for e in KINDS if e in accept]
    labels = [KINDS[e].label for e in wanted if not ({"jpg", "png"} <= set(wanted) and e in ("jpg", "png"))]
    if {"jpg", "png"} <= set(wanted):
        labels.insert(1 if "pdf" in wanted else 0, "JPG/PNG 图片")
    if len(labels) == 1:
        return labels[0]
    head = "、".join(labels[:-1])
    return head + (" 或 " if head[-1].isascii() else "或 ") + labels[-1]


def check_upload(
    file: Any,
    *,
    accept: Collection[str],
    what: str = "文件",
    max_bytes: int | None = None,
    field: str | None = None,
    wrong_type: str | None = None,
) -> CheckedFile:
    """Check one uploaded file: not empty, within `max_bytes` (EVIDENCE_MAX_BYTES by default),
    its content one of the `accept` extensions (see KINDS), a document archive well formed and
    free of programs. The message names the file; with `field` it is keyed by that form field;
    `wrong_type` replaces the list of kinds in the message for a wrong type (「实施方案请上传…」).
    The file is left at position 0."""
    name = getattr(file, "name", "") or ""
    label = f"{what}「{name}」"
    try:
        kind = _check(file, label=label, accept=accept, max_bytes=max_bytes, wrong_type=wrong_type)
        digest = hashlib.sha256()
        file.seek(0)
        for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
            digest.update(chunk)
        file.seek(0)
    except ValidationError as exc:
        if field is not None:
            raise ValidationError({field: exc.messages}) from None
        raise
    return CheckedFile(kind=kind, size=int(file.size), sha256=digest.hexdigest())


def _check(file: Any, *, label: str, accept: Collection[str], max_bytes: int | None, wrong_type: str | None) -> Kind:
    limit = settings.EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
    size = getattr(file, "size", None)
    if size is None or size > limit:
        raise ValidationError(f"{label}超过 {megabytes(limit)} MB 的大小限制")
    if not size:
        raise ValidationError(f"{label}是空文件")
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = _kind_of(head, name=getattr(file, "name", "") or "", accept=accept)
    if (kind is None or kind.extension not in accept) and wrong_type:
        raise ValidationError(f"{wrong_type}：{label}的内容不是这几种文件（系统按文件内容判断类型，改扩展名无效）")
    if kind is None or kind.extension not in accept:
        raise ValidationError(
            f"{label}的内容不是 {kinds_text(accept)}，请检查后重新上传（系统按文件内容判断类型，改扩展名无效）"
        )
    if kind.extension in OOXML_MAIN_PART or kind.extension == "ofd":
        _check_archive(file, kind=kind, label=label, size=size)
    return kind


def _kind_of(head: bytes, *, name: str, accept: Collection[str]) -> Kind | None:
    """The kind by the first bytes. Zip archives are told apart by their parts later (a zip is
    a docx, an xlsx or an OFD only if it has that kind's parts); an OLE compound file is a Word
    97-2003 or WPS document by the extension the user gave it, when that kind is accepted."""
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head, name=name, accept=accept)
    if head.startswith(OLE_MAGIC):
        suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")
        if suffix == "wps" and "wps" in accept:
            return KINDS["wps"]
        return KINDS["doc"]
    guessed = filetype.guess(head)
    if guessed is None:
        return None
    return next((k for k in KINDS.values() if k.mime == guessed.mime), None)


def _zip_kind(head: bytes, *, name: str, accept: Collection[str]) -> Kind | None:
    guessed = filetype.guess(head)
    if guessed is not None:
        found = next((k for k in KINDS.values() if k.mime == guessed.mime), None)
        if found is not None:
            return found
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")
    if suffix in ("docx", "xlsx", "ofd") and suffix in accept:
        return KINDS[suffix]  # the structure check decides
    for extension in ("docx", "xlsx", "ofd"):
        if extension in accept:
            return KINDS[extension]
    return None


def _check_archive(file: IO[bytes], *, kind: Kind, label: str, size: int) -> None:
    """A document archive must open as a zip, have its kind's parts, carry no program or macro
    and not unpack to an absurd size."""
    broken = ValidationError(f"{label}不是完整的 {kind.label}文件（文件已损坏或只是改了扩展名），请重新保存后上传")
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ValidationError(f"{label}包含 {len(members)} 个部件，不像正常的 {kind.label}文件，不能上传")
            names = {m.filename for m in members}
            if kind.extension == "ofd":
                if "OFD.xml" not in names:
                    raise broken
            elif "[Content_Types].xml" not in names or OOXML_MAIN_PART[kind.extension] not in names:
                raise broken
            unpacked = 0
            for member in members:
                unpacked += member.file_size
                path = member.filename
                lowered = path.lower()
                if ".." in PurePosixPath(path).parts or path.startswith("/"):
                    raise broken
                if lowered.endswith("vbaproject.bin"):
                    raise ValidationError(f"{label}含有宏代码，不能上传：请另存为不含宏的 {kind.label}文件后再上传")
                suffix = PurePosixPath(lowered).suffix
                if suffix in EXECUTABLE_SUFFIXES and not lowered.startswith(BINARY_PART_DIRS):
                    raise ValidationError(f"{label}中夹带了程序文件「{PurePosixPath(path).name}」，不能上传")
                if member.is_dir() or not member.file_size:
                    continue
                with archive.open(member) as stream:
                    start = stream.read(4)
                if start.startswith(EXECUTABLE_MAGIC):
                    raise ValidationError(f"{label}中夹带了程序文件「{PurePosixPath(path).name}」，不能上传")
            if unpacked > ZIP_SMALL_BYTES and unpacked > MAX_RATIO * size:
                raise ValidationError(
                    f"{label}解压后有 {megabytes(unpacked)} MB，是文件本身的 {unpacked // size} 倍，"
                    "不像正常的文档，不能上传"
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, ValueError):
        raise broken from None
    finally:
        file.seek(0)


def limit_attrs(*, several: bool = False) -> dict[str, str]:
    """The data- attributes static/js/upload-limits.js reads on a file input to refuse, before
    sending, a file over the size limit, more files than one upload takes (`several`), or a
    selection larger in all than one request may be (nginx's client_max_body_size is the file
    limit plus a margin for the form)."""
    attrs = {
        "data-max-bytes": str(settings.EVIDENCE_MAX_BYTES),
        "data-max-total-bytes": str(settings.EVIDENCE_MAX_BYTES),
    }
    if several:
        attrs["data-max-files"] = str(settings.EVIDENCE_MAX_FILES_PER_POST)
    return attrs
