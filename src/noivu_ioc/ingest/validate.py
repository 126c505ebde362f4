"""Every mapped row checked against the catalog, column by column.

For each field the checker builds two polars expressions over the whole batch: the value
converted to the catalog's type, and the problem (a message, or null). Nothing runs per
row in Python: a batch of 100,000 rows is a handful of vectorised passes. The messages name
the column, quote the value and say what would be valid:

    column `Ngày sinh` (birth_date): `31/02/1980` is not a date (expected dd/mm/yyyy,
    e.g. 28/02/1980)

What is checked: types (text to whole numbers, decimals in Vietnamese or English notation,
dates, times, yes/no), required fields and keys, code lists (codes, or their labels, or
the source's own values translated in the mapping), administrative units (current codes,
or pre-2025 codes converted, split units refused), and a commune lying in the row's
province. References to other entities (a person, an agency) are checked when the run
commits, against the warehouse and the run itself (``warehouse.merge``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl
import pyarrow as pa

from noivu_ioc.catalog import CodeList, Entity, Field, FieldType, catalog
from noivu_ioc.ingest import mapping as mapping_
from noivu_ioc.ingest.mapping import Mapping, normalise
from noivu_ioc.units import admin
from noivu_ioc.warehouse.merge import REJECT_SCHEMA

ADMIN_REF = "admin_unit.code"
CODES_SHOWN = 8

_ARROW_TYPES: dict[FieldType, pl.DataType] = {
    FieldType.STRING: pl.Utf8(),
    FieldType.CODE: pl.Utf8(),
    FieldType.INTEGER: pl.Int64(),
    FieldType.DECIMAL: pl.Float64(),
    FieldType.DATE: pl.Date(),
    FieldType.TIMESTAMP: pl.Datetime("us"),
    FieldType.BOOLEAN: pl.Boolean(),
}

_TRUE = ("true", "1", "có", "co", "x", "yes", "y", "đúng", "dung", "t", "đ", "v")
_FALSE = ("false", "0", "không", "khong", "no", "n", "sai", "f", "k")

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d")
_AWARE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
)
_NAIVE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)

_INT_PLAIN = r"^[+-]?\d+$"
_INT_VI = r"^[+-]?\d{1,3}(\.\d{3})+$"
_INT_EN = r"^[+-]?\d{1,3}(,\d{3})+$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of checking one batch."""

    rows: pa.Table  # valid rows: the entity's fields, typed as the catalog says
    positions: pa.Array  # of the valid rows
    quarantine_ids: pa.Array | None  # of the valid rows, when replaying quarantine
    rejects: pa.Table  # REJECT_SCHEMA
    # What the checker changed on the way in, said so that a run record shows it:
    # {"province_code: pre-2025 code converted": 120, "sex: label turned into code": 40}.
    conversions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Rule:
    value: pl.Expr
    problem: pl.Expr  # message or null
    converted: dict[str, pl.Expr]  # description -> boolean expression of converted rows


