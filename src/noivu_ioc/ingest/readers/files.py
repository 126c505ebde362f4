"""Reads the files agencies drop in a watched folder: CSV as text, Parquet as stored; and
lists that folder's files with what the sync needs to tell a new file from one already read.

CSV values all arrive as text (the validator parses types, so a code such as ``01`` keeps
its leading zero) and empty cells as null. The encoding (UTF-8 with or without BOM, UTF-16
with BOM as Excel's "Unicode text" writes it, Windows-1258 or Windows-1252) and the delimiter
(``,`` ``;`` tab ``|``) are detected from the start of the file unless the source sets them.

A row whose number of fields differs from the header's is a terminal ``SourceError`` that
names its line: pyarrow cannot keep such a row whole, and guessing which cell moved would
put values under the wrong column. Rows whose fields are all empty are skipped.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import charset_normalizer
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, field_validator

from noivu_ioc.ingest.readers.base import Batch, SourceError

logger = logging.getLogger(__name__)

# How much of a file's start decides its encoding, delimiter and header.
SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
_LEGACY_ENCODINGS = ["cp1258", "cp1252"]
_SNIFF_LINES = 50
_EXCERPT_CHARS = 120
# Bytes read at a time to hash a file, to decode one in another encoding, to find a bad byte.
READ_CHUNK = 1024 * 1024

# Names a watched folder holds that are never an agency's file: Office and LibreOffice lock
# files, hidden files, and downloads or copies still in progress.
_SKIPPED_PREFIXES = ("~$", ".")
_SKIPPED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook or another Office file?)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office 97-2003 file (an .xls workbook?)"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
]

_BOMS: list[tuple[bytes, str]] = [
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]

_ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-32": "UTF-32",
    "cp1258": "Windows-1258",
    "cp1252": "Windows-1252",
}


# -- the watched folder ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileInfo:
    """A file of a watched folder: the sync compares ``sha256`` with the files it has read."""

    path: Path
    size: int
    mtime: datetime  # UTC
    sha256: str


def list_files(folder: Path, pattern: str = "*") -> list[FileInfo]:
    """The regular files of ``folder`` matching the glob ``pattern``, sorted by name.

    Lock files (``~$bao_cao.xlsx``), hidden files and unfinished downloads are left out, and
    so is a file that changes while it is hashed: it is still being copied, and the next
    listing will see it whole.
    """
    folder = Path(folder)
    if not folder.exists():
        raise SourceError(
            f"folder `{folder}` does not exist: check the source's path (a network share may "
            "not be mounted)"
        )
    if not folder.is_dir():
        raise SourceError(f"`{folder}` is a file, not a folder: set the folder that holds it")
    try:
        candidates = sorted(folder.glob(pattern))
    except (OSError, ValueError) as exc:
        raise SourceError(
            f"cannot list folder `{folder}` with pattern `{pattern}` ({exc}): check the "
            "pattern (for example *.csv) and that the IOC may read the folder"
        ) from None

    found = []
    for path in candidates:
        name = path.name
        if name.startswith(_SKIPPED_PREFIXES) or name.lower().endswith(_SKIPPED_SUFFIXES):
            continue
        info = _file_info(path)
        if info is not None:
            found.append(info)
    found.sort(key=lambda info: str(info.path.relative_to(folder)))
    logger.debug("folder %s: %d files match %s", folder, len(found), pattern)
    return found


def _file_info(path: Path) -> FileInfo | None:
    try:
        before = path.stat()
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                digest.update(chunk)
        after = path.stat()
    except FileNotFoundError:
        return None  # removed between the listing and the hashing
    except PermissionError:
        raise SourceError(
            f"cannot read `{path}` (permission denied): give the IOC service read access "
            "to the folder"
        ) from None
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        logger.info("file %s is still being written; left for the next sync", path)
        return None
    mtime = datetime.fromtimestamp(after.st_mtime, tz=UTC)
    return FileInfo(path, after.st_size, mtime, digest.hexdigest())


# -- shared by the file readers --------------------------------------------------------------


def binary_kind(head: bytes) -> str | None:
    """What a file is, from its first bytes, when it is a known binary format."""
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    return None


def row_positions(prefix: str, numbers: pa.Array | np.ndarray[Any, Any]) -> pa.Array:
    """``"<prefix><n>"`` for each row number, built in one pass."""
    text = pc.cast(pa.array(numbers, type=pa.int64()), pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


@dataclass(frozen=True, slots=True)
class FileState:
    """Size and modification time, to tell whether a file changed while it was read."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileState | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return cls(stat.st_size, stat.st_mtime_ns)


