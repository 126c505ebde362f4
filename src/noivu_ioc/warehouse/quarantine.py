"""The rows syncs rejected, as the warehouse keeps them (``_quarantine``).

Entries are never deleted: a steward corrects one (its raw values are edited and the edit
is recorded), replays it (a replay run loads it like any other row, and it becomes
``replayed``), or dismisses it with a reason. An entry whose key arrives again in a later
good row becomes ``superseded``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from noivu_ioc.errors import ConflictError, NotFoundError
from noivu_ioc.warehouse.store import Warehouse

STATUSES = ("pending", "replayed", "dismissed", "superseded")


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    source_id: int
    binding_id: int | None
    run_id: int
    entity: str
    position: str
    key_text: str | None
    raw: dict[str, str | None]
    raw_kind: str
    reasons: list[str]
    status: str
    attempts: int
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    edited_by: str | None


def _entry(row: dict[str, Any]) -> Entry:
    return Entry(
        id=int(row["id"]),
        source_id=int(row["source_id"]),
        binding_id=row["binding_id"],
        run_id=int(row["run_id"]),
        entity=row["entity"],
        position=row["position"],
        key_text=row["key_text"],
        raw=json.loads(row["raw"]),
        raw_kind=row["raw_kind"],
        reasons=json.loads(row["reasons"]),
        status=row["status"],
        attempts=int(row["attempts"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        resolved_at=row["resolved_at"],
        resolved_by=row["resolved_by"],
        edited_by=row["edited_by"],
    )


def _filters(
    source_ids: Sequence[int] | None,
    status: str | None,
    entity: str | None,
    run_id: int | None,
    search: str | None,
) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    if source_ids is not None:
        if not source_ids:
            return "FALSE", []
        parts.append(f"source_id IN ({', '.join('?' for _ in source_ids)})")
        params.extend(source_ids)
    if status:
        parts.append("status = ?")
        params.append(status)
    if entity:
        parts.append("entity = ?")
        params.append(entity)
    if run_id is not None:
        parts.append("run_id = ?")
        params.append(run_id)
    if search:
        parts.append("(position ILIKE ? OR raw ILIKE ? OR reasons ILIKE ?)")
        params.extend([f"%{search}%"] * 3)
    return (" AND ".join(parts) or "TRUE"), params


def list_entries(
    warehouse: Warehouse,
    *,
    source_ids: Sequence[int] | None = None,
    status: str | None = "pending",
    entity: str | None = None,
    run_id: int | None = None,
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Entry], int]:
    """A page of entries, newest first, and how many match in all. ``source_ids`` is the
    caller's scope: ``None`` means every source."""
    where, params = _filters(source_ids, status, entity, run_id, search)
    total = int(warehouse.scalar(f"SELECT count(*) FROM _quarantine WHERE {where}", params))
    rows = warehouse.query(
        f"SELECT * FROM _quarantine WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_entry(r) for r in rows], total


def get(warehouse: Warehouse, entry_id: int) -> Entry:
    rows = warehouse.query("SELECT * FROM _quarantine WHERE id = ?", [entry_id])
    if not rows:
        raise NotFoundError(f"there is no quarantine entry {entry_id}")
    return _entry(rows[0])


def pending_ids(
    warehouse: Warehouse, source_id: int, entry_ids: Sequence[int] | None = None
) -> list[int]:
    """The pending entries of a source (all, or those among ``entry_ids``)."""
    sql = "SELECT id FROM _quarantine WHERE source_id = ? AND status = 'pending'"
    params: list[Any] = [source_id]
    if entry_ids is not None:
        if not entry_ids:
            return []
        sql += f" AND id IN ({', '.join('?' for _ in entry_ids)})"
        params.extend(entry_ids)
    return [int(r["id"]) for r in warehouse.query(sql + " ORDER BY id", params)]


def entries(warehouse: Warehouse, entry_ids: Sequence[int]) -> list[Entry]:
    if not entry_ids:
        return []
    marks = ", ".join("?" for _ in entry_ids)
    rows = warehouse.query(
        f"SELECT * FROM _quarantine WHERE id IN ({marks}) ORDER BY id", list(entry_ids)
    )
    return [_entry(r) for r in rows]


def edit(warehouse: Warehouse, entry_id: int, values: dict[str, str | None], user: str) -> Entry:
    """Correct an entry's raw values (only the names it already has); replay loads them."""
    entry = get(warehouse, entry_id)
    if entry.status != "pending":
        raise ConflictError(
            f"quarantine entry {entry_id} is {entry.status}; only pending entries can be corrected"
        )
    unknown = sorted(set(values) - set(entry.raw))
    if unknown:
        raise NotFoundError(
            f"quarantine entry {entry_id} has no value named {', '.join(unknown)}; its "
            f"values are {', '.join(entry.raw)}"
        )
    raw = {**entry.raw, **values}
    with warehouse.write_lock:
        warehouse.execute(
            "UPDATE _quarantine SET raw = ?, edited_by = ?, updated_at = ? WHERE id = ?",
            [json.dumps(raw, ensure_ascii=False), user, _now(), entry_id],
        )
    return get(warehouse, entry_id)


def dismiss(warehouse: Warehouse, entry_ids: Sequence[int], user: str, reason: str) -> int:
    """Set pending entries aside for good (a footer line, a test row), with the reason."""
    if not entry_ids:
        return 0
    marks = ", ".join("?" for _ in entry_ids)
    now = _now()
    with warehouse.write_lock:
        changed = warehouse.execute(
            "UPDATE _quarantine SET status = 'dismissed', resolved_at = ?, resolved_by = ?, "
            "updated_at = ?, reasons = CAST(to_json(list_append("
            "from_json(reasons, '[\"VARCHAR\"]'), ?)) AS VARCHAR) "
            f"WHERE status = 'pending' AND id IN ({marks})",
            [now, user, now, f"dismissed by {user}: {reason}", *entry_ids],
        )
    return changed


def counts_by_source(warehouse: Warehouse) -> dict[int, int]:
    """Pending entries per source."""
    rows = warehouse.query(
        "SELECT source_id, count(*) AS n FROM _quarantine WHERE status = 'pending' "
        "GROUP BY source_id"
    )
    return {int(r["source_id"]): int(r["n"]) for r in rows}


def counts_by_run(warehouse: Warehouse, run_ids: Sequence[int]) -> dict[int, int]:
    if not run_ids:
        return {}
    marks = ", ".join("?" for _ in run_ids)
    rows = warehouse.query(
        f"SELECT run_id, count(*) AS n FROM _quarantine WHERE run_id IN ({marks}) GROUP BY run_id",
        list(run_ids),
    )
    return {int(r["run_id"]): int(r["n"]) for r in rows}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def add_entries(warehouse: Warehouse, source_id: int, run_id: int, rejects: pa.Table) -> int:
    """File rejected items outside a sync's commit (an MQTT listener's bad messages):
    ``rejects`` has entity, position, raw (JSON) and reasons (JSON list)."""
    if rejects.num_rows == 0:
        return 0
    now = _now()
    with warehouse.write_lock, warehouse.cursor() as cur:
        cur.register("_incoming", rejects)
        try:
            cur.execute(
                "INSERT INTO _quarantine SELECT nextval('_quarantine_id'), ?, NULL, ?, entity, "
                "position, NULL, raw, 'message', reasons, 'pending', 1, ?, ?, NULL, NULL, NULL, "
                "NULL FROM _incoming",
                [source_id, run_id, now, now],
            )
        finally:
            cur.unregister("_incoming")
    return int(rejects.num_rows)


def resolve_replayed(
    warehouse: Warehouse,
    loaded: Sequence[int],
    still: dict[int, str],
    run_id: int,
    user: str | None,
) -> None:
    """After a replay outside a sync's commit: the loaded entries become replayed, the
    others keep waiting with their new reason."""
    now = _now()
    with warehouse.write_lock:
        for entry_id in loaded:
            warehouse.execute(
                "UPDATE _quarantine SET status = 'replayed', resolved_at = ?, resolved_by = ?, "
                "resolved_run_id = ?, updated_at = ? WHERE id = ?",
                [now, user, run_id, now, entry_id],
            )
        for entry_id, reason in still.items():
            warehouse.execute(
                "UPDATE _quarantine SET reasons = ?, attempts = attempts + 1, run_id = ?, "
                "updated_at = ? WHERE id = ?",
                [json.dumps([reason], ensure_ascii=False), run_id, now, entry_id],
            )
