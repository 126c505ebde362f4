"""Files attached to incidents and tasks: checked on the way in and kept in the store.

A file is accepted only when its content is one of the allowed types and its name says the
same type: the first bytes decide, never the name alone, so an executable renamed
``bao-cao.pdf`` is refused with what it really is. Office files are zip packages; their
part names tell a Word document from an Excel workbook (and from a PowerPoint or a plain
archive). Text must be UTF-8 without control characters, and markup that a browser would
run (HTML, SVG) is refused even when it is named ``.txt``.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from noivu_ioc.errors import InvalidInputError, IOCError
from noivu_ioc.store.models import Attachment, utcnow

MAX_BYTES = 10 * 1024 * 1024
OWNER_KINDS = ("incident", "task", "directive_report")


class AttachmentTooLargeError(IOCError):
    code = "too_large"


@dataclass(frozen=True, slots=True)
class FileType:
    name: str  # pdf, png, jpeg, docx, xlsx, text
    content_type: str
    extensions: tuple[str, ...]
    label: str  # what the file is, in a sentence: "a PDF document"


ALLOWED: tuple[FileType, ...] = (
    FileType("pdf", "application/pdf", (".pdf",), "a PDF document"),
    FileType("png", "image/png", (".png",), "a PNG image"),
    FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"), "a JPEG image"),
    FileType(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        "a Word document (DOCX)",
    ),
    FileType(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        "an Excel workbook (XLSX)",
    ),
    FileType("text", "text/plain; charset=utf-8", (".txt", ".csv"), "plain text"),
)
_BY_NAME = {t.name: t for t in ALLOWED}
_BY_EXTENSION = {ext: t for t in ALLOWED for ext in t.extensions}
ALLOWED_EXTENSIONS = tuple(_BY_EXTENSION)

# Types that are recognised only to say what a refused file is.
_REFUSED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program (EXE or DLL)"),
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office 97-2003 file (DOC or XLS)"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"#!", "a script"),
)
_MARKUP = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")
# Control characters other than tab, line feed, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(data: bytes) -> tuple[FileType | None, str]:
    """What the content is: the allowed type it is (or None) and its label."""
    if data.startswith(b"%PDF-"):
        return _BY_NAME["pdf"], _BY_NAME["pdf"].label
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _BY_NAME["png"], _BY_NAME["png"].label
    if data.startswith(b"\xff\xd8\xff"):
        return _BY_NAME["jpeg"], _BY_NAME["jpeg"].label
    if data.startswith(b"PK\x03\x04"):
        return _office_package(data)
    for magic, label in _REFUSED_SIGNATURES:
        if data.startswith(magic):
            return None, label
    return _text(data)


def _office_package(data: bytes) -> tuple[FileType | None, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except zipfile.BadZipFile:
        return None, "a damaged zip archive"
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return _BY_NAME["docx"], _BY_NAME["docx"].label
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return _BY_NAME["xlsx"], _BY_NAME["xlsx"].label
    if "ppt/presentation.xml" in names:
        return None, "a PowerPoint presentation (PPTX)"
    return None, "a zip archive"


def _text(data: bytes) -> tuple[FileType | None, str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "binary data of an unknown kind (or text not in UTF-8)"
    if _CONTROL.search(text):
        return None, "binary data of an unknown kind"
    if text.lstrip().lower().encode()[:16].startswith(_MARKUP):
        return None, "an HTML, SVG or XML document"
    return _BY_NAME["text"], _BY_NAME["text"].label


def safe_filename(filename: str | None) -> str:
    """The file's own name without folders or control characters, Vietnamese kept:
    "../../báo cáo.pdf" -> "báo cáo.pdf"."""
    base = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", base).strip(" .")
    if not base:
        raise InvalidInputError("the file has no name; give it a name such as bao-cao.pdf")
    if len(base) > 255:
        stem = PurePosixPath(base)
        base = stem.stem[: 255 - len(stem.suffix)] + stem.suffix
    return base


def check(filename: str | None, data: bytes) -> tuple[str, FileType]:
    """The file's safe name and its type, or an error that says what is wrong with it."""
    name = safe_filename(filename)
    extension = PurePosixPath(name).suffix.lower()
    expected = _BY_EXTENSION.get(extension)
    if expected is None:
        raise InvalidInputError(
            f"{name}: {extension or 'a name without extension'} is not an allowed attachment; "
            "attach a PDF, PNG, JPEG, DOCX, XLSX or plain text (.txt, .csv) file"
        )
    if not data:
        raise InvalidInputError(f"{name} is empty; attach the file with its content")
    if len(data) > MAX_BYTES:
        raise AttachmentTooLargeError(
            f"{name} is {len(data):,} bytes, over the attachment limit of {MAX_BYTES:,} bytes "
            "(10 MiB); compress or split it"
        )
    found, label = sniff(data)
    if found is not expected:
        raise InvalidInputError(
            f"{name} is named as {expected.label} but its content is {label}; attach the "
            f"real {extension} file, or name the file after what it is"
        )
    return name, expected


def save(
    session: Session,
    *,
    owner_kind: str,
    owner_id: int,
    filename: str | None,
    data: bytes,
    uploaded_by: str,
) -> Attachment:
    """Check a file and keep it attached to its owner (an incident, a task, a report)."""
    if owner_kind not in OWNER_KINDS:
        raise InvalidInputError(f"owner kind {owner_kind!r} must be one of {OWNER_KINDS}")
    name, kind = check(filename, data)
    attachment = Attachment(
        owner_kind=owner_kind,
        owner_id=owner_id,
        filename=name,
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=uploaded_by,
        uploaded_at=utcnow(),
    )
    session.add(attachment)
    session.flush()
    return attachment


def listed(session: Session, owner_kind: str, owner_ids: Iterable[int]) -> list[Attachment]:
    """The attachments of these owners, oldest first, without their content."""
    ids = list(owner_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Attachment)
            .options(defer(Attachment.data))
            .where(Attachment.owner_kind == owner_kind, Attachment.owner_id.in_(ids))
            .order_by(Attachment.id)
        )
    )