def raise_if_changed(path: Path, before: FileState | None) -> None:
    """A transient error when the file changed since ``before``: it was still being written."""
    if before is not None and FileState.of(path) != before:
        raise SourceError(
            f"{path.name} changed while it was being read (it is probably still being "
            "copied); the sync will read it again",
            transient=True,
        )


def open_error(path: Path, exc: OSError) -> SourceError:
    """The message for a file that cannot be opened."""
    if isinstance(exc, FileNotFoundError):
        return SourceError(f"{path.name} does not exist at `{path}`: it was moved or deleted")
    if isinstance(exc, IsADirectoryError):
        return SourceError(f"`{path}` is a folder, not a file")
    if isinstance(exc, PermissionError):
        return SourceError(
            f"cannot read {path.name} (permission denied): give the IOC service read access"
        )
    return SourceError(
        f"cannot read {path.name} ({exc.strerror or exc}); the sync will retry", transient=True
    )


def read_head(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise open_error(path, exc) from None


# -- CSV -------------------------------------------------------------------------------------


class CsvConfig(BaseModel):
    """How a CSV file is written; every setting left ``None`` is detected from the file."""

    model_config = ConfigDict(extra="forbid")

    # A Python codec name: "utf-8", "utf-16", "cp1258" (Windows Vietnamese), "cp1252".
    encoding: str | None = None
    delimiter: str | None = None
    quote_char: str = '"'
    # The line of the header, counted from 1 as a text editor shows it (lines above it,
    # such as a title exported from a spreadsheet, are skipped).
    header_line: int = 1
    # Bytes parsed per batch; rows per batch follow from it.
    block_size: int = 4 * 1024 * 1024

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return codecs.lookup(value).name
        except LookupError:
            raise ValueError(
                f"`{value}` is not a known encoding (expected for example utf-8, utf-16, "
                "cp1258 for Windows Vietnamese, cp1252)"
            ) from None

    @field_validator("delimiter", "quote_char")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 1 or value in "\r\n"):
            raise ValueError(
                f"`{value!r}` is not allowed (expected one character, for example , ; | or a tab)"
            )
        return value

    @field_validator("header_line")
    @classmethod
    def _first_line(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"{value} is not allowed (lines are counted from 1)")
        return value

    @field_validator("block_size")
    @classmethod
    def _block(cls, value: int) -> int:
        if value < 64 * 1024:
            raise ValueError(f"{value} is not allowed (expected 65536 bytes or more)")
        return value


@dataclass(frozen=True, slots=True)
class _CsvLayout:
    codec: str  # for Python: "utf-8-sig", "utf-16", "cp1258"...
    detected: bool  # whether the encoding came from the file rather than the settings
    delimiter: str
    columns: list[str]
    data_line: int  # the line of the first row after the header

    @property
    def utf8(self) -> bool:
        return self.codec in ("utf-8", "utf-8-sig")


