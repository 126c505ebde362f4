"""What the sector catalog tests share: the catalog built straight from the sector modules,
and the checks each group of sectors runs on its own entities."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from noivu_ioc.catalog import Catalog, Entity, Sector
from noivu_ioc.catalog.codelists import CODELISTS
from noivu_ioc.catalog.sectors import SECTORS


def whole_catalog() -> Catalog:
    return Catalog(SECTORS, {c.id: c for c in CODELISTS})


def codes(codelist_id: str) -> set[str]:
    return set(whole_catalog().codelist(codelist_id).values)


def entities_of(modules: Iterable[ModuleType]) -> list[Entity]:
    return [e for module in modules for e in module.SECTOR.entities]


def assert_consistent(entities: list[Entity]) -> None:
    """No catalog problem names these entities, and each id is used once in the catalog."""
    mine = {e.id for e in entities}
    problems = [p for p in whole_catalog().check() if p.split(".")[0].split(":")[0] in mine]
    assert problems == []
    everyone = [e.id for e in whole_catalog().entities]
    assert all(everyone.count(i) == 1 for i in mine)


def assert_sector_identity(sector_id: str, number: int, module: ModuleType) -> Sector:
    """The catalog's sector is the module's, numbered and grounded in Decision 708."""
    sector = whole_catalog().sector(sector_id)
    assert sector is module.SECTOR
    assert sector.number == number
    assert "708/QĐ-BNV" in sector.legal_basis
    assert all(e.sector == sector_id for e in sector.entities)
    return sector