def check_batch(
    entity: Entity,
    mapping: Mapping,
    source: pa.Table,
    positions: pa.Array,
    binding_id: int,
    *,
    raw_kind: str = "source",
    quarantine_ids: pa.Array | None = None,
) -> Checked:
    """Map and check one batch of source rows."""
    mapped = (
        mapping_.apply(entity, mapping, source)
        if raw_kind == "source"
        else _as_mapped(entity, source)
    )
    rules = {f.name: _rule(entity, f, mapping, mapped) for f in entity.fields}
    rules = _with_place_consistency(entity, rules, mapping, mapped)

    problem_columns = [rules[f.name].problem.alias(f"__p_{f.name}") for f in entity.fields]
    conversion_columns = [
        expr.alias(f"__c_{i}")
        for i, expr in enumerate(e for r in rules.values() for e in r.converted.values())
    ]
    conversion_names = [name for r in rules.values() for name in r.converted]
    frame = mapped.select(
        [rules[f.name].value.alias(f.name) for f in entity.fields]
        + problem_columns
        + conversion_columns
    )
    reasons = frame.select(
        pl.concat_list([pl.col(f"__p_{f.name}") for f in entity.fields])
        .list.drop_nulls()
        .alias("reasons")
    ).to_series()
    bad = reasons.list.len() > 0
    good = ~bad

    conversions: dict[str, int] = {}
    if conversion_columns:
        sums = frame.filter(good).select(
            [pl.col(f"__c_{i}").sum() for i in range(len(conversion_columns))]
        )
        for i, name in enumerate(conversion_names):
            count = int(sums.item(0, i) or 0)
            if count:
                conversions[name] = conversions.get(name, 0) + count

    values = frame.select([pl.col(f.name).cast(_ARROW_TYPES[f.type]) for f in entity.fields])
    good_arrow = pa.array(good.to_numpy())
    valid = values.filter(good).to_arrow()
    valid_positions = positions.filter(good_arrow)
    valid_qids = quarantine_ids.filter(good_arrow) if quarantine_ids is not None else None

    rejects = _rejects(
        entity, source, positions, values, reasons, bad, binding_id, raw_kind, quarantine_ids
    )
    return Checked(valid, valid_positions, valid_qids, rejects, conversions)


def _as_mapped(entity: Entity, table: pa.Table) -> pl.DataFrame:
    """Rows already named as the entity's fields (a quarantine entry filed at commit)."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.select(
        [
            pl.col(name) if name in frame.columns else pl.lit(None).alias(name)
            for name in entity.field_names
        ]
    )


def _rejects(
    entity: Entity,
    source: pa.Table,
    positions: pa.Array,
    values: pl.DataFrame,
    reasons: pl.Series,
    bad: pl.Series,
    binding_id: int,
    raw_kind: str,
    quarantine_ids: pa.Array | None,
) -> pa.Table:
    if not bad.any():
        return REJECT_SCHEMA.empty_table()
    source_frame = pl.from_arrow(source)
    assert isinstance(source_frame, pl.DataFrame)
    raw = (
        source_frame.filter(bad)
        .select(pl.struct(pl.all().cast(pl.Utf8)).struct.json_encode().alias("raw"))
        .to_series()
    )
    keys = (
        values.filter(bad)
        .select(
            pl.when(pl.all_horizontal([pl.col(k).is_not_null() for k in entity.key]))
            .then(pl.concat_str([pl.col(k).cast(pl.Utf8) for k in entity.key], separator="|"))
            .otherwise(None)
            .alias("key_text")
        )
        .to_series()
    )
    bad_list = reasons.filter(bad).to_list()
    n = len(bad_list)
    bad_arrow = pa.array(bad.to_numpy())
    return pa.table(
        {
            "binding_id": pa.array([binding_id] * n, pa.int32()),
            "entity": pa.array([entity.id] * n, pa.string()),
            "position": positions.filter(bad_arrow).cast(pa.string()),
            "key_text": keys.to_arrow().cast(pa.string()),
            "raw": raw.to_arrow().cast(pa.string()),
            "raw_kind": pa.array([raw_kind] * n, pa.string()),
            "reasons": pa.array([json.dumps(r, ensure_ascii=False) for r in bad_list], pa.string()),
            "qid": (
                quarantine_ids.filter(bad_arrow).cast(pa.int64())
                if quarantine_ids is not None
                else pa.nulls(n, pa.int64())
            ),
        },
        schema=REJECT_SCHEMA,
    )


# -- one rule per field ------------------------------------------------------------------


def _rule(entity: Entity, f: Field, mapping: Mapping, frame: pl.DataFrame) -> _Rule:
    fm = mapping.fields.get(f.name)
    where = mapping_.describe_source(fm, f.name)
    dtype = frame.schema[f.name]
    src = pl.col(f.name)

    if f.ref == ADMIN_REF:
        rule = _admin_rule(f, src, dtype, where, mapping)
    elif f.type is FieldType.CODE:
        assert f.codelist is not None
        rule = _code_rule(catalog().codelist(f.codelist), src, dtype, where, fm)
    elif f.type is FieldType.STRING:
        rule = _Rule(_text(src, dtype), pl.lit(None, pl.Utf8), {})
    elif f.type is FieldType.INTEGER:
        rule = _integer_rule(src, dtype, where)
    elif f.type is FieldType.DECIMAL:
        rule = _decimal_rule(src, dtype, where, mapping.number_format, frame.get_column(f.name))
    elif f.type is FieldType.DATE:
        rule = _date_rule(src, dtype, where)
    elif f.type is FieldType.TIMESTAMP:
        rule = _timestamp_rule(src, dtype, where, mapping.local_timezone)
    else:
        rule = _boolean_rule(src, dtype, where)

    if f.required or f.name in entity.key:
        empty = rule.value.is_null() & rule.problem.is_null()
        missing = pl.lit(f"{where}: required ({f.label_vi}), but empty")
        rule = _Rule(
            rule.value,
            pl.when(empty).then(missing).otherwise(rule.problem),
            rule.converted,
        )
    return rule


def _text(src: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Any value as trimmed text; whole floats lose their ".0"; empty text is null."""
    if dtype == pl.Utf8:
        text = src.str.strip_chars()
    elif dtype.is_float():
        text = (
            pl.when(src == src.floor())
            .then(src.cast(pl.Int64, strict=False).cast(pl.Utf8))
            .otherwise(src.cast(pl.Utf8))
        )
    elif dtype == pl.Null:
        return pl.lit(None, pl.Utf8)
    else:
        text = src.cast(pl.Utf8)
    return pl.when(text == "").then(None).otherwise(text)


def _problem(condition: pl.Expr, template: str, value: pl.Expr) -> pl.Expr:
    """A message with the offending value quoted in it, where ``condition`` holds."""
    before, _, after = template.partition("{value}")
    return pl.when(condition).then(pl.format(f"{before}`{{}}`{after}", value)).otherwise(None)


def _integer_rule(src: pl.Expr, dtype: pl.DataType, where: str) -> _Rule:
    if dtype.is_integer():
        return _Rule(src.cast(pl.Int64), pl.lit(None, pl.Utf8), {})
    if dtype.is_float() or dtype.is_decimal():
        whole = src == src.floor()
        value = pl.when(whole).then(src.cast(pl.Int64, strict=False)).otherwise(None)
        problem = _problem(
            src.is_not_null() & value.is_null(), f"{where}: {{value}} is not a whole number", src
        )
        return _Rule(value, problem, {})
    text = _text(src, dtype).str.replace_all(r"[\s\u00a0']", "")
    cleaned = (
        pl.when(text.str.contains(_INT_PLAIN))
        .then(text)
        .when(text.str.contains(_INT_VI))
        .then(text.str.replace_all(".", "", literal=True))
        .when(text.str.contains(_INT_EN))
        .then(text.str.replace_all(",", "", literal=True))
        .when(text.str.contains(r"^[+-]?\d+[.,]0+$"))
        .then(text.str.replace(r"[.,]0+$", ""))
        .otherwise(None)
    )
    value = cleaned.cast(pl.Int64, strict=False)
    problem = _problem(
        text.is_not_null() & value.is_null(),
        f"{where}: {{value}} is not a whole number (expected e.g. 1234 or 1.234)",
        text,
    )
    return _Rule(value, problem, {})


