"""Sector 2 (local_government): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="local_government", number=2, label_vi="local_government", label_en="local_government", legal_basis="")
