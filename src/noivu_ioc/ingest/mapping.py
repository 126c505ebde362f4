"""From a source's columns to the catalog's fields.

Each binding of a source keeps a ``Mapping``: for every field of its entity, the column
it comes from (or several, the first filled one winning; or one value for every row), what
to use when the cell is empty, and translations of the source's own codes to the
catalog's (a province's local spelling of a religion, ``"Nữ"`` for sex). The steward is
offered a proposed mapping from the header names and confirms or corrects it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from noivu_ioc.catalog import Entity, FieldType, catalog
from noivu_ioc.ingest.readers.base import SourceError

# Below this similarity a header is not proposed for a field.
PROPOSAL_THRESHOLD = 0.8


class FieldMap(BaseModel):
    """Where one field's values come from."""

    model_config = ConfigDict(extra="forbid")

    column: str | None = Field(default=None, description="The source column.")
    columns: list[str] = Field(
        default=[],
        description="Several columns, the first filled one wins (e.g. a form with the date "
        "of birth under 'Nam' or under 'Nữ').",
    )
    value: str | None = Field(default=None, description="One value for every row.")
    when_present: dict[str, str] = Field(
        default={},
        description="The value is given by which column is filled, e.g. "
        "{'Ngày sinh - Nam': '1', 'Ngày sinh - Nữ': '2'} for sex.",
    )
    empty: str | None = Field(
        default=None,
        description="The value of an empty cell, e.g. 'Không' for a column "
        "that marks members with an 'x' and leaves the others blank.",
    )
    codes: dict[str, str] = Field(
        default={}, description="The source's values and the catalog codes they stand for."
    )

    @property
    def source_columns(self) -> list[str]:
        named = [self.column] if self.column else []
        return [*named, *self.columns, *self.when_present]

    @property
    def is_set(self) -> bool:
        return bool(self.source_columns) or self.value is not None


class Mapping(BaseModel):
    """How one source table becomes rows of one catalog entity."""

    model_config = ConfigDict(extra="forbid")

    fields: dict[str, FieldMap] = {}
    number_format: Literal["auto", "vi", "en"] = Field(
        default="auto",
        description="vi: 1.234.567,5; en: 1,234,567.5; auto: decided per column.",
    )
    admin_codes: Literal["current", "legacy"] = Field(
        default="current",
        description="legacy: the source still uses the province and commune codes of before "
        "1 July 2025, converted on the way in (split units go to quarantine).",
    )
    local_timezone: str = Field(
        default="Asia/Ho_Chi_Minh", description="Zone of times given without an offset."
    )

    def problems(self, entity: Entity, columns: list[str] | None = None) -> list[str]:
        """What keeps this mapping from being used; empty when it is complete."""
        found: list[str] = []
        names = set(entity.field_names)
        for name, fm in self.fields.items():
            if name not in names:
                found.append(
                    f"`{name}` is not a field of {entity.id}; its fields are "
                    + ", ".join(entity.field_names)
                )
                continue
            field = entity.field(name)
            if columns is not None:
                for column in fm.source_columns:
                    if column not in columns:
                        found.append(
                            f"{name}: column `{column}` is not in the source (its columns: "
                            + ", ".join(f"`{c}`" for c in columns)
                            + ")"
                        )
            if field.codelist and fm.codes:
                valid = set(catalog().codelist(field.codelist).values)
                for given, code in fm.codes.items():
                    if code not in valid:
                        found.append(
                            f"{name}: `{given}` is translated to `{code}`, which is not a "
                            f"code of {field.codelist}"
                        )
        for field in entity.fields:
            needed = field.required or field.name in entity.key
            chosen = self.fields.get(field.name)
            if needed and (chosen is None or not chosen.is_set):
                found.append(
                    f"{field.name} ({field.label_vi}) is required: map a column or give a "
                    "value for every row"
                )
        return found