def _number_format(series: pl.Series, asked: str) -> str:
    """Which notation a text column of numbers uses, when the mapping leaves it to us:
    Vietnamese (1.234.567,5) if any value has a decimal comma or several dot groups."""
    if asked != "auto":
        return asked
    text = series.drop_nulls().cast(pl.Utf8).str.strip_chars()
    vi = text.str.contains(r",\d{1,2}$|,\d{4,}$|\d\.\d{3}\.\d{3}|\d\.\d{3},")
    en = text.str.contains(r"\d,\d{3}(,\d{3})*\.\d|\d,\d{3},\d{3}")
    return "vi" if bool(vi.any()) and not bool(en.any()) else "en"


def _decimal_rule(
    src: pl.Expr, dtype: pl.DataType, where: str, asked: str, column: pl.Series
) -> _Rule:
    if dtype.is_numeric():
        return _Rule(src.cast(pl.Float64), pl.lit(None, pl.Utf8), {})
    text = _text(src, dtype).str.replace_all(r"[\s\u00a0']", "")
    notation = _number_format(column, asked)
    if notation == "vi":
        plain = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        example = "1.234,5"
    else:
        plain = text.str.replace_all(",", "", literal=True)
        example = "1,234.5"
    value = (
        pl.when(plain.str.contains(_NUMBER))
        .then(plain)
        .otherwise(None)
        .cast(pl.Float64, strict=False)
    )
    problem = _problem(
        text.is_not_null() & value.is_null(),
        f"{where}: {{value}} is not a number (this column is read as {example})",
        text,
    )
    return _Rule(value, problem, {})


def _date_rule(src: pl.Expr, dtype: pl.DataType, where: str) -> _Rule:
    if dtype == pl.Date:
        value = src
    elif isinstance(dtype, pl.Datetime):
        value = src.dt.date()
    elif dtype == pl.Utf8 or dtype == pl.Null:
        text = _text(src, dtype)
        # A date with a midnight time, as spreadsheets and databases often export it.
        day = (
            pl.when(text.str.contains(r"^\S{8,10}[ T]\d{1,2}:\d{2}"))
            .then(text.str.split_exact(" ", 1).struct.field("field_0").str.split("T").list.first())
            .otherwise(text)
        )
        value = pl.coalesce([day.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS])
        plausible = value.dt.year().is_between(1900, 2100)
        problem = (
            pl.when(text.is_not_null() & value.is_null())
            .then(
                pl.format(
                    "{}: `{}` is not a date (expected dd/mm/yyyy, e.g. 28/02/1980)",
                    pl.lit(where),
                    text,
                )
            )
            .when(value.is_not_null() & ~plausible)
            .then(
                pl.format(
                    "{}: `{}` has the year {}, which cannot be right (expected 1900 to 2100)",
                    pl.lit(where),
                    text,
                    value.dt.year(),
                )
            )
            .otherwise(None)
        )
        return _Rule(pl.when(plausible).then(value).otherwise(None), problem, {})
    else:
        return _Rule(
            pl.lit(None, pl.Date),
            _problem(src.is_not_null(), f"{where}: {{value}} is a number, not a date", src),
            {},
        )
    return _Rule(value, pl.lit(None, pl.Utf8), {})


def _timestamp_rule(src: pl.Expr, dtype: pl.DataType, where: str, zone: str) -> _Rule:
    def local_to_utc(expr: pl.Expr) -> pl.Expr:
        return (
            expr.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .dt.replace_time_zone(None)
        )

    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone:
            value = src.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        else:
            value = local_to_utc(src)
        return _Rule(value.cast(pl.Datetime("us")), pl.lit(None, pl.Utf8), {})
    if dtype == pl.Date:
        return _Rule(local_to_utc(src.cast(pl.Datetime("us"))), pl.lit(None, pl.Utf8), {})
    if dtype != pl.Utf8 and dtype != pl.Null:
        return _Rule(
            pl.lit(None, pl.Datetime("us")),
            _problem(src.is_not_null(), f"{where}: {{value}} is a number, not a time", src),
            {},
        )
    text = _text(src, dtype).str.replace(r"Z$", "+00:00")
    aware = pl.coalesce(
        [
            text.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")
            for fmt in _AWARE_FORMATS
        ]
    ).dt.replace_time_zone(None)
    naive = pl.coalesce(
        [text.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in _NAIVE_FORMATS]
        + [
            text.str.to_date(fmt, strict=False).cast(pl.Datetime("us"))
            for fmt in ("%Y-%m-%d", "%d/%m/%Y")
        ]
    )
    value = pl.coalesce([aware, local_to_utc(naive)])
    problem = _problem(
        text.is_not_null() & value.is_null(),
        f"{where}: {{value}} is not a date and time (expected e.g. 2025-03-01T08:00:00+07:00 "
        "or 01/03/2025 08:00)",
        text,
    )
    return _Rule(value, problem, {})


