"""The sector catalog: the nine databases of Decision 708/QĐ-BNV and the national
personnel database, described field by field, with their code lists.

``catalog()`` returns the one ``Catalog``; modules under ``sectors/`` each contribute a
``SECTOR`` and ``codelists.py`` every ``CodeList``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from noivu_ioc.catalog.model import (
    Code,
    CodeList,
    Entity,
    Field,
    FieldType,
    Sector,
    Sensitivity,
)

__all__ = [
    "Catalog",
    "Code",
    "CodeList",
    "Entity",
    "Field",
    "FieldType",
    "Sector",
    "Sensitivity",
    "catalog",
]


@dataclass(frozen=True)
class Catalog:
    sectors: tuple[Sector, ...]
    codelists: dict[str, CodeList]

    @property
    def entities(self) -> tuple[Entity, ...]:
        return tuple(e for s in self.sectors for e in s.entities)

    def entity(self, entity_id: str) -> Entity:
        for e in self.entities:
            if e.id == entity_id:
                return e
        raise KeyError(f"no entity {entity_id!r} in the catalog")

    def sector(self, sector_id: str) -> Sector:
        for s in self.sectors:
            if s.id == sector_id:
                return s
        raise KeyError(f"no sector {sector_id!r} in the catalog")

    def codelist(self, codelist_id: str) -> CodeList:
        try:
            return self.codelists[codelist_id]
        except KeyError:
            raise KeyError(f"no code list {codelist_id!r} in the catalog") from None

    def check(self) -> list[str]:
        """Return every inconsistency (unknown code list, dangling reference, bad key)."""
        problems: list[str] = []
        ids = [e.id for e in self.entities]
        for dup in {i for i in ids if ids.count(i) > 1}:
            problems.append(f"entity id {dup} is used twice")
        for e in self.entities:
            names = e.field_names
            if len(set(names)) != len(names):
                problems.append(f"{e.id}: a field name repeats")
            for k in e.key:
                if k not in names:
                    problems.append(f"{e.id}: key field {k} is not a field")
            for attr in ("unit_field", "province_field"):
                value = getattr(e, attr)
                if value is not None and value not in names:
                    problems.append(f"{e.id}: {attr} {value} is not a field")
            for f in e.fields:
                if f.codelist and f.codelist not in self.codelists:
                    problems.append(f"{e.id}.{f.name}: unknown code list {f.codelist}")
                if f.ref:
                    target, _, target_field = f.ref.partition(".")
                    try:
                        self.entity(target).field(target_field)
                    except KeyError as exc:
                        problems.append(f"{e.id}.{f.name}: bad reference {f.ref} ({exc})")
        return problems

    def as_json(self) -> dict[str, Any]:
        """The machine-readable data dictionary."""
        return {
            "sectors": [
                {
                    "id": s.id,
                    "number": s.number,
                    "label_vi": s.label_vi,
                    "label_en": s.label_en,
                    "legal_basis": s.legal_basis,
                    "entities": [
                        {
                            "id": e.id,
                            "label_vi": e.label_vi,
                            "label_en": e.label_en,
                            "description_vi": e.description_vi,
                            "description_en": e.description_en,
                            "key": list(e.key),
                            "fields": [
                                {
                                    "name": f.name,
                                    "label_vi": f.label_vi,
                                    "label_en": f.label_en,
                                    "type": f.type.value,
                                    "required": f.required,
                                    "sensitivity": f.sensitivity.value,
                                    "codelist": f.codelist,
                                    "ref": f.ref,
                                    "description": f.description,
                                }
                                for f in e.fields
                            ],
                        }
                        for e in s.entities
                    ],
                }
                for s in self.sectors
            ],
            "codelists": [
                {
                    "id": c.id,
                    "label_vi": c.label_vi,
                    "label_en": c.label_en,
                    "source": c.source,
                    "codes": [
                        {"code": x.code, "label_vi": x.label_vi, "label_en": x.label_en}
                        | ({"parent": x.parent} if x.parent else {})
                        for x in c.codes
                    ],
                }
                for c in self.codelists.values()
            ],
        }


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    from noivu_ioc.catalog.codelists import CODELISTS
    from noivu_ioc.catalog.sectors import SECTORS

    built = Catalog(sectors=SECTORS, codelists={c.id: c for c in CODELISTS})
    problems = built.check()
    if problems:
        raise RuntimeError("the sector catalog is inconsistent: " + "; ".join(problems))
    return built
