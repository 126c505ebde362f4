"""Sector 0 (personnel): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="personnel", number=0, label_vi="personnel", label_en="personnel", legal_basis="")