class CsvReader:
    """One CSV file as a source, read in streaming batches of text columns.

    Positions are ``"can_bo_2025.csv, row 15"``, where 15 is the line a text editor shows
    (the header line included; a value holding a line break makes its row span lines).
    A file with a header and no rows yields one empty batch.
    """

    def __init__(self, path: Path, config: CsvConfig | None = None) -> None:
        self.path = Path(path)
        self.config = config or CsvConfig()

    def check(self) -> None:
        layout = self._layout()
        logger.info(
            "CSV source %s: %s, delimiter %r, %d columns",
            self.path,
            _label(layout.codec),
            layout.delimiter,
            len(layout.columns),
        )

    def columns(self) -> list[str]:
        return list(self._layout().columns)

    def read(self, since: Any = None) -> Iterator[Batch]:
        """The file's rows in batches; ``since`` is ignored (a file has no cursor)."""
        before = FileState.of(self.path)
        layout = self._layout()
        invalid: list[pacsv.InvalidRow] = []

        def on_invalid_row(row: pacsv.InvalidRow) -> str:
            invalid.append(row)
            return "error"

        prefix = f"{self.path.name}, row "
        line = layout.data_line
        total = 0
        source = self._source(layout)
        try:
            reader = pacsv.open_csv(
                source,
                read_options=pacsv.ReadOptions(
                    column_names=layout.columns,
                    skip_rows=layout.data_line - 1,
                    block_size=self.config.block_size,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=layout.delimiter,
                    quote_char=self.config.quote_char,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=on_invalid_row,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in layout.columns},
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    null_values=[""],
                ),
            )
            # Each batch waits for the next: the last one is only given once the file's
            # end is known to be sound (see _check_last_row).
            held: Batch | None = None
            last_row = (line, 1)  # the line the file's last row starts on, and its lines
            for record_batch in reader:
                table = pa.Table.from_batches([record_batch])
                starts, after = _start_lines(table, line)
                if table.num_rows:
                    last_row = (int(starts[-1]), after - int(starts[-1]))
                line = after
                table, starts = _without_empty_rows(table, starts)
                if table.num_rows == 0:
                    continue
                total += table.num_rows
                if held is not None:
                    yield held
                held = Batch(table, row_positions(prefix, starts))
            if held is not None:
                self._check_last_row(layout, *last_row)
                yield held
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise_if_changed(self.path, before)
            raise self._parse_error(layout, exc, invalid) from None
        except OSError as exc:
            raise_if_changed(self.path, before)
            raise open_error(self.path, exc) from None
        finally:
            if isinstance(source, io.IOBase):
                source.close()
        raise_if_changed(self.path, before)

        if total == 0:
            empty = pa.table({name: pa.array([], pa.string()) for name in layout.columns})
            yield Batch(empty, pa.array([], pa.string()))
        logger.info("CSV source %s read: %d rows", self.path, total)

    def _check_last_row(self, layout: _CsvLayout, start: int, lines: int) -> None:
        """A quote that is never closed makes pyarrow read the rest of the file as one
        value, silently; the last row spanning lines is the sign, checked strictly here."""
        if lines == 1:
            return
        with self.path.open(encoding=layout.codec, errors="replace", newline="") as handle:
            for _ in range(start - 1):
                handle.readline()
            reader = csv.reader(
                handle, delimiter=layout.delimiter, quotechar=self.config.quote_char, strict=True
            )
            try:
                for _ in reader:
                    pass
            except csv.Error:
                raise SourceError(
                    f"{self.path.name}, row {start}: a quote opened in this row is never "
                    "closed, so the rest of the file would read as one value; close the quote "
                    "or remove it"
                ) from None

    def _source(self, layout: _CsvLayout) -> Path | _Utf8Stream:
        """What pyarrow parses: the file itself when it is UTF-8 (read natively, BOM
        skipped), else a stream that decodes it to UTF-8."""
        if layout.utf8:
            return self.path
        try:
            raw = self.path.open("rb")
        except OSError as exc:
            raise open_error(self.path, exc) from None
        return _Utf8Stream(raw, layout.codec)

    # -- the start of the file -----------------------------------------------------------

    def _layout(self) -> _CsvLayout:
        head = read_head(self.path)
        complete = len(head) < SAMPLE_BYTES
        name = self.path.name
        if not head:
            raise SourceError(f"{name} is empty (0 bytes): it needs at least a header line")
        kind = binary_kind(head)
        if kind is not None:
            hint = (
                "; read it with an Excel source"
                if "workbook" in kind
                else "; read it with a Parquet source"
                if "Parquet" in kind
                else ""
            )
            raise SourceError(f"{name} is not a text file: it is {kind}{hint}")

        codec, detected = self._encoding(head)
        text = self._decode_sample(head, codec, detected, complete)
        lines = _LINE_BREAK.split(text)
        if not complete or not lines[-1]:
            lines = lines[:-1]  # cut in the middle, or the empty rest after the last break
        if not text.strip():
            raise SourceError(f"{name} is empty: it needs at least a header line")

        header_index = self.config.header_line - 1
        if header_index >= len(lines):
            raise SourceError(
                f"{name} has {len(lines)} lines, so header_line {self.config.header_line} "
                "does not exist: set header_line to the line of the column names"
            )
        delimiter = self.config.delimiter or _sniff_delimiter(
            lines[header_index : header_index + _SNIFF_LINES]
        )
        columns, header_lines = self._header(text, header_index, delimiter, codec)
        return _CsvLayout(
            codec, detected, delimiter, columns, self.config.header_line + header_lines
        )

    def _encoding(self, head: bytes) -> tuple[str, bool]:
        if self.config.encoding:
            codec = self.config.encoding
            if codec == "utf-8" and head.startswith(codecs.BOM_UTF8):
                codec = "utf-8-sig"
            return codec, False
        for bom, codec in _BOMS:
            if head.startswith(bom):
                return codec, True
        if b"\x00" in head:
            # UTF-16 without a byte order mark: ASCII characters leave every other byte 0.
            even, odd = head[0::2].count(0), head[1::2].count(0)
            if odd > len(head) // 4 and even == 0:
                return "utf-16-le", True
            if even > len(head) // 4 and odd == 0:
                return "utf-16-be", True
            raise SourceError(
                f"{self.path.name} is not a text file: it holds binary data (NUL bytes); "
                "export the data as CSV and send that file"
            )
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SAMPLE_BYTES)
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8", True
        # Legacy text almost never forms valid UTF-8 sequences by chance: a start that is
        # mostly valid UTF-8 is a UTF-8 file with a few bad bytes, reported where they are.
        loose = head.decode("utf-8", errors="replace")
        bad = loose.count("\ufffd")
        wide = len(loose) - len(loose.encode("ascii", errors="ignore"))
        if wide - bad >= 2 * bad:
            return "utf-8", True
        best = charset_normalizer.from_bytes(head, cp_isolation=_LEGACY_ENCODINGS).best()
        if best is None:
            raise SourceError(
                f"{self.path.name} is not text in a known encoding (UTF-8, UTF-16, "
                "Windows-1258, Windows-1252): export it again as CSV UTF-8, or set encoding"
            )
        return codecs.lookup(best.encoding).name, True

    def _decode_sample(self, head: bytes, codec: str, detected: bool, complete: bool) -> str:
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            return str(decoder.decode(head, final=complete))
        except UnicodeDecodeError as exc:
            offset = exc.start
            raise self._undecodable(codec, detected, offset, head[offset]) from None

    def _header(
        self, text: str, header_index: int, delimiter: str, codec: str
    ) -> tuple[list[str], int]:
        """The column names and how many lines the header takes (a quoted name may hold a
        line break, as Excel writes "Ngày\\nsinh")."""
        rest = text
        for _ in range(header_index):
            match = _LINE_BREAK.search(rest)
            rest = rest[match.end() :] if match else ""
        reader = csv.reader(
            io.StringIO(rest, newline=""), delimiter=delimiter, quotechar=self.config.quote_char
        )
        line = self.config.header_line
        try:
            fields = next(reader, [])
        except csv.Error as exc:
            raise SourceError(
                f"{self.path.name}, row {line}: the header cannot be read ({exc}); check the "
                "quotes around the column names"
            ) from None
        if not fields:
            raise SourceError(
                f"{self.path.name}, row {line}: the header line is empty; remove the empty "
                "lines above the column names or set header_line"
            )
        names = [" ".join(field.split()) for field in fields]
        if codec == "cp1258":
            names = [unicodedata.normalize("NFC", name) for name in names]
        for position, name in enumerate(names, start=1):
            if not name:
                raise SourceError(
                    f"{self.path.name}, row {line}: column {position} of the header has no "
                    f"name (header: `{_excerpt(delimiter.join(fields))}`); give every column "
                    "a name, or delete the empty column"
                )
        seen: dict[str, int] = {}
        for position, name in enumerate(names, start=1):
            if name in seen:
                raise SourceError(
                    f"{self.path.name}, row {line}: the header names `{name}` twice (columns "
                    f"{seen[name]} and {position}); rename one of them so that every column "
                    "has its own name"
                )
            seen[name] = position
        return names, reader.line_num

    # -- errors found while parsing ------------------------------------------------------

    def _parse_error(
        self, layout: _CsvLayout, exc: Exception, invalid: list[pacsv.InvalidRow]
    ) -> SourceError:
        if invalid:
            return self._field_count_error(layout, invalid[0])
        if isinstance(exc, UnicodeDecodeError) or "UTF8" in str(exc):
            found = _first_undecodable(self.path, layout.codec)
            if found is not None:
                offset, byte = found
                return self._undecodable(layout.codec, layout.detected, offset, byte)
        return SourceError(
            f"{self.path.name} cannot be parsed as CSV ({exc}); check the delimiter "
            f"({layout.delimiter!r}) and the quotes"
        )

    def _field_count_error(self, layout: _CsvLayout, row: pacsv.InvalidRow) -> SourceError:
        found = _first_bad_record(self.path, layout, self.config.quote_char)
        line, count = found if found else (None, row.actual_columns)
        where = f"{self.path.name}, row {line}" if line else self.path.name
        expected = len(layout.columns)
        if count > expected:
            fix = (
                f"put quotes around values that contain {_delimiter_name(layout.delimiter)}, "
                "or remove the extra delimiters"
            )
        else:
            fix = "add the missing delimiters (empty cells are fine) or join the broken line"
        fields = "field" if count == 1 else "fields"
        return SourceError(
            f"{where} has {count} {fields} but the header has {expected} "
            f"(`{_excerpt(row.text or '')}`); {fix}"
        )

    def _undecodable(self, codec: str, detected: bool, offset: int, byte: int) -> SourceError:
        line = _line_at(self.path, codec, offset)
        label = _label(codec)
        if detected:
            hint = (
                f"the start of the file reads as {label}, so the file mixes encodings: save "
                "it again in one encoding (CSV UTF-8 is best), or set encoding"
            )
        else:
            hint = (
                f"check the encoding setting (`{codec}`): Windows Vietnamese files are cp1258, "
                "Excel's 'Unicode text' is utf-16"
            )
        return SourceError(
            f"{self.path.name}, row {line}: byte 0x{byte:02X} (at offset {offset}) is not "
            f"valid {label}; {hint}"
        )


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the sample into the most columns consistently; a comma when
    nothing splits (a one-column file)."""
    sample = "\n".join(lines)
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        if delimiter not in sample:
            continue
        try:
            counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter)]
        except csv.Error:
            continue
        counts = [count for count in counts if count > 0]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(count == counts[0] for count in counts) / len(counts)
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


class _Utf8Stream(io.RawIOBase):
    """A file in another encoding, read as UTF-8 for pyarrow."""

    def __init__(self, raw: io.BufferedReader, codec: str) -> None:
        super().__init__()
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(codec)()
        self._windows_1258 = codec == "cp1258"
        self._held = b""  # the last byte of a chunk: a letter whose tone mark may follow
        self._out = bytearray()
        self._ended = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        while not self._ended and (size is None or size < 0 or len(self._out) < size):
            self._fill()
        cut = len(self._out) if size is None or size < 0 else size
        data = bytes(self._out[:cut])
        del self._out[:cut]
        return data

    def close(self) -> None:
        self._raw.close()
        super().close()

    def _fill(self) -> None:
        chunk = self._raw.read(READ_CHUNK)
        if not chunk:
            self._ended = True
        if not self._windows_1258:
            self._out += self._decoder.decode(chunk, final=not chunk).encode("utf-8")
            return
        data = self._held + chunk
        data, self._held = (data[:-1], data[-1:]) if chunk else (data, b"")
        self._out += _windows_1258_composed(data).encode("utf-8")


class _Windows1258:
    """Windows-1258 writes most tone marks as combining characters after their letter
    (the "ễ" of "Nguyễn" is the byte of "ê" and then the byte of a combining tilde); values
    compared with code lists ("Hà Nội") must be composed.
    ``unicodedata.normalize`` takes seconds for a million rows, so each letter and its
    mark are joined through lookup tables over the bytes."""

    def __init__(self) -> None:
        self.code_points = np.zeros(256, dtype=np.uint32)
        undefined = []
        for byte in range(256):
            try:
                self.code_points[byte] = ord(bytes([byte]).decode("cp1258"))
            except UnicodeDecodeError:
                undefined.append(bytes([byte]))
        self.undefined = tuple(undefined)
        marks = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
        self.tone = np.full(256, -1, dtype=np.int8)  # which of the five marks a byte is
        # The letter a (letter byte, mark) pair makes, 0 where they do not join.
        self.joined = np.zeros((256, len(marks)), dtype=np.uint32)
        for index, mark in enumerate(marks):
            self.tone[mark.encode("cp1258")[0]] = index
            for byte in range(256):
                if bytes([byte]) in undefined:
                    continue
                letter = chr(self.code_points[byte])
                joined = unicodedata.normalize("NFC", letter + mark)
                if len(joined) == 1:
                    self.joined[byte, index] = ord(joined)


_WINDOWS_1258: _Windows1258 | None = None


def _windows_1258_composed(data: bytes) -> str:
    """``data`` decoded from Windows-1258, each tone mark joined to the letter before it."""
    global _WINDOWS_1258
    tables = _WINDOWS_1258 = _WINDOWS_1258 or _Windows1258()
    if any(byte in data for byte in tables.undefined):
        data.decode("cp1258")  # raises the UnicodeDecodeError that names the byte
    raw = np.frombuffer(data, dtype=np.uint8)
    tone = np.take(tables.tone, raw)
    marks = np.flatnonzero(tone >= 0)
    marks = marks[marks > 0]
    joined = tables.joined[raw[marks - 1], tone[marks]]
    marks = marks[joined != 0]
    if not len(marks):
        return data.decode("cp1258")
    points = np.take(tables.code_points, raw)
    points[marks - 1] = joined[joined != 0]
    keep = np.ones(len(points), dtype=bool)
    keep[marks] = False
    return str(points[keep].tobytes().decode("utf-32-le" if _LITTLE_ENDIAN else "utf-32-be"))


_LITTLE_ENDIAN = sys.byteorder == "little"


def _has_line_breaks(column: pa.ChunkedArray) -> bool:
    # A look at the raw bytes of the values: far faster than a per-value search, and the
    # bytes of a sliced array outside the slice can only cause a needless exact count.
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        if data is None:
            continue
        view = np.frombuffer(data, dtype=np.uint8)
        if (view == 10).any() or (view == 13).any():
            return True
    return False


def _start_lines(table: pa.Table, first: int) -> tuple[np.ndarray[Any, Any], int]:
    """The line each row starts on, and the line after the last one. A row takes one line
    plus one for each line break inside its values."""
    count = table.num_rows
    breaks: np.ndarray[Any, Any] | None = None
    for column in table.columns:
        if not _has_line_breaks(column):
            continue
        inside = pc.fill_null(pc.count_substring_regex(column, r"\r\n|\r|\n"), 0)
        found = inside.to_numpy().astype(np.int64)
        breaks = found if breaks is None else breaks + found
    if breaks is None:
        starts = np.arange(first, first + count, dtype=np.int64)
        return starts, first + count
    spans = breaks + 1
    ends = np.cumsum(spans) + first
    return ends - spans, int(ends[-1]) if count else first


def _without_empty_rows(
    table: pa.Table, starts: np.ndarray[Any, Any]
) -> tuple[pa.Table, np.ndarray[Any, Any]]:
    if table.num_columns == 0 or table.num_rows == 0:
        return table, starts
    empty = pc.is_null(table.column(0))
    for column in table.columns[1:]:
        empty = pc.and_(empty, pc.is_null(column))
    if not pc.any(empty).as_py():
        return table, starts
    keep = pc.invert(empty)
    return table.filter(keep), starts[keep.to_numpy(zero_copy_only=False)]


def _first_bad_record(path: Path, layout: _CsvLayout, quote_char: str) -> tuple[int, int] | None:
    """The line and field count of the first row whose field count differs from the
    header's (only looked for once the fast parser has found one)."""
    expected = len(layout.columns)
    with path.open(encoding=layout.codec, errors="replace", newline="") as handle:
        for _ in range(layout.data_line - 1):
            handle.readline()
        reader = csv.reader(handle, delimiter=layout.delimiter, quotechar=quote_char)
        start = layout.data_line
        try:
            for record in reader:
                if record and len(record) != expected:
                    return start, len(record)
                start = layout.data_line + reader.line_num
        except csv.Error:
            return start, 0
    return None


