"""Sector 6 (training): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="training", number=6, label_vi="training", label_en="training", legal_basis="")
