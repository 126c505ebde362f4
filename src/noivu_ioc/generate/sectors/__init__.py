"""One generator per sector, in dependency order: administrative units and agencies before
the people who work in them, people before their training, awards and exams."""

from collections.abc import Callable, Iterator

import pyarrow as pa

from noivu_ioc.generate.context import GenContext
from noivu_ioc.generate.sectors import (
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

Generator = Callable[[GenContext], Iterator[tuple[str, pa.Table]]]

GENERATORS: tuple[Generator, ...] = (
    s2_local_government.generate,
    s1_organisation.generate,
    personnel.generate,
    s6_training.generate,
    s5_exams.generate,
    s7_talent.generate,
    s9_emulation.generate,
    s3_associations.generate,
    s4_youth.generate,
    s8_religion.generate,
)