def _first_undecodable(path: Path, codec: str) -> tuple[int, int] | None:
    """The offset and value of the first byte that ``codec`` cannot decode."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(READ_CHUNK)
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                return offset - len(pending) + exc.start, data[exc.start]
            if not chunk:
                return None
            offset += len(chunk)


def _line_at(path: Path, codec: str, offset: int) -> int:
    """The line (from 1) holding the byte at ``offset``."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    breaks = 0
    last = ""
    with path.open("rb") as handle:
        remaining = offset
        while remaining > 0:
            chunk = handle.read(min(READ_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            text = last + decoder.decode(chunk)
            # A "\r" at the end of a chunk may be the first half of "\r\n".
            last = text[-1:] if text.endswith("\r") else ""
            body = text[:-1] if last else text
            breaks += len(_LINE_BREAK.findall(body))
    return breaks + (1 if last else 0) + 1


def _label(codec: str) -> str:
    return _ENCODING_LABELS.get(codec, codec)


def _delimiter_name(delimiter: str) -> str:
    return "a tab" if delimiter == "\t" else f"`{delimiter}`"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:_EXCERPT_CHARS] + ("…" if len(flat) > _EXCERPT_CHARS else "")


# -- Parquet ---------------------------------------------------------------------------------


class ParquetConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    batch_size: int = 65_536

    @field_validator("batch_size")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"{value} is not allowed (expected 1 or more)")
        return value