def normalise(text: str) -> str:
    """A header or label reduced for comparison: no diacritics, no case, no punctuation
    ("Ngày\\nsinh (dd/mm/yyyy)" -> "ngay sinh dd mm yyyy")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


# Header names agencies use for a field, beyond its name and its labels.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "person_id": ("ma can bo", "ma cbccvc", "ma ho so", "so hieu can bo", "ma dinh danh"),
    "full_name": ("ho ten", "ho va ten", "ho va ten khai sinh", "ten"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "sinh ngay"),
    "birth_year": ("nam sinh",),
    "sex": ("gioi tinh", "gioi", "nam nu"),
    "citizen_id": ("cccd", "so cccd", "cmnd", "so cmnd", "can cuoc cong dan", "so dinh danh"),
    "ethnicity": ("dan toc",),
    "religion": ("ton giao",),
    "province_code": ("ma tinh", "tinh", "tinh thanh pho", "ma tinh thanh pho"),
    "commune_code": ("ma xa", "ma phuong xa", "xa phuong", "ma don vi hanh chinh cap xa"),
    "agency_id": ("ma co quan", "ma don vi", "co quan don vi", "don vi cong tac"),
    "party_member": ("dang vien",),
    "party_join_date": ("ngay vao dang",),
    "recruitment_date": ("ngay tuyen dung",),
    "grade": ("ngach", "ma ngach"),
    "title": ("chuc danh nghe nghiep", "ma chuc danh"),
    "position": ("chuc vu",),
    "education_level": ("trinh do chuyen mon", "trinh do"),
    "political_theory_level": ("ly luan chinh tri", "trinh do ly luan chinh tri"),
    "salary_coefficient": ("he so luong",),
    "salary_grade_step": ("bac luong",),
    "updated_at": ("ngay cap nhat", "cap nhat luc", "thoi gian cap nhat"),
    "status": ("trang thai", "tinh trang"),
}


@dataclass(frozen=True, slots=True)
class FieldProposal:
    field: str
    column: str | None
    score: float  # 1.0 for an exact match of a name, label or synonym


@dataclass(frozen=True, slots=True)
class Proposal:
    mapping: Mapping
    fields: tuple[FieldProposal, ...]
    unused_columns: tuple[str, ...]
    problems: tuple[str, ...]


def _names_of(entity: Entity, field_name: str) -> list[str]:
    field = entity.field(field_name)
    names = [field.name.replace("_", " "), field.label_vi, field.label_en]
    names += list(SYNONYMS.get(field.name, ()))
    return [n for n in (normalise(x) for x in names) if n]


def _similarity(header: str, names: list[str]) -> float:
    if header in names:
        return 1.0
    best = max(difflib.SequenceMatcher(None, header, n).ratio() for n in names)
    # "Ngày sinh (dd/mm/yyyy)" contains "ngay sinh": nearly as good as exact.
    if any(len(n) >= 4 and re.search(rf"\b{re.escape(n)}\b", header) for n in names):
        best = max(best, 0.9)
    # "Mã cơ sở" for "Mã cơ sở thờ tự": a shortened header.
    if len(header) >= 6 and any(re.match(rf"{re.escape(header)}\b", n) for n in names):
        best = max(best, 0.85)
    return best


def propose(entity: Entity, columns: list[str]) -> Proposal:
    """Match the source's headers to the entity's fields: each column goes to at most one
    field, the best pairs first."""
    headers = {c: normalise(c) for c in columns}
    candidates: list[tuple[float, str, str]] = []
    for field in entity.fields:
        names = _names_of(entity, field.name)
        for column, header in headers.items():
            if not header:
                continue
            score = _similarity(header, names)
            if score >= PROPOSAL_THRESHOLD:
                candidates.append((score, field.name, column))
    candidates.sort(key=lambda c: (-c[0], entity.field_names.index(c[1]), columns.index(c[2])))

    chosen: dict[str, tuple[str, float]] = {}
    used: set[str] = set()
    for score, field_name, column in candidates:
        if field_name in chosen or column in used:
            continue
        chosen[field_name] = (column, score)
        used.add(column)

    mapping = Mapping(fields={f: FieldMap(column=c) for f, (c, _) in chosen.items()})
    fields = tuple(FieldProposal(f.name, *chosen.get(f.name, (None, 0.0))) for f in entity.fields)
    return Proposal(
        mapping=mapping,
        fields=fields,
        unused_columns=tuple(c for c in columns if c not in used),
        problems=tuple(mapping.problems(entity, columns)),
    )


def apply(entity: Entity, mapping: Mapping, table: pa.Table) -> pl.DataFrame:
    """The source rows as the entity's fields (values still as the source gave them:
    text, or typed). A column the mapping names but the source lacks fails the run: the
    source changed, and guessing would load wrong data."""
    columns = table.column_names
    missing = sorted(
        {c for fm in mapping.fields.values() for c in fm.source_columns if c not in columns}
    )
    if missing:
        raise SourceError(
            "the source no longer has column(s) "
            + ", ".join(f"`{c}`" for c in missing)
            + " that the mapping uses; its columns are now "
            + ", ".join(f"`{c}`" for c in columns)
            + ". Update the mapping of this source"
        )
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.select(
        [_field_expr(entity, name, mapping.fields.get(name)) for name in entity.field_names]
    )


def _filled(column: str) -> pl.Expr:
    text = pl.col(column).cast(pl.Utf8).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(pl.col(column))


def _field_expr(entity: Entity, name: str, fm: FieldMap | None) -> pl.Expr:
    if fm is None or not fm.is_set:
        expr: pl.Expr = pl.lit(None)
    elif fm.value is not None:
        expr = pl.lit(fm.value)
    elif fm.when_present:
        pairs = list(fm.when_present.items())
        column, value = pairs[0]
        chain: Any = pl.when(_filled(column).is_not_null()).then(pl.lit(value))
        for column, value in pairs[1:]:
            chain = chain.when(_filled(column).is_not_null()).then(pl.lit(value))
        expr = chain.otherwise(None)
    else:
        sources = [c for c in ([fm.column] if fm.column else []) + fm.columns]
        if len(sources) == 1:
            # Blank cells are the checker's business; it reads each column once.
            expr = _filled(sources[0]) if fm.empty is not None else pl.col(sources[0])
        else:
            expr = pl.coalesce([_filled(c).cast(pl.Utf8) for c in sources])
    if fm is not None and fm.empty is not None:
        expr = pl.when(expr.is_null()).then(pl.lit(fm.empty)).otherwise(expr.cast(pl.Utf8))
    if entity.field(name).type is FieldType.STRING and fm is not None and fm.value is not None:
        expr = expr.cast(pl.Utf8)
    return expr.alias(name)


def describe_source(fm: FieldMap | None, field_name: str) -> str:
    """How a message names where a field's value came from."""
    if fm is None or not fm.is_set:
        return f"{field_name} (not mapped)"
    if fm.value is not None:
        return f"{field_name} (value `{fm.value}` of the mapping)"
    columns = fm.source_columns
    if len(columns) == 1:
        return f"column `{columns[0]}` ({field_name})"
    return "columns " + " / ".join(f"`{c}`" for c in columns) + f" ({field_name})"
