"""Record-level reads of the warehouse's datasets under the access policy: lists, search,
one record and exports.

The policy is applied in the query itself: the WHERE clause keeps the rows of the user's
scope, the SELECT list names only the fields they read in clear (masked fields are not read
from the warehouse at all), and search looks only in those fields, so that a search on a
masked value (a citizen number) cannot tell whether someone is there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from noivu_ioc.access.policy import FieldAccess, row_filter
from noivu_ioc.access.users import Principal
from noivu_ioc.catalog.model import Entity, FieldType
from noivu_ioc.errors import InvalidInputError, NotAllowedError, NotFoundError
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.warehouse.merge import key_text_sql
from noivu_ioc.warehouse.store import quote

MAX_PAGE = 500
EXPORT_BATCH = 5000
MAX_SEARCH = 100
_SEARCHED = (FieldType.STRING, FieldType.CODE)


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    rows: list[dict[str, Any]]


def plain(value: Any) -> Any:
    """A warehouse value as JSON and CSV can hold it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _columns(access: FieldAccess) -> str:
    entity = access.entity
    key = key_text_sql(entity, "r")
    readable = [f"r.{quote(name)}" for name in access.readable]
    return ", ".join([f"{key} AS _key", *readable])


def _where(
    principal: Principal, access: FieldAccess, search: str | None, province: str | None
) -> tuple[str, list[Any]]:
    entity = access.entity
    scope_sql, params = row_filter(principal, entity)
    clauses = [scope_sql]
    values: list[Any] = list(params)
    if province is not None:
        if not (province.isdigit() and len(province) == 2):
            raise InvalidInputError(
                f"province {province!r} is not a province code: give 2 digits, e.g. 01"
            )
        if entity.province_field is None:
            raise InvalidInputError(
                f"dataset {entity.id} is national (it has no province field); leave out province"
            )
        if not principal.scope.covers_province(province):
            raise NotAllowedError(
                f"province {province} is outside your scope; you can read the records of "
                "the units you answer for"
            )
        clauses.append(f"r.{quote(entity.province_field)} = ?")
        values.append(province)
    if search:
        text = search.strip()
        if len(text) > MAX_SEARCH:
            raise InvalidInputError(
                f"the search has {len(text)} characters; use at most {MAX_SEARCH}"
            )
        fields = [
            f.name for f in entity.fields if f.name in access.readable and f.type in _SEARCHED
        ]
        if fields:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern += "%"
            ors = [f"CAST(r.{quote(n)} AS VARCHAR) ILIKE ? ESCAPE '\\'" for n in fields]
            clauses.append("(" + " OR ".join(ors) + ")")
            values.extend([pattern] * len(fields))
        else:
            clauses.append("FALSE")
    return " AND ".join(f"({c})" for c in clauses), values


def _row(access: FieldAccess, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"_key": row["_key"]}
    for f in access.entity.fields:
        out[f.name] = plain(row[f.name]) if f.name in access.readable else None
    return out


def _loaded(warehouse: Warehouse, entity: Entity) -> bool:
    return warehouse.has_table(entity.id)


def list_records(
    warehouse: Warehouse,
    principal: Principal,
    access: FieldAccess,
    *,
    search: str | None = None,
    province: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """One page of the dataset's rows in scope, ordered by key."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit {limit} is out of range: give 1 to {MAX_PAGE}")
    if offset < 0:
        raise InvalidInputError(f"offset {offset} is negative: give 0 or more")
    entity = access.entity
    if not _loaded(warehouse, entity):
        return Page(0, [])
    where, params = _where(principal, access, search, province)
    table = quote(entity.id)
    total = int(warehouse.scalar(f"SELECT count(*) FROM {table} r WHERE {where}", params) or 0)
    rows = warehouse.query(
        f"SELECT {_columns(access)} FROM {table} r WHERE {where} ORDER BY _key LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return Page(total, [_row(access, r) for r in rows])


def get_record(
    warehouse: Warehouse, principal: Principal, access: FieldAccess, key: str
) -> dict[str, Any]:
    """One record by its key (values joined by ``|`` for a composite key), when it is in
    the user's scope; NotFoundError otherwise, whether or not it exists elsewhere."""
    entity = access.entity
    missing = NotFoundError(
        f"no record {key!r} of {entity.id} in your scope; check the key, or ask a user "
        "responsible for its unit"
    )
    if not _loaded(warehouse, entity) or len(key) > 255:
        raise missing
    where, params = _where(principal, access, None, None)
    rows = warehouse.query(
        f"SELECT {_columns(access)} FROM {quote(entity.id)} r "
        f"WHERE {where} AND {key_text_sql(entity, 'r')} = ? LIMIT 1",
        [*params, key],
    )
    if not rows:
        raise missing
    return _row(access, rows[0])


def exists_anywhere(warehouse: Warehouse, entity: Entity, key: str) -> bool:
    """Whether a key exists at all, for the audit of a refused read (never shown)."""
    if not _loaded(warehouse, entity):
        return False
    found = warehouse.scalar(
        f"SELECT 1 FROM {quote(entity.id)} r WHERE {key_text_sql(entity, 'r')} = ? LIMIT 1",
        [key],
    )
    return found is not None


def export_rows(
    warehouse: Warehouse,
    principal: Principal,
    access: FieldAccess,
    *,
    search: str | None = None,
    province: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every row in scope, in batches, for an export."""
    entity = access.entity
    if not _loaded(warehouse, entity):
        return
    where, params = _where(principal, access, search, province)
    offset = 0
    while True:
        rows = warehouse.query(
            f"SELECT {_columns(access)} FROM {quote(entity.id)} r WHERE {where} "
            "ORDER BY _key LIMIT ? OFFSET ?",
            [*params, EXPORT_BATCH, offset],
        )
        for row in rows:
            yield _row(access, row)
        if len(rows) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH
