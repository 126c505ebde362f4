"""Sector 7 (talent): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="talent", number=7, label_vi="talent", label_en="talent", legal_basis="")