class ParquetReader:
    """One Parquet file as a source: typed columns as stored, in batches of row groups.
    Positions are ``"dang_vien.parquet, row 12"`` (rows counted from 1)."""

    def __init__(self, path: Path, config: ParquetConfig | None = None) -> None:
        self.path = Path(path)
        self.config = config or ParquetConfig()

    def check(self) -> None:
        metadata = self._open().metadata
        logger.info(
            "Parquet source %s: %d rows in %d row groups",
            self.path,
            metadata.num_rows,
            metadata.num_row_groups,
        )

    def columns(self) -> list[str]:
        return list(self._open().schema_arrow.names)

    def read(self, since: Any = None) -> Iterator[Batch]:
        """The file's rows in batches; ``since`` is ignored (a file has no cursor)."""
        before = FileState.of(self.path)
        parquet = self._open()
        prefix = f"{self.path.name}, row "
        first = 1
        try:
            for record_batch in parquet.iter_batches(batch_size=self.config.batch_size):
                table = pa.Table.from_batches([record_batch])
                numbers = np.arange(first, first + table.num_rows, dtype=np.int64)
                first += table.num_rows
                yield Batch(table, row_positions(prefix, numbers))
        except (pa.ArrowException, OSError) as exc:
            raise_if_changed(self.path, before)
            raise SourceError(
                f"{self.path.name} is damaged after row {first - 1} ({exc}); ask for the file again"
            ) from None
        finally:
            parquet.close()
        raise_if_changed(self.path, before)
        logger.info("Parquet source %s read: %d rows", self.path, first - 1)

    def _open(self) -> pq.ParquetFile:
        head = read_head(self.path, 8)
        name = self.path.name
        if not head:
            raise SourceError(f"{name} is empty (0 bytes): it is not a Parquet file")
        if not head.startswith(b"PAR1"):
            kind = binary_kind(head)
            what = f"is {kind}, not a Parquet file" if kind else "is not a Parquet file"
            raise SourceError(
                f"{name} {what} (a Parquet file starts with PAR1); check the source's format"
            )
        try:
            return pq.ParquetFile(self.path)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
                raise open_error(self.path, exc) from None
            raise SourceError(
                f"{name} is a damaged Parquet file ({exc}); ask for it again"
            ) from None
        except pa.ArrowException as exc:
            raise SourceError(
                f"{name} is a damaged Parquet file ({exc}); ask for it again"
            ) from None
