"""Sector 4 (youth): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="youth", number=4, label_vi="youth", label_en="youth", legal_basis="")
