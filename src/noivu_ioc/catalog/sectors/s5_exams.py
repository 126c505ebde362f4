"""Sector 5 (exams): entities and fields. Filled in by its owner."""

from noivu_ioc.catalog.model import CodeList, Sector

CODELISTS: tuple[CodeList, ...] = ()

SECTOR = Sector(id="exams", number=5, label_vi="exams", label_en="exams", legal_basis="")
