"""What every reader gives the sync: batches of source rows with their positions, and
errors marked terminal or transient so that the sync knows whether to retry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

import pyarrow as pa

from noivu_ioc.errors import IOCError


class SourceError(IOCError):
    """A source cannot be read. ``transient`` errors (a timeout, a refused connection, a
    server restarting) are retried with back-off; terminal ones (a wrong password, a
    missing table, a file that is not a spreadsheet) fail the run at once. The message
    names the source's problem and the fix, never a password."""

    code = "source_error"

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class Batch:
    """Rows as the source gives them (its own column names; text or typed values) and,
    for each row, where it came from: ``"danh_sach.xlsx, sheet 'Cán bộ', row 14"`` or
    ``"id=1042"``, so that a quarantined row can be found in the source."""

    table: pa.Table
    positions: pa.Array  # string, one per row
    # The largest value of the source's cursor column in this batch, for incremental syncs.
    cursor: Any = None
    # What the reader skipped that is not data (a title block, a signature footer, a
    # row of column numbers), said so that the run record shows it: nothing is dropped
    # without a word.
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.positions) != self.table.num_rows:
            raise ValueError("a batch needs one position per row")


class Reader(Protocol):
    """Reads one table of one source (a database table or query, a sheet of a workbook,
    a file, an API endpoint). Implementations hold no connection between calls."""

    def check(self) -> None:
        """Reach the source and raise ``SourceError`` naming the problem if it cannot be
        read (used by "test connection")."""

    def columns(self) -> list[str]:
        """The source's column names, in its order (for the proposed mapping)."""

    def read(self, since: Any = None) -> Iterator[Batch]:
        """The source's rows, in batches. With ``since`` (a value of the same type as a
        batch's ``cursor``), only rows whose cursor column is at or after it
        (incremental sync); readers without a cursor ignore it."""


# -- cursors between runs ------------------------------------------------------------------
# A cursor is kept between runs as JSON text with its type, so that the next run hands
# the reader a value of the type it produced (a datetime stays a datetime).


def encode_cursor(value: Any) -> str | None:
    """A batch's cursor as text to store; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("a boolean cannot be a cursor")
    if isinstance(value, datetime):
        return json.dumps({"type": "datetime", "value": value.isoformat()})
    if isinstance(value, date):
        return json.dumps({"type": "date", "value": value.isoformat()})
    if isinstance(value, int):
        return json.dumps({"type": "int", "value": value})
    if isinstance(value, float | Decimal):
        return json.dumps({"type": "decimal", "value": str(value)})
    if isinstance(value, str):
        return json.dumps({"type": "str", "value": value})
    raise TypeError(f"a {type(value).__name__} cannot be a cursor")


def decode_cursor(text: str | None) -> Any:
    """The stored text back to the value ``encode_cursor`` was given."""
    if text is None:
        return None
    data = json.loads(text)
    kind, value = data["type"], data["value"]
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "int":
        return int(value)
    if kind == "decimal":
        return Decimal(value)
    return str(value)


def later_cursor(a: Any, b: Any) -> Any:
    """The larger of two cursors, either of which may be ``None``."""
    if a is None:
        return b
    if b is None:
        return a
    return b if b > a else a