def _boolean_rule(src: pl.Expr, dtype: pl.DataType, where: str) -> _Rule:
    if dtype == pl.Boolean:
        return _Rule(src, pl.lit(None, pl.Utf8), {})
    text = _text(src, dtype).str.to_lowercase()
    lookup = dict.fromkeys(_TRUE, True) | dict.fromkeys(_FALSE, False)
    value = text.replace_strict(lookup, default=None, return_dtype=pl.Boolean)
    problem = _problem(
        text.is_not_null() & value.is_null(),
        f"{where}: {{value}} is not yes or no (expected Có/Không, x, true/false or 1/0)",
        text,
    )
    return _Rule(value, problem, {})


# -- codes -------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _code_spellings(codelist_id: str) -> tuple[dict[str, str], frozenset[str]]:
    """Every spelling that stands for a code (the code, its labels, zero-padded and
    diacritic-free forms when they are unambiguous), normalised, and the codes themselves."""
    codes = catalog().codelist(codelist_id).codes
    spellings: dict[str, str] = {}
    clashes: set[str] = set()

    def add(spelling: str, code: str) -> None:
        key = spelling.casefold().strip()
        if not key:
            return
        if key in spellings and spellings[key] != code:
            clashes.add(key)
        spellings.setdefault(key, code)

    for c in codes:
        add(c.code, c.code)
    for c in codes:
        add(c.label_vi, c.code)
        add(c.label_en, c.code)
        add(normalise(c.label_vi), c.code)
    digits = [c.code for c in codes if c.code.isdigit()]
    if digits and len({len(d) for d in digits}) == 1:
        for d in digits:
            add(str(int(d)), d)
    exact = frozenset(c.code.casefold() for c in codes)
    return {k: v for k, v in spellings.items() if k not in clashes or k in exact}, frozenset(
        c.code for c in codes
    )


def _list_codes(codelist: CodeList) -> str:
    shown = ", ".join(f"{c.code} {c.label_vi}" for c in codelist.codes[:CODES_SHOWN])
    more = len(codelist.codes) - CODES_SHOWN
    return shown + (f", … ({len(codelist.codes)} codes in the data dictionary)" if more > 0 else "")


def _normalised_lookup(text: pl.Expr) -> pl.Expr:
    """Case-folded text, and the same without diacritics, for matching labels."""
    return text.str.to_lowercase().str.replace_all(r"\s+", " ")


