"""The shape of the sector catalog: sectors, entities, fields and code lists.

The catalog is data, not behaviour: every other stage (generator, warehouse, validation,
indicators, access control) reads it to know what a column means and how sensitive it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    TIMESTAMP = "timestamp"
    BOOLEAN = "boolean"
    CODE = "code"  # a value from a code list (see Field.codelist)


class Sensitivity(StrEnum):
    """How a field may be shown, after Decree 13/2023/NĐ-CP on personal data protection."""

    PUBLIC = "public"  # may be published
    INTERNAL = "internal"  # for officials of the sector, not personal
    PERSONAL = "personal"  # basic personal data (dữ liệu cá nhân cơ bản), art. 2.3
    SENSITIVE = "sensitive"  # sensitive personal data (dữ liệu cá nhân nhạy cảm), art. 2.4


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    label_vi: str
    label_en: str
    parent: str | None = None  # for grouped lists, e.g. a grade's category


@dataclass(frozen=True, slots=True)
class CodeList:
    id: str
    label_vi: str
    label_en: str
    source: str  # the legal or statistical source of the codes
    codes: tuple[Code, ...]

    def __post_init__(self) -> None:
        seen = [c.code for c in self.codes]
        if len(seen) != len(set(seen)):
            raise ValueError(f"code list {self.id} repeats a code")

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)

    def label(self, code: str, lang: str = "vi") -> str:
        for c in self.codes:
            if c.code == code:
                return c.label_vi if lang == "vi" else c.label_en
        raise KeyError(f"{code!r} is not in code list {self.id}")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label_vi: str
    label_en: str
    type: FieldType
    required: bool = False
    sensitivity: Sensitivity = Sensitivity.INTERNAL
    codelist: str | None = None  # id of a CodeList, for type CODE
    ref: str | None = None  # "entity.field" this value must exist in
    description: str = ""

    def __post_init__(self) -> None:
        if (self.type is FieldType.CODE) != (self.codelist is not None):
            raise ValueError(f"field {self.name}: type code and codelist go together")


@dataclass(frozen=True, slots=True)
class Entity:
    id: str  # unique across the catalog; also the warehouse table name
    sector: str
    label_vi: str
    label_en: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    description_vi: str = ""
    description_en: str = ""
    unit_field: str | None = None  # field giving the administrative/org unit, for scoping
    province_field: str | None = None  # field giving the 2-digit province code, for scoping

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"entity {self.id} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True, slots=True)
class Sector:
    id: str
    number: int  # 1-9 as in Decision 708/QĐ-BNV; 0 for the national personnel database
    label_vi: str
    label_en: str
    legal_basis: str
    entities: tuple[Entity, ...] = field(default_factory=tuple)
