"""Sector 8 (religion): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="religion", number=8, label_vi="religion", label_en="religion", legal_basis="")