def _code_rule(
    codelist: CodeList, src: pl.Expr, dtype: pl.DataType, where: str, fm: mapping_.FieldMap | None
) -> _Rule:
    spellings, exact = _code_spellings(codelist.id)
    text = _text(src, dtype)
    folded = _normalised_lookup(text)
    plain = (
        folded.str.replace_all("đ", "d", literal=True)
        .str.normalize("NFD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(r"[^0-9a-z]+", " ")
        .str.strip_chars()
    )
    translations = {k.casefold().strip(): v for k, v in (fm.codes if fm else {}).items()}
    translated = folded.replace_strict(translations, default=None, return_dtype=pl.Utf8)
    by_spelling = folded.replace_strict(spellings, default=None, return_dtype=pl.Utf8)
    by_plain = plain.replace_strict(spellings, default=None, return_dtype=pl.Utf8)
    value = pl.coalesce([translated, by_spelling, by_plain])
    problem = _problem(
        text.is_not_null() & value.is_null(),
        f"{where}: {{value}} is not a code of {codelist.label_vi} ({codelist.id}); expected "
        f"one of {_list_codes(codelist)}. If the source means one of them, translate it in "
        "the source's mapping",
        text,
    )
    label_used = value.is_not_null() & ~text.is_in(list(exact)) & translated.is_null()
    return _Rule(value, problem, {f"{where}: label or spelling turned into its code": label_used})


# -- administrative units -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _province_spellings() -> dict[str, str]:
    """Province names as agencies write them ("Hà Nội", "TP. Hồ Chí Minh", "tỉnh Lào Cai")
    and their codes, normalised."""
    names: dict[str, str] = {}
    for p in admin.provinces():
        for spelling in (p.name, p.short_name, f"tp {p.short_name}", f"tinh {p.short_name}"):
            names[normalise(spelling)] = p.code
    return names


@lru_cache(maxsize=1)
def _legacy_table() -> tuple[dict[str, str], dict[str, str]]:
    """Pre-2025 codes of both levels: those with one current unit, and the split ones
    with the list of their successors for the message."""
    single: dict[str, str] = {}
    split: dict[str, str] = {}
    for code in admin.legacy_province_codes() + admin.legacy_commune_codes():
        conversion = admin.convert_legacy(code)
        if conversion.is_unambiguous:
            single[code] = conversion.current[0].code
        else:
            split[code] = f"{conversion.legacy_name} was split between " + ", ".join(
                f"{u.code} {u.name}" for u in conversion.current
            )
    return single, split


@lru_cache(maxsize=1)
def _legacy_names() -> dict[str, str]:
    names = {}
    for code in admin.legacy_province_codes():
        names[code] = admin.convert_legacy(code).legacy_name
    return names


def _admin_width(f: Field) -> int | None:
    if f.name.endswith("province_code") or f.name == "province_code":
        return 2
    if f.name.endswith("commune_code"):
        return 5
    return None


def _admin_rule(f: Field, src: pl.Expr, dtype: pl.DataType, where: str, mapping: Mapping) -> _Rule:
    width = _admin_width(f)
    text = _text(src, dtype)
    digits = text.str.contains(r"^\d+$")
    if width:
        padded = (
            pl.when(digits & (text.str.len_chars() <= width))
            .then(text.str.zfill(width))
            .otherwise(text)
        )
    else:
        padded = (
            pl.when(digits & (text.str.len_chars() <= 2))
            .then(text.str.zfill(2))
            .when(digits & (text.str.len_chars() <= 5))
            .then(text.str.zfill(5))
            .otherwise(text)
        )
    current_codes = (
        [u.code for u in admin.provinces()]
        if width == 2
        else (
            [u.code for u in admin.communes()]
            if width == 5
            else [u.code for u in admin.provinces() + admin.communes()]
        )
    )
    named: pl.Expr = pl.lit(None, pl.Utf8)
    if width != 5:
        named = (
            text.str.to_lowercase()
            .str.replace_all("đ", "d", literal=True)
            .str.normalize("NFD")
            .str.replace_all(r"\p{M}", "")
            .str.replace_all(r"[^0-9a-z]+", " ")
            .str.strip_chars()
            .replace_strict(_province_spellings(), default=None, return_dtype=pl.Utf8)
        )
    is_current = padded.is_in(current_codes)
    converted: dict[str, pl.Expr] = {}

    if mapping.admin_codes == "legacy":
        single, split = _legacy_table()
        wanted = {k: v for k, v in single.items() if width is None or len(k) == width}
        legacy_value = padded.replace_strict(wanted, default=None, return_dtype=pl.Utf8)
        value = pl.coalesce([legacy_value, named])
        split_note = padded.replace_strict(split, default=None, return_dtype=pl.Utf8)
        problem = (
            pl.when(text.is_not_null() & value.is_null() & split_note.is_not_null())
            .then(
                pl.format(
                    "{}: pre-2025 code `{}`: {}; the IOC does not guess: correct the row with "
                    "the current code",
                    pl.lit(where),
                    text,
                    split_note,
                )
            )
            .when(text.is_not_null() & value.is_null())
            .then(
                pl.format(
                    "{}: `{}` is not an administrative unit code of before 1 July 2025 (the "
                    "mapping says this source uses pre-2025 codes)",
                    pl.lit(where),
                    text,
                )
            )
            .otherwise(None)
        )
        converted[f"{where}: pre-2025 code converted to the current unit"] = (
            legacy_value.is_not_null() & (legacy_value != padded)
        )
        return _Rule(value, problem, converted)

    value = pl.when(is_current).then(padded).otherwise(named)
    level = {2: "province", 5: "commune"}.get(width or 0, "administrative unit")
    legacy_codes = list(admin.legacy_province_codes()) if width == 2 else []
    problem = (
        pl.when(text.is_not_null() & value.is_null() & padded.is_in(legacy_codes))
        .then(
            pl.format(
                "{}: `{}` is a province code of before 1 July 2025 ({}), not a current one; "
                "correct the row, or set the mapping to pre-2025 codes if the whole source "
                "uses them",
                pl.lit(where),
                text,
                padded.replace_strict(_legacy_names(), default="", return_dtype=pl.Utf8),
            )
        )
        .when(text.is_not_null() & value.is_null())
        .then(
            pl.format(
                "{}: `{}` is not a {} code after 1 July 2025 (expected {}); if it is a "
                "pre-2025 code, set the mapping to pre-2025 codes",
                pl.lit(where),
                text,
                pl.lit(level),
                pl.lit(
                    "2 digits, e.g. 01 Hà Nội"
                    if width == 2
                    else "5 digits, e.g. 00004 Phường Ba Đình"
                    if width == 5
                    else "a province or commune code"
                ),
            )
        )
        .otherwise(None)
    )
    converted[f"{where}: province name turned into its code"] = ~is_current & named.is_not_null()
    return _Rule(value, problem, converted)


@lru_cache(maxsize=1)
def _commune_province() -> dict[str, str]:
    return {c.code: c.province_code for c in admin.communes()}


def _with_place_consistency(
    entity: Entity, rules: dict[str, _Rule], mapping: Mapping, frame: pl.DataFrame
) -> dict[str, _Rule]:
    """A commune must lie in the row's province."""
    names = set(entity.field_names)
    if not {"province_code", "commune_code"} <= names:
        return rules
    if entity.field("commune_code").ref != ADMIN_REF:
        return rules
    commune, province = rules["commune_code"], rules["province_code"]
    of_commune = commune.value.replace_strict(
        _commune_province(), default=None, return_dtype=pl.Utf8
    )
    where = mapping_.describe_source(mapping.fields.get("commune_code"), "commune_code")
    mismatch = (
        commune.value.is_not_null() & province.value.is_not_null() & (of_commune != province.value)
    )
    problem = (
        pl.when(commune.problem.is_not_null())
        .then(commune.problem)
        .when(mismatch)
        .then(
            pl.format(
                "{}: commune `{}` is in province {}, not in the row's province `{}`; correct "
                "one of the two",
                pl.lit(where),
                commune.value,
                of_commune,
                province.value,
            )
        )
        .otherwise(None)
    )
    return {**rules, "commune_code": _Rule(commune.value, problem, commune.converted)}


def reasons_of(table: pa.Table) -> Sequence[list[str]]:
    """The reasons of a reject table, decoded (for tests and messages)."""
    return [json.loads(r) for r in table.column("reasons").to_pylist()]
