"""What every reader gives the sync: batches of source rows with their positions, and
errors marked terminal or transient so that the sync knows whether to retry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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

    def __post_init__(self) -> None:
        if len(self.positions) != self.table.num_rows:
            raise ValueError("a batch needs one position per row")


class Reader(Protocol):
    """Reads one source. Implementations hold no connection between calls."""

    def check(self) -> None:
        """Reach the source and raise ``SourceError`` naming the problem if it cannot be
        read (used by "test connection")."""

    def columns(self) -> list[str]:
        """The source's column names, in its order (for the proposed mapping)."""

    def read(self, since: Any = None) -> Iterator[Batch]:
        """The source's rows, in batches. With ``since``, only rows whose cursor column is
        greater (incremental sync); readers without a cursor ignore it."""
