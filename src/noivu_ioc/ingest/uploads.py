"""Files a steward uploads to a file source: checked for size and for being what their
name says, then placed in the source's folder, where the next sync finds them."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile

from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import InvalidInputError
from noivu_ioc.ingest.connectors import SourceView, file_folder
from noivu_ioc.ingest.push import PayloadTooLargeError
from noivu_ioc.ingest.readers.files import binary_kind
from noivu_ioc.ingest.sources import get_source
from noivu_ioc.ingest.sync import IngestContext

log = logging.getLogger(__name__)

CHUNK = 1 << 20
EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet")
_ZIP = b"PK\x03\x04"
_PARQUET = b"PAR1"


@dataclass(frozen=True, slots=True)
class StoredFile:
    name: str
    size: int
    sha256: str
    path: Path


def safe_name(filename: str | None) -> str:
    """The file's own name, without any folder part, in NFC, kept readable (Vietnamese
    letters stay): "../../bao cáo.xlsx" -> "bao cáo.xlsx"."""
    base = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "", base).strip(" .")
    if not base or not base.lower().endswith(EXTENSIONS):
        raise InvalidInputError(
            f"`{filename}` is not a file the IOC reads; upload a {', '.join(EXTENSIONS)} file"
        )
    return base


def _check_kind(name: str, head: bytes) -> None:
    suffix = Path(name).suffix.lower()
    found = binary_kind(head)
    if suffix in (".xlsx", ".xlsm") and not head.startswith(_ZIP):
        raise InvalidInputError(
            f"{name} is named as an Excel workbook but is "
            f"{found or 'not one (it is not a zip package)'}; save it as .xlsx and upload again"
        )
    if suffix == ".parquet" and not head.startswith(_PARQUET):
        raise InvalidInputError(f"{name} is named as Parquet but is {found or 'not Parquet'}")
    if suffix in (".csv", ".tsv", ".txt") and found is not None:
        raise InvalidInputError(
            f"{name} is named as a text file but is {found}; export the sheet as CSV"
        )


async def receive(
    ctx: IngestContext,
    principal: Principal,
    name: str,
    upload: UploadFile,
    client: str | None = None,
) -> StoredFile:
    with ctx.store.session() as session:
        source = get_source(session, principal, name, client)
        if source.kind != "file":
            raise InvalidInputError(
                f"source {name} is a {source.kind} source; files can be uploaded to file "
                "sources only"
            )
        folder = file_folder(SourceView.of(source, {}, ctx.settings))
    filename = safe_name(upload.filename)
    limit = ctx.settings.upload_max_bytes
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{filename}.upload-{os.getpid()}"
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with partial.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                if not head:
                    head = chunk[:16]
                    _check_kind(filename, head)
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLargeError(
                        f"{filename} is larger than the upload limit of {limit:,} bytes; "
                        "split it, or ask the administrator to raise IOC_UPLOAD_MAX_BYTES"
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidInputError(f"{filename} is empty; nothing to load")
        target = folder / filename
        # The sync lists only whole files: the name appears when the file is complete.
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    with ctx.store.session() as session:
        audit(
            session,
            "source.upload",
            "ok",
            user=principal,
            target=f"{name}/{filename}",
            client=client,
            detail={"bytes": size, "sha256": digest.hexdigest()},
        )
    log.info("uploaded %s (%s bytes) to source %s", filename, size, name)
    return StoredFile(filename, size, digest.hexdigest(), target)
