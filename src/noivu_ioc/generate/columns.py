"""Column building shared by the sector generators.

Every helper takes and returns whole columns, NumPy or Arrow arrays, never one row at a
time: tables in the catalog's shape and the scale's batch size, identifiers, text and
nullable columns, weighted draws and exact splits, ranks within groups, dates, the names
of administrative units, and the keys that earlier generators leave in ``ctx.shared``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from noivu_ioc.catalog import Entity, FieldType, catalog
from noivu_ioc.generate.context import GenContext
from noivu_ioc.units import admin

Array = npt.NDArray[Any]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

# -- tables --------------------------------------------------------------------------------

ARROW_TYPES: dict[FieldType, pa.DataType] = {
    FieldType.STRING: pa.string(),
    FieldType.CODE: pa.string(),
    FieldType.INTEGER: pa.int64(),
    FieldType.DECIMAL: pa.float64(),
    FieldType.DATE: pa.date32(),
    FieldType.TIMESTAMP: pa.timestamp("us"),
    FieldType.BOOLEAN: pa.bool_(),
}


def build_table(entity: Entity | str, columns: Mapping[str, Any]) -> pa.Table:
    """An Arrow table with exactly the entity's fields, in catalog order and Arrow types;
    ``entity`` is the catalog entity or its id."""
    if isinstance(entity, str):
        entity = catalog().entity(entity)
    missing = set(entity.field_names) - set(columns)
    extra = set(columns) - set(entity.field_names)
    if missing or extra:
        raise ValueError(
            f"{entity.id}: columns do not match the catalog (missing {sorted(missing)}, "
            f"unexpected {sorted(extra)})"
        )
    arrays = []
    for f in entity.fields:
        value = columns[f.name]
        wanted = ARROW_TYPES[f.type]
        if isinstance(value, pa.Array | pa.ChunkedArray):
            arrays.append(value if value.type == wanted else value.cast(wanted))
        else:
            arrays.append(pa.array(value, type=wanted))
    return pa.Table.from_arrays(arrays, names=list(entity.field_names))


def batches(entity_id: str, table: pa.Table, ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    """``table`` in slices of at most the scale's batch size; an empty table still gives one
    (empty) slice, so that every entity reaches the warehouse."""
    step = ctx.scale.batch_rows
    for start in range(0, max(table.num_rows, 1), step):
        yield entity_id, table.slice(start, step)


# -- identifiers and text ------------------------------------------------------------------


def string_ids(prefix: str, numbers: npt.ArrayLike, width: int) -> pa.Array:
    """``prefix`` and each number zero-padded to ``width`` digits, e.g. "KH00000001"."""
    text = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(text, width, "0"), "")


def serial_ids(prefix: str, n: int, width: int) -> pa.Array:
    """``n`` identifiers numbered from 1, as ``string_ids`` writes them."""
    return string_ids(prefix, np.arange(1, n + 1), width)


def numpy_text(values: pa.Array) -> StrArray:
    """An Arrow string array as a NumPy text array (for ``ctx.shared`` and indexing)."""
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=str)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Arrow string arrays and literal strings joined element-wise, without a separator."""
    return pc.binary_join_element_wise(*parts, "")


def take(
    values: Sequence[str] | pa.Array | pa.ChunkedArray,
    index: npt.ArrayLike,
    null: npt.ArrayLike | None = None,
) -> pa.Array:
    """``values[index]`` as an Arrow array, null where ``null`` is true: text columns are
    taken from a few distinct values instead of converting NumPy text row by row."""
    if not isinstance(values, pa.Array | pa.ChunkedArray):
        values = pa.array(list(values), pa.string())
    mask = None if null is None else np.asarray(null, dtype=bool)
    return values.take(pa.array(np.asarray(index, dtype=np.int64), mask=mask))


def nullable(values: npt.ArrayLike, null: npt.ArrayLike,
             type_: pa.DataType | None = None) -> pa.Array:
    """An Arrow array of ``values`` with nulls where ``null`` is true."""
    return pa.array(np.asarray(values), mask=np.asarray(null, dtype=bool), type=type_)


def blank_to_null(values: Any) -> pa.Array:
    """Text as an Arrow string array, with "" and None as null."""
    array = values
    if not isinstance(array, pa.Array | pa.ChunkedArray):
        array = pa.array(np.asarray(values))
    if array.type != pa.string():
        array = array.cast(pa.string())
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


# -- draws, splits and groups --------------------------------------------------------------


def choose(rng: np.random.Generator, n: int, weights: npt.ArrayLike) -> IntArray:
    """``n`` indices into ``weights``, drawn in proportion to them (they need not sum to 1)."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def pick(rng: np.random.Generator, n: int, weights: Mapping[str, float]) -> StrArray:
    """``n`` codes drawn in proportion to their weights."""
    codes = np.array(list(weights))
    picked: StrArray = codes[choose(rng, n, list(weights.values()))]
    return picked


def apportion(total: int, weights: npt.ArrayLike) -> IntArray:
    """Split ``total`` in proportion to ``weights`` by largest remainders, so that the parts
    sum to ``total`` exactly; all zero where there is nothing to split."""
    w = np.asarray(weights, dtype=np.float64)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(w.shape, dtype=np.int64)
    quota = total * w / w.sum()
    counts = np.floor(quota).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        counts[np.argsort(counts - quota, kind="stable")[:short]] += 1
    return counts


def cumcount(keys: npt.ArrayLike) -> IntArray:
    """For each element, how many earlier elements share its key (0, 1, 2, ...)."""
    keys = np.asarray(keys)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = np.arange(len(keys)) - run_start
    return out


def explode(counts: IntArray) -> tuple[IntArray, IntArray]:
    """Rows for per-owner row counts: each row's owner (position in ``counts``) and its
    number within the owner's rows, from 0."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    return owner, np.arange(len(owner)) - np.repeat(starts, counts)


def sample_within(
    rng: np.random.Generator, pool_keys: npt.ArrayLike, query_keys: npt.ArrayLike
) -> IntArray:
    """For each query key, the index of a random pool element with the same key, or -1
    where the pool has none."""
    pool = np.asarray(pool_keys).astype(str)
    query = np.asarray(query_keys).astype(str)
    order = np.argsort(pool, kind="stable")
    sorted_pool = pool[order]
    first = np.searchsorted(sorted_pool, query, side="left")
    count = np.searchsorted(sorted_pool, query, side="right") - first
    chosen = first + (rng.random(len(query)) * count).astype(np.int64)
    found = count > 0
    return np.where(found, order[np.where(found, chosen, 0)] if len(order) else -1, -1).astype(
        np.int64
    )


def lookup(mapping: Mapping[str, Any], keys: npt.ArrayLike) -> Array:
    """``mapping[key]`` for every key, one dictionary look-up per distinct key."""
    unique, inverse = np.unique(np.asarray(keys).astype(str), return_inverse=True)
    values: Array = np.array([mapping[str(k)] for k in unique])
    return values[inverse] if len(unique) else np.array([])


# -- dates ---------------------------------------------------------------------------------


def year_of(dates: npt.ArrayLike) -> IntArray:
    """The calendar year of each date; 0 where the date is unknown (NaT)."""
    days = np.asarray(dates, dtype="datetime64[D]")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    return np.where(np.isnat(days), 0, years).astype(np.int64)


def year_start(years: npt.ArrayLike) -> Array:
    """1 January of each year, as datetime64[D]."""
    return (np.asarray(years) - 1970).astype("datetime64[Y]").astype("datetime64[D]")


def dates_between(rng: np.random.Generator, start: date, end: date, n: int) -> Array:
    """``n`` dates drawn uniformly from ``start`` to ``end``, both included."""
    first = np.datetime64(start, "D")
    span = (np.datetime64(end, "D") - first).astype(np.int64) + 1
    return first + rng.integers(0, span, size=n).astype("timedelta64[D]")


# -- names of administrative units ---------------------------------------------------------


def inline_name(name: str) -> str:
    """A unit's name as it reads inside a longer one: 'Tỉnh Cao Bằng' -> 'tỉnh Cao Bằng'."""
    return name[:1].lower() + name[1:]


def unit_phrase(codes: npt.ArrayLike) -> StrArray:
    """Each unit's name as it reads inside a longer one ("tỉnh Thanh Hóa", "phường Ba
    Đình"), one look-up per distinct code."""
    unique, inverse = np.unique(np.asarray(codes).astype(str), return_inverse=True)
    phrases: StrArray = np.array([inline_name(admin.unit(str(c)).name) for c in unique],
                                 dtype=str)
    return phrases[inverse]


def short_names(codes: npt.ArrayLike) -> StrArray:
    """Each unit's name without its division word ("Ba Đình"), one look-up per code."""
    unique, inverse = np.unique(np.asarray(codes).astype(str), return_inverse=True)
    result: StrArray = np.array([admin.unit(str(c)).short_name for c in unique], dtype=str)
    return result[inverse]


# -- keys that earlier generators left in ctx.shared ---------------------------------------


def shared(ctx: GenContext, key: str) -> Any:
    """The column ``key`` ("entity.field") of ``ctx.shared``, with an error that says which
    generator has to run first when it is missing."""
    try:
        return ctx.shared[key]
    except KeyError:
        raise RuntimeError(
            f"ctx.shared has no {key!r}: the generator that writes it (organisation for "
            "agency.*, personnel for person.*) must run before this one"
        ) from None


def shared_strings(ctx: GenContext, key: str) -> pa.Array:
    """A shared text column as one Arrow string array, with "" and None as null."""
    array = blank_to_null(shared(ctx, key))
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def shared_codes(ctx: GenContext, key: str) -> StrArray:
    """A shared text column as NumPy text, with "" where a value is missing."""
    return np.asarray(shared_strings(ctx, key).fill_null("")).astype(str)


# Agencies that organise recruitment rounds and talent programmes: ministries at the
# centre, the provincial People's Committee in a province (agency types of sector 1).
ORGANISER_TYPES = {"TW": ("BO", "CQNB"), "TINH": ("UBND_TINH",)}


def organiser_agencies(
    ctx: GenContext, rng: np.random.Generator, level: npt.ArrayLike, province: npt.ArrayLike
) -> pa.Array:
    """For each (level, province) row, the id of an agency that could organise it: one of
    ORGANISER_TYPES where sector 1 says agency types, else any agency of that level and
    province; null where the organisation data has none."""
    query = np.char.add(np.asarray(level).astype(str), np.asarray(province).astype(str))
    ids = ctx.shared.get("agency.agency_id")
    if ids is None or len(ids) == 0:
        return pa.nulls(len(query), pa.string())
    agency_level = shared_codes(ctx, "agency.level")
    key = np.char.add(agency_level, shared_codes(ctx, "agency.province_code"))
    chosen = np.full(len(query), -1, dtype=np.int64)
    if "agency.agency_type" in ctx.shared:
        kind = np.asarray(ctx.shared["agency.agency_type"]).astype(str)
        organiser = np.zeros(len(key), dtype=bool)
        for lv, types in ORGANISER_TYPES.items():
            organiser |= (agency_level == lv) & np.isin(kind, types)
        chosen = sample_within(rng, np.where(organiser, key, ""), query)
    fallback = sample_within(rng, key, query)
    chosen = np.where(chosen >= 0, chosen, fallback)
    return take(blank_to_null(ids), np.maximum(chosen, 0), chosen < 0)
