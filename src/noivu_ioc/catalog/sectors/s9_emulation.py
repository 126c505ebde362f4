"""Sector 9 (emulation): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="emulation", number=9, label_vi="emulation", label_en="emulation", legal_basis="")
