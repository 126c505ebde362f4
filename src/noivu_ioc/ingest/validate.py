"""Every mapped row checked against the catalog, column by column.

Each field's values are converted to the catalog's type in two steps. The common spelling
of a value (a code as the list writes it, an ISO or dd/mm/yyyy date, a plain number) is
converted for the whole batch in one vectorised pass, all fields at once. Only the values
that pass fails on, usually few, go through the slower alternatives: labels and local
spellings of codes, numbers with thousands separators, other date formats, pre-2025
administrative codes, province names. Messages are written for the rejected rows only, and
name the column, quote the value and say what would be valid:

    column `Ngày sinh` (birth_date): `31/02/1980` is not a date (expected dd/mm/yyyy,
    e.g. 28/02/1980)

Nothing runs per row in Python. What is checked: types, required fields and keys, code
lists, administrative units (a commune lying in the row's province too). References to other
entities (a person, an agency) are checked when the run commits, against the warehouse and
the run itself (``warehouse.merge``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
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

_TYPES: dict[FieldType, pl.DataType] = {
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
_BOOLEANS = dict.fromkeys(_TRUE, True) | dict.fromkeys(_FALSE, False)

# Tried in this order on the values the fast pass left; the first that parses wins.
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
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
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


CONVERSIONS = {
    "label": "label or spelling turned into its code",
    "legacy_code": "pre-2025 code converted to the current unit",
    "province_name": "province name turned into its code",
}


def conversion(kind: str, where: str) -> str:
    """How a run record names a kind of conversion of one field: "label|column `Giới
    tính` (sex)"; pages show it in their language, ``describe_conversion`` in English."""
    return f"{kind}|{where}"


def describe_conversion(key: str) -> str:
    kind, _, where = key.partition("|")
    return f"{where}: {CONVERSIONS.get(kind, kind)}"


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of checking one batch."""

    rows: pa.Table  # valid rows: the entity's fields, typed as the catalog says
    positions: pa.Array  # of the valid rows
    quarantine_ids: pa.Array | None  # of the valid rows, when replaying quarantine
    rejects: pa.Table  # REJECT_SCHEMA
    # What the checker changed on the way in, said so that a run record shows it:
    # {"legacy_code|column `Mã tỉnh` (province_code)": 120}, see ``conversion``.
    conversions: dict[str, int] = field(default_factory=dict)


# -- one rule per field ------------------------------------------------------------------


@dataclass
class _Rule:
    """How one field's values become the catalog's type.

    ``fast`` converts the field's text in the batch-wide pass; ``slow`` converts the
    values it left (a Series of those texts) and may say how many it converted by which
    means; ``problem`` writes the message of each value still left. ``wrong`` (optional)
    flags converted values that still cannot be right (a year 0198), and ``why`` writes
    their messages from their texts and values."""

    fast: Callable[[pl.Expr], pl.Expr]
    problem: Callable[[pl.Series], pl.Series]
    slow: Callable[[pl.Series], tuple[pl.Series, dict[str, pl.Series]]] | None = None
    wrong: Callable[[pl.Series], pl.Series] | None = None
    why: Callable[[pl.Series, pl.Series], pl.Series] | None = None
    text: Callable[[pl.Expr, pl.DataType], pl.Expr] | None = None


def _as_text(src: pl.Expr, dtype: pl.DataType) -> pl.Expr:
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
    return pl.when(text.str.len_bytes() == 0).then(None).otherwise(text)


def _messages(template: str, values: pl.Series) -> pl.Series:
    """``template`` with ``{value}`` replaced by each value, quoted."""
    before, _, after = template.partition("{value}")
    return pl.select(pl.format(f"{before}`{{}}`{after}", pl.lit(values))).to_series()


def _text_rule(where: str) -> _Rule:
    return _Rule(fast=lambda t: t, problem=lambda v: _messages(f"{where}: {{value}}", v))


def _integer_rule(where: str, dtype: pl.DataType) -> _Rule:
    def slow(values: pl.Series) -> tuple[pl.Series, dict[str, pl.Series]]:
        compact = values.str.replace_all(r"[\s\u00a0']", "")
        cleaned = (
            pl.select(
                pl.when(pl.lit(compact).str.contains(r"^[+-]?\d{1,3}(\.\d{3})+$"))
                .then(pl.lit(compact).str.replace_all(".", "", literal=True))
                .when(pl.lit(compact).str.contains(r"^[+-]?\d{1,3}(,\d{3})+$"))
                .then(pl.lit(compact).str.replace_all(",", "", literal=True))
                .when(pl.lit(compact).str.contains(r"^[+-]?\d+[.,]0+$"))
                .then(pl.lit(compact).str.replace(r"[.,]0+$", ""))
                .otherwise(pl.lit(compact))
            )
            .to_series()
            .cast(pl.Int64, strict=False)
        )
        return cleaned, {}

    if dtype.is_float() or dtype.is_decimal():
        return _Rule(
            fast=lambda t: t.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False),
            problem=lambda v: _messages(f"{where}: {{value}} is not a whole number", v),
        )
    return _Rule(
        fast=lambda t: t.cast(pl.Int64, strict=False),
        slow=slow,
        problem=lambda v: _messages(
            f"{where}: {{value}} is not a whole number (expected e.g. 1234 or 1.234)", v
        ),
    )


def _number_format(series: pl.Series, asked: str) -> str:
    """Which notation a text column of numbers uses, when the mapping leaves it to us:
    Vietnamese (1.234.567,5) if any value has a decimal comma or several dot groups."""
    if asked != "auto":
        return asked
    text = series.drop_nulls().cast(pl.Utf8).str.strip_chars()
    vi = text.str.contains(r",\d{1,2}$|,\d{4,}$|\d\.\d{3}\.\d{3}|\d\.\d{3},")
    en = text.str.contains(r"\d,\d{3}(,\d{3})*\.\d|\d,\d{3},\d{3}")
    return "vi" if bool(vi.any()) and not bool(en.any()) else "en"


def _decimal_rule(where: str, notation: str) -> _Rule:
    example = "1.234,5" if notation == "vi" else "1,234.5"

    def plain(t: pl.Expr) -> pl.Expr:
        if notation == "vi":
            return t.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        return t

    def slow(values: pl.Series) -> tuple[pl.Series, dict[str, pl.Series]]:
        compact = pl.lit(values.str.replace_all(r"[\s\u00a0']", ""))
        if notation == "vi":
            text = plain(compact)
        else:
            text = compact.str.replace_all(",", "", literal=True)
        result = pl.select(
            pl.when(text.str.contains(_NUMBER))
            .then(text)
            .otherwise(None)
            .cast(pl.Float64, strict=False)
        ).to_series()
        return result, {}

    return _Rule(
        fast=lambda t: plain(t).cast(pl.Float64, strict=False),
        slow=slow,
        problem=lambda v: _messages(
            f"{where}: {{value}} is not a number (this column is read as {example})", v
        ),
    )


def _implausible(value: pl.Series) -> pl.Series:
    return value.is_not_null() & ~value.dt.year().is_between(1900, 2100)


def _year_problem(where: str) -> Callable[[pl.Series, pl.Series], pl.Series]:
    def why(text: pl.Series, value: pl.Series) -> pl.Series:
        return pl.select(
            pl.format(
                f"{where}: `{{}}` has the year {{}}, which cannot be right (expected 1900 to 2100)",
                pl.lit(text),
                pl.lit(value.dt.year()),
            )
        ).to_series()

    return why


def _date_rule(where: str) -> _Rule:
    def slow(values: pl.Series) -> tuple[pl.Series, dict[str, pl.Series]]:
        # A date with a time part, as spreadsheets and databases often export it.
        day = pl.select(
            pl.when(pl.lit(values).str.contains(r"^\S{8,10}[ T]\d{1,2}:\d{2}"))
            .then(
                pl.lit(values)
                .str.split_exact(" ", 1)
                .struct.field("field_0")
                .str.split("T")
                .list.first()
            )
            .otherwise(pl.lit(values))
        ).to_series()
        parsed = pl.select(
            pl.coalesce([pl.lit(day).str.to_date(f, strict=False) for f in _DATE_FORMATS])
        ).to_series()
        return parsed, {}

    # The two spellings sources use most: dd/mm/yyyy as typed, ISO as exported.
    return _Rule(
        fast=lambda t: pl.coalesce(
            t.str.to_date(_DATE_FORMATS[0], strict=False),
            t.str.to_date(_DATE_FORMATS[1], strict=False),
        ),
        slow=slow,
        problem=lambda v: _messages(
            f"{where}: {{value}} is not a date (expected dd/mm/yyyy, e.g. 28/02/1980)", v
        ),
        wrong=_implausible,
        why=_year_problem(where),
    )


def _utc(expr: pl.Expr, zone: str) -> pl.Expr:
    return (
        expr.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
    )


def _timestamp_rule(where: str, zone: str) -> _Rule:
    def slow(values: pl.Series) -> tuple[pl.Series, dict[str, pl.Series]]:
        text = pl.lit(values).str.replace(r"Z$", "+00:00")
        aware = pl.coalesce(
            [
                text.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
                for f in _AWARE_FORMATS
            ]
        ).dt.replace_time_zone(None)
        naive = pl.coalesce(
            [text.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE_FORMATS]
            + [
                text.str.to_date(f, strict=False).cast(pl.Datetime("us"))
                for f in ("%Y-%m-%d", "%d/%m/%Y")
            ]
        )
        return pl.select(pl.coalesce([aware, _utc(naive, zone)])).to_series(), {}

    return _Rule(
        fast=lambda t: _utc(
            t.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"), zone
        ),
        slow=slow,
        problem=lambda v: _messages(
            f"{where}: {{value}} is not a date and time (expected e.g. 2025-03-01T08:00:00+07:00 "
            "or 01/03/2025 08:00)",
            v,
        ),
        wrong=_implausible,
        why=_year_problem(where),
    )


def _boolean_rule(where: str) -> _Rule:
    return _Rule(
        fast=lambda t: t.str.to_lowercase().replace_strict(
            _BOOLEANS, default=None, return_dtype=pl.Boolean
        ),
        problem=lambda v: _messages(
            f"{where}: {{value}} is not yes or no (expected Có/Không, x, true/false or 1/0)", v
        ),
    )


def _typed_conversion(
    target: FieldType, dtype: pl.DataType, zone: str
) -> Callable[[pl.Expr], pl.Expr] | None:
    """How a column the source already typed becomes the field's type, if it can."""
    if target is FieldType.INTEGER and dtype.is_integer():
        return lambda src: src.cast(pl.Int64)
    if target is FieldType.DECIMAL and dtype.is_numeric():
        return lambda src: src.cast(pl.Float64)
    if target is FieldType.DATE and dtype == pl.Date:
        return lambda src: src
    if target is FieldType.DATE and isinstance(dtype, pl.Datetime):
        return lambda src: src.dt.date()
    if target is FieldType.TIMESTAMP and isinstance(dtype, pl.Datetime) and dtype.time_zone:
        return lambda src: src.dt.convert_time_zone("UTC").dt.replace_time_zone(None).cast(
            pl.Datetime("us")
        )
    if target is FieldType.TIMESTAMP and isinstance(dtype, pl.Datetime):
        return lambda src: _utc(src, zone).cast(pl.Datetime("us"))
    if target is FieldType.TIMESTAMP and dtype == pl.Date:
        return lambda src: _utc(src.cast(pl.Datetime("us")), zone)
    if target is FieldType.BOOLEAN and dtype == pl.Boolean:
        return lambda src: src
    return None


def _typed_rule(f: Field, where: str, dtype: pl.DataType, zone: str) -> _Rule | None:
    """A column the source already typed (a database date, an integer): converted as it
    is, without going through text."""
    if f.type in (FieldType.STRING, FieldType.CODE) or f.ref == ADMIN_REF:
        return None
    fast = _typed_conversion(f.type, dtype, zone)
    if fast is None:
        return None
    return _Rule(
        fast=fast, problem=lambda v: _messages(f"{where}: {{value}}", v), text=lambda src, _: src
    )


# -- codes -------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _code_spellings(codelist_id: str) -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """How a code list's codes are written: exactly (the codes, zero-padded forms, labels as
    spelled) and, for the slow pass, case-folded and diacritic-free spellings when they
    are unambiguous."""
    codes = catalog().codelist(codelist_id).codes
    exact: dict[str, str] = {}
    for c in codes:
        exact[c.code] = c.code
    for c in codes:
        exact.setdefault(c.label_vi, c.code)
        exact.setdefault(c.label_en, c.code)
    digits = [c.code for c in codes if c.code.isdigit()]
    if digits and len({len(d) for d in digits}) == 1:
        for d in digits:
            exact.setdefault(str(int(d)), d)

    folded: dict[str, str] = {}
    clashes: set[str] = set()
    for spelling, code in exact.items():
        for key in {" ".join(spelling.casefold().split()), normalise(spelling)}:
            if key in folded and folded[key] != code:
                clashes.add(key)
            folded.setdefault(key, code)
    folded = {k: v for k, v in folded.items() if k not in clashes}
    return exact, folded, frozenset(c.code for c in codes)


def _list_codes(codelist: CodeList) -> str:
    shown = ", ".join(f"{c.code} {c.label_vi}" for c in codelist.codes[:CODES_SHOWN])
    more = len(codelist.codes) - CODES_SHOWN
    return shown + (f", … ({len(codelist.codes)} codes in the data dictionary)" if more > 0 else "")


def _plain(values: pl.Series) -> pl.Series:
    """Lower case, no diacritics, punctuation as spaces: "Phật giáo Hòa Hảo" ->
    "phat giao hoa hao" (as ``mapping.normalise`` writes it)."""
    return (
        values.str.to_lowercase()
        .str.replace_all("đ", "d", literal=True)
        .str.normalize("NFD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(r"[^0-9a-z]+", " ")
        .str.strip_chars()
    )


def _code_rule(codelist: CodeList, where: str, fm: mapping_.FieldMap | None) -> _Rule:
    exact, folded, _ = _code_spellings(codelist.id)
    translations = dict(fm.codes) if fm else {}
    first = {**exact, **translations}
    folded_translations = {" ".join(k.casefold().split()): v for k, v in translations.items()}

    def slow(values: pl.Series) -> tuple[pl.Series, dict[str, pl.Series]]:
        spaced = values.str.to_lowercase().str.replace_all(r"\s+", " ")
        found = pl.select(
            pl.coalesce(
                [
                    pl.lit(spaced).replace_strict(
                        folded_translations, default=None, return_dtype=pl.Utf8
                    ),
                    pl.lit(spaced).replace_strict(folded, default=None, return_dtype=pl.Utf8),
                    pl.lit(_plain(values)).replace_strict(
                        folded, default=None, return_dtype=pl.Utf8
                    ),
                ]
            )
        ).to_series()
        return found, {}

    def fast(t: pl.Expr) -> pl.Expr:
        return t.replace_strict(first, default=None, return_dtype=pl.Utf8)

    return _Rule(
        fast=fast,
        slow=slow,
        problem=lambda v: _messages(
            f"{where}: {{value}} is not a code of {codelist.label_vi} ({codelist.id}); "
            f"expected one of {_list_codes(codelist)}. If the source means one of them, "
            "translate it in the source's mapping",
            v,
        ),
    )


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
def _legacy_province_names() -> dict[str, str]:
    return {code: admin.convert_legacy(code).legacy_name for code in admin.legacy_province_codes()}


@lru_cache(maxsize=4)
def _current_codes(width: int | None) -> frozenset[str]:
    provinces = [u.code for u in admin.provinces()]
    communes = [u.code for u in admin.communes()]
    if width == 2:
        return frozenset(provinces)
    if width == 5:
        return frozenset(communes)
    return frozenset(provinces + communes)


def _admin_width(f: Field) -> int | None:
    if f.name.endswith("province_code"):
        return 2
    if f.name.endswith("commune_code"):
        return 5
    return None


def _padded(t: pl.Expr, width: int | None) -> pl.Expr:
    digits = t.str.contains(r"^\d{1,5}$")
    if width:
        return pl.when(digits & (t.str.len_bytes() < width)).then(t.str.zfill(width)).otherwise(t)
    return (
        pl.when(digits & (t.str.len_bytes() < 2))
        .then(t.str.zfill(2))
        .when(digits & (t.str.len_bytes() > 2) & (t.str.len_bytes() < 5))
        .then(t.str.zfill(5))
        .otherwise(t)
    )


def _admin_rule(f: Field, where: str, mapping: Mapping) -> _Rule:
    width = _admin_width(f)
    current = _current_codes(width)
    level = {2: "province", 5: "commune"}.get(width or 0, "administrative unit")
    expected = (
        "2 digits, e.g. 01 Hà Nội"
        if width == 2
        else "5 digits, e.g. 00004 Phường Ba Đình"
        if width == 5
        else "a province or commune code"
    )

    if mapping.admin_codes == "legacy":
        single, split = _legacy_table()
        wanted = {k: v for k, v in single.items() if width is None or len(k) == width}
        converted = conversion("legacy_code", where)

        def legacy_slow(values: pl.Series) -> tuple[pl.Series, dict[str, pl.Series]]:
            padded = pl.select(_padded(pl.lit(values), width)).to_series()
            found = padded.replace_strict(wanted, default=None, return_dtype=pl.Utf8)
            if width != 5:
                names = _plain(values).replace_strict(
                    _province_spellings(), default=None, return_dtype=pl.Utf8
                )
                found = found.fill_null(names)
            return found, {converted: found.is_not_null()}

        def legacy_problem(values: pl.Series) -> pl.Series:
            padded = pl.select(_padded(pl.lit(values), width)).to_series()
            note = padded.replace_strict(split, default=None, return_dtype=pl.Utf8)
            return pl.select(
                pl.when(pl.lit(note).is_not_null())
                .then(
                    pl.format(
                        f"{where}: pre-2025 code `{{}}`: {{}}; the IOC does not guess: correct "
                        "the row with the current code",
                        pl.lit(values),
                        pl.lit(note),
                    )
                )
                .otherwise(
                    pl.format(
                        f"{where}: `{{}}` is not an administrative unit code of before 1 July "
                        "2025 (the mapping says this source uses pre-2025 codes)",
                        pl.lit(values),
                    )
                )
            ).to_series()

        # Every value goes the legacy way: a pre-2025 code may equal a current one.
        return _Rule(
            fast=lambda t: _padded(t, width).replace_strict(
                wanted, default=None, return_dtype=pl.Utf8
            ),
            slow=legacy_slow,
            problem=legacy_problem,
        )

    names_note = conversion("province_name", where)

    def slow(values: pl.Series) -> tuple[pl.Series, dict[str, pl.Series]]:
        # Codes written without their leading zeros ("1" for "01"), then province names.
        padded = pl.select(_padded(pl.lit(values), width)).to_series()
        found = pl.select(
            pl.when(pl.lit(padded).is_in(list(current))).then(pl.lit(padded)).otherwise(None)
        ).to_series()
        if width == 5:
            return found, {}
        named = _plain(values).replace_strict(
            _province_spellings(), default=None, return_dtype=pl.Utf8
        )
        return found.fill_null(named), {names_note: found.is_null() & named.is_not_null()}

    def problem(values: pl.Series) -> pl.Series:
        padded = pl.select(_padded(pl.lit(values), width)).to_series()
        legacy = _legacy_province_names() if width == 2 else {}
        former = padded.replace_strict(legacy, default=None, return_dtype=pl.Utf8)
        return pl.select(
            pl.when(pl.lit(former).is_not_null())
            .then(
                pl.format(
                    f"{where}: `{{}}` is a province code of before 1 July 2025 ({{}}), not a "
                    "current one; correct the row, or set the mapping to pre-2025 codes if "
                    "the whole source uses them",
                    pl.lit(values),
                    pl.lit(former),
                )
            )
            .otherwise(
                pl.format(
                    f"{where}: `{{}}` is not a {level} code after 1 July 2025 (expected "
                    f"{expected}); if it is a pre-2025 code, set the mapping to pre-2025 codes",
                    pl.lit(values),
                )
            )
        ).to_series()

    def fast(t: pl.Expr) -> pl.Expr:
        return pl.when(t.is_in(list(current))).then(t).otherwise(None)

    return _Rule(fast=fast, slow=slow, problem=problem)


@lru_cache(maxsize=1)
def _commune_province() -> dict[str, str]:
    return {c.code: c.province_code for c in admin.communes()}


# -- the batch ---------------------------------------------------------------------------


def _rule(entity: Entity, f: Field, mapping: Mapping, frame: pl.DataFrame) -> _Rule:
    fm = mapping.fields.get(f.name)
    where = mapping_.describe_source(fm, f.name)
    dtype = frame.schema[f.name]
    typed = _typed_rule(f, where, dtype, mapping.local_timezone)
    if typed is not None:
        return typed
    if f.ref == ADMIN_REF:
        return _admin_rule(f, where, mapping)
    if f.type is FieldType.CODE:
        assert f.codelist is not None
        return _code_rule(catalog().codelist(f.codelist), where, fm)
    if f.type is FieldType.STRING:
        return _text_rule(where)
    if f.type is FieldType.INTEGER:
        return _integer_rule(where, dtype)
    if f.type is FieldType.DECIMAL:
        notation = _number_format(frame.get_column(f.name), mapping.number_format)
        return _decimal_rule(where, notation)
    if f.type is FieldType.DATE:
        return _date_rule(where)
    if f.type is FieldType.TIMESTAMP:
        return _timestamp_rule(where, mapping.local_timezone)
    return _boolean_rule(where)


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
    n = mapped.height
    rules = {f.name: _rule(entity, f, mapping, mapped) for f in entity.fields}

    # The fast pass, every field at once: each value as given and its conversion. Text is
    # trimmed here only for text fields; the others are trimmed in the slow pass, where
    # "  01 " ends up as everything else the fast pass could not read.
    texts = []
    values = []
    for f in entity.fields:
        src, dtype, rule = pl.col(f.name), mapped.schema[f.name], rules[f.name]
        if rule.text is not None:
            as_text = rule.text(src, dtype)
        elif f.type is FieldType.STRING or dtype != pl.Utf8:
            as_text = _as_text(src, dtype)
        else:
            as_text = pl.when(src.str.len_bytes() > 0).then(src).otherwise(None)
        texts.append(as_text.alias(f"t:{f.name}"))
        values.append(rule.fast(as_text).alias(f"v:{f.name}"))
    fast = mapped.select(texts + values)

    converted: dict[str, pl.Series] = {}
    result: dict[str, pl.Series] = {}
    problems: dict[str, pl.Series] = {}
    for f in entity.fields:
        rule = rules[f.name]
        text = fast.get_column(f"t:{f.name}")
        value = fast.get_column(f"v:{f.name}")
        given = text.is_not_null()
        left = given & value.is_null()
        if left.any() and mapped.schema[f.name] == pl.Utf8:
            # Trim what the fast pass left: blank cells are not given at all.
            index = left.arg_true()
            trimmed = text.gather(index).str.strip_chars()
            text = text.scatter(index, trimmed)
            blank = trimmed.str.len_bytes() == 0
            if blank.any():
                text = text.scatter(index.filter(blank), None)
                given = text.is_not_null()
            index, retry = index.filter(~blank), trimmed.filter(~blank)
            again = pl.select(rule.fast(pl.lit(retry))).to_series()
            value = value.scatter(index, again.cast(value.dtype))
            still = again.is_null()
            if rule.slow is not None and still.any():
                index, retry = index.filter(still), retry.filter(still)
                found, means = rule.slow(retry)
                value = value.scatter(index, found.cast(value.dtype))
                for what, mask in means.items():
                    whole = converted.get(what, pl.repeat(False, n, eager=True))
                    converted[what] = whole.scatter(index, mask)
            left = given & value.is_null()
        message = pl.repeat(None, n, dtype=pl.Utf8, eager=True).alias(f.name)
        if left.any():
            index = left.arg_true()
            message = message.scatter(index, rule.problem(text.gather(index)))
        if rule.wrong is not None and rule.why is not None:
            wrong = rule.wrong(value)
            if wrong.any():
                index = wrong.arg_true()
                message = message.scatter(index, rule.why(text.gather(index), value.gather(index)))
                value = value.set(wrong, None)
        if f.required or f.name in entity.key:
            empty = ~given & message.is_null()
            if empty.any():
                where = mapping_.describe_source(mapping.fields.get(f.name), f.name)
                message = message.set(empty, f"{where}: required ({f.label_vi}), but empty")
        result[f.name] = value.cast(_TYPES[f.type]).alias(f.name)
        problems[f.name] = message
    _place_consistency(entity, mapping, result, problems)
    _mark_labels(entity, mapping, fast, result, converted)

    bad = pl.select(
        pl.any_horizontal([pl.lit(p).is_not_null() for p in problems.values()])
    ).to_series()
    values_frame = pl.DataFrame(list(result.values()))
    good = ~bad
    conversions = {
        what: int((mask & good).sum()) for what, mask in converted.items() if (mask & good).any()
    }
    good_arrow = pa.array(good.to_numpy())
    valid = values_frame.filter(good).to_arrow()
    rejects = _rejects(
        entity,
        source,
        positions,
        values_frame,
        problems,
        bad,
        binding_id,
        raw_kind,
        quarantine_ids,
    )
    return Checked(
        valid,
        positions.filter(good_arrow),
        quarantine_ids.filter(good_arrow) if quarantine_ids is not None else None,
        rejects,
        conversions,
    )


def _place_consistency(
    entity: Entity,
    mapping: Mapping,
    values: dict[str, pl.Series],
    problems: dict[str, pl.Series],
) -> None:
    """A commune must lie in the row's province."""
    if not {"province_code", "commune_code"} <= set(entity.field_names):
        return
    if entity.field("commune_code").ref != ADMIN_REF:
        return
    commune, province = values["commune_code"], values["province_code"]
    of_commune = commune.replace_strict(_commune_province(), default=None, return_dtype=pl.Utf8)
    mismatch = (
        commune.is_not_null()
        & province.is_not_null()
        & (of_commune != province)
        & problems["commune_code"].is_null()
    )
    if not mismatch.any():
        return
    where = mapping_.describe_source(mapping.fields.get("commune_code"), "commune_code")
    index = mismatch.arg_true()
    messages = pl.select(
        pl.format(
            f"{where}: commune `{{}}` is in province {{}}, not in the row's province `{{}}`; "
            "correct one of the two",
            pl.lit(commune.gather(index)),
            pl.lit(of_commune.gather(index)),
            pl.lit(province.gather(index)),
        )
    ).to_series()
    problems["commune_code"] = problems["commune_code"].scatter(index, messages)


def _mark_labels(
    entity: Entity,
    mapping: Mapping,
    fast: pl.DataFrame,
    values: dict[str, pl.Series],
    converted: dict[str, pl.Series],
) -> None:
    """Mark the code values that came as labels or as the source's own spellings rather
    than as codes, so that the run says how many were turned into codes."""
    for f in entity.fields:
        if f.type is not FieldType.CODE or f.codelist is None:
            continue
        _, _, codes = _code_spellings(f.codelist)
        text = fast.get_column(f"t:{f.name}")
        mask = values[f.name].is_not_null() & ~text.is_in(list(codes))
        if mask.any():
            where = mapping_.describe_source(mapping.fields.get(f.name), f.name)
            converted[conversion("label", where)] = mask


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
    problems: dict[str, pl.Series],
    bad: pl.Series,
    binding_id: int,
    raw_kind: str,
    quarantine_ids: pa.Array | None,
) -> pa.Table:
    if not bad.any():
        return REJECT_SCHEMA.empty_table()
    index = bad.arg_true()
    reasons = pl.select(
        pl.concat_list([pl.lit(p.gather(index)) for p in problems.values()]).list.drop_nulls()
    ).to_series()
    source_frame = pl.from_arrow(source)
    assert isinstance(source_frame, pl.DataFrame)
    raw = source_frame.select(
        pl.struct(pl.all().gather(index).cast(pl.Utf8)).struct.json_encode().alias("raw")
    ).to_series()
    keys = (
        values.select(pl.all().gather(index))
        .select(
            pl.when(pl.all_horizontal([pl.col(k).is_not_null() for k in entity.key]))
            .then(pl.concat_str([pl.col(k).cast(pl.Utf8) for k in entity.key], separator="|"))
            .otherwise(None)
            .alias("key_text")
        )
        .to_series()
    )
    n = len(index)
    bad_arrow = pa.array(bad.to_numpy())
    return pa.table(
        {
            "binding_id": pa.array([binding_id] * n, pa.int32()),
            "entity": pa.array([entity.id] * n, pa.string()),
            "position": positions.filter(bad_arrow).cast(pa.string()),
            "key_text": keys.to_arrow().cast(pa.string()),
            "raw": raw.to_arrow().cast(pa.string()),
            "raw_kind": pa.array([raw_kind] * n, pa.string()),
            "reasons": pa.array(
                [json.dumps(r, ensure_ascii=False) for r in reasons.to_list()], pa.string()
            ),
            "qid": (
                quarantine_ids.filter(bad_arrow).cast(pa.int64())
                if quarantine_ids is not None
                else pa.nulls(n, pa.int64())
            ),
        },
        schema=REJECT_SCHEMA,
    )
