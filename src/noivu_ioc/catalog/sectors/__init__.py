"""One module per sector database: the national personnel database first, then the nine
specialised databases in the order of Decision 708/QĐ-BNV (11/9/2023)."""

from noivu_ioc.catalog.model import CodeList, Sector
from noivu_ioc.catalog.sectors import (
    personnel,
    s1_organisation,
    s2_local_government,
    s3_associations,
    s4_youth,
    s5_exams,
    s6_training,
    s7_talent,
    s8_religion,
    s9_emulation,
)

_MODULES = (
    personnel,
    s1_organisation,
    s2_local_government,
    s3_associations,
    s4_youth,
    s5_exams,
    s6_training,
    s7_talent,
    s8_religion,
    s9_emulation,
)

SECTORS: tuple[Sector, ...] = tuple(m.SECTOR for m in _MODULES)
SECTOR_CODELISTS: tuple[CodeList, ...] = tuple(c for m in _MODULES for c in m.CODELISTS)
