"""Sector 3 (associations): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="associations", number=3, label_vi="associations", label_en="associations", legal_basis="")
