"""Code lists shared across sectors. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList
from noivu_ioc.catalog.sectors import SECTOR_CODELISTS

CORE_CODELISTS: tuple[CodeList, ...] = ()

CODELISTS: tuple[CodeList, ...] = CORE_CODELISTS + SECTOR_CODELISTS
