"""Sector 1 (organisation): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="organisation", number=1, label_vi="organisation", label_en="organisation", legal_basis="")
