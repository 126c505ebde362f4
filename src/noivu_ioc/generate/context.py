"""What every sector generator receives: the scale, seeded random streams, the real
administrative units, and the keys that earlier generators produced for cross-references."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from noivu_ioc.units import admin


@dataclass(frozen=True, slots=True)
class Scale:
    name: str
    persons: int  # records of the national personnel database
    training_records: int  # participations in training courses (sector 6)
    factor: float  # multiplier for the smaller entities, 1.0 = national magnitude
    batch_rows: int = 1_000_000  # largest Arrow batch handed to the warehouse


SCALES: dict[str, Scale] = {
    "demo": Scale("demo", persons=24_000, training_records=60_000, factor=0.01),
    "province": Scale("province", persons=250_000, training_records=1_000_000, factor=0.1),
    "national": Scale("national", persons=2_500_000, training_records=10_000_000, factor=1.0),
}

# The date the demo data describes; fixed so that the same seed gives the same data
# whatever day it is generated.
REFERENCE_DATE = date(2026, 6, 30)


@dataclass
class GenContext:
    scale: Scale
    seed: int
    reference_date: date = REFERENCE_DATE
    # Keys produced by earlier generators, for later ones to reference, e.g.
    # shared["person.person_id"] -> ndarray. Keys are "entity.field".
    shared: dict[str, Any] = field(default_factory=dict)

    def rng(self, stream: str) -> np.random.Generator:
        """An independent random stream per name, stable across runs and Python versions."""
        digest = hashlib.sha256(f"{self.seed}:{stream}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    def count(self, national: int, minimum: int = 1) -> int:
        """How many rows an entity gets at this scale, from its national magnitude."""
        return max(minimum, round(national * self.scale.factor))

    @property
    def province_codes(self) -> npt.NDArray[np.str_]:
        return np.array([p.code for p in admin.provinces()])

    @property
    def commune_codes(self) -> npt.NDArray[np.str_]:
        return np.array([c.code for c in admin.communes()])

    @property
    def commune_province_codes(self) -> npt.NDArray[np.str_]:
        return np.array([c.province_code for c in admin.communes()])

    def days_before_reference(self, days: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
        """Dates ``days`` before the reference date, as datetime64[D]."""
        ref = np.datetime64(self.reference_date, "D")
        return ref - days.astype("timedelta64[D]")
