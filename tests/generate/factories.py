"""Named factories shared by the generator tests: test scales, ``ctx.shared`` as the
organisation and personnel generators leave it, a run's batches gathered per entity, and
the check that generated tables have the catalog's shape."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from noivu_ioc.catalog import Entity, FieldType, catalog
from noivu_ioc.generate.columns import apportion
from noivu_ioc.generate.context import GenContext, Scale
from noivu_ioc.generate.sectors import personnel, s1_organisation
from noivu_ioc.units import admin

Tables = dict[str, pa.Table]

# How each catalog field type is stored, written out here rather than read from the code
# under test.
ARROW: dict[FieldType, pa.DataType] = {
    FieldType.STRING: pa.string(),
    FieldType.CODE: pa.string(),
    FieldType.INTEGER: pa.int64(),
    FieldType.DECIMAL: pa.float64(),
    FieldType.DATE: pa.date32(),
    FieldType.TIMESTAMP: pa.timestamp("us"),
    FieldType.BOOLEAN: pa.bool_(),
}

# Training participations 2017-2021 by level, and women and ethnic-minority participants
# among them (source document, first article).
PARTICIPATIONS = {"TW": 553_000, "TINH": 991_000, "XA": 659_000}
WOMEN = {"TW": 197_000, "TINH": 227_000, "XA": 157_000}
MINORITIES = {"TW": 18_700, "TINH": 73_000, "XA": 97_000}

# The demo magnitudes with a smaller batch, so that big entities come in several batches.
ORGANISATION_SCALE = Scale("test", persons=24_000, training_records=60_000, factor=0.01,
                           batch_rows=20_000)


# -- gathering a run -----------------------------------------------------------------------


def collect_with_sizes(
    batches: Iterable[tuple[str, pa.Table]],
) -> tuple[Tables, dict[str, list[int]]]:
    """A run's batches concatenated per entity, and the size of every batch."""
    parts: dict[str, list[pa.Table]] = {}
    for entity_id, table in batches:
        parts.setdefault(entity_id, []).append(table)
    tables = {k: pa.concat_tables(v) for k, v in parts.items()}
    return tables, {k: [t.num_rows for t in v] for k, v in parts.items()}


def collect(batches: Iterable[tuple[str, pa.Table]]) -> Tables:
    """A run's batches concatenated per entity."""
    return collect_with_sizes(batches)[0]


def run_organisation_and_personnel(seed: int) -> tuple[Tables, GenContext]:
    """Sector 1 and the personnel database at ``ORGANISATION_SCALE``, checking on the way
    that every batch has the entity's fields and no more rows than the scale allows."""
    ctx = GenContext(ORGANISATION_SCALE, seed)
    batches = [
        (entity_id, table)
        for generator in (s1_organisation.generate, personnel.generate)
        for entity_id, table in generator(ctx)
    ]
    for entity_id, table in batches:
        assert table.num_rows <= ORGANISATION_SCALE.batch_rows, entity_id
        assert table.column_names == list(catalog().entity(entity_id).field_names), entity_id
    return collect(batches), ctx


def column(table: pa.Table, name: str) -> npt.NDArray[Any]:
    """One column of a table as a NumPy array."""
    return np.asarray(table[name].combine_chunks().to_numpy(zero_copy_only=False))


# -- checks --------------------------------------------------------------------------------


def assert_matches_catalog(
    tables: Tables, entities: Sequence[Entity], *, codes: bool = True
) -> None:
    """Every entity's table has its fields in catalog order and Arrow types, values in every
    required field, codes from the field's code list (unless ``codes`` is false), and one
    row per key."""
    for entity in entities:
        table = tables[entity.id]
        assert table.column_names == list(entity.field_names), entity.id
        for f in entity.fields:
            where = f"{entity.id}.{f.name}"
            assert table.schema.field(f.name).type == ARROW[f.type], where
            if f.required:
                assert table[f.name].null_count == 0, where
            if codes and f.codelist:
                allowed = set(catalog().codelist(f.codelist).values)
                used = set(pc.unique(table[f.name]).drop_null().to_pylist())
                assert used <= allowed, f"{where}: {used - allowed}"
        keys = table.select(list(entity.key)).group_by(list(entity.key)).aggregate([])
        assert keys.num_rows == table.num_rows, f"{entity.id}: repeated key {entity.key}"


# -- ctx.shared as earlier generators leave it -----------------------------------------------


def synthetic_persons(n: int, seed: int = 3) -> dict[str, Any]:
    """``ctx.shared`` as the personnel generator leaves it: ``n`` persons, 16% of them civil
    servants whose levels, women and minorities have the source document's shares exactly;
    the others are public employees (mostly women) and 4% contract staff."""
    rng = np.random.default_rng(seed)
    level_counts = apportion(n, list(PARTICIPATIONS.values()))
    level = np.repeat(np.array(list(PARTICIPATIONS)), level_counts)
    sex = np.full(n, "1", dtype="<U1")
    ethnicity = np.full(n, "01", dtype="<U2")
    staff = np.full(n, "VC", dtype="<U2")
    start = 0
    for lv, count in zip(PARTICIPATIONS, level_counts.tolist(), strict=True):
        rows = start + rng.permutation(count)
        cut = count * 4 // 25
        civil, contract = rows[:cut], rows[cut : cut + count // 25]
        staff[civil] = "CC"
        staff[civil[: len(civil) // 10]] = "CB"
        staff[contract] = "HD"
        women = round(len(civil) * WOMEN[lv] / PARTICIPATIONS[lv])
        minority = round(len(civil) * MINORITIES[lv] / PARTICIPATIONS[lv])
        sex[rng.permutation(civil)[:women]] = "2"
        ethnicity[rng.permutation(civil)[:minority]] = "02"
        others = rows[cut:]
        sex[others[rng.random(len(others)) < 0.65]] = "2"
        ethnicity[others[rng.random(len(others)) < 0.08]] = "03"
        start += count

    communes = np.array([c.code for c in admin.communes()])
    commune_province = np.array([c.province_code for c in admin.communes()])
    pick = rng.integers(0, len(communes), n)
    province = commune_province[pick].astype(object)
    commune = communes[pick].astype(object)
    province[level == "TW"] = None
    commune[level != "XA"] = None
    agencies = 500
    agency_level = np.array(["TW", "TINH", "XA"])[rng.integers(0, 3, agencies)]
    agency_province = commune_province[rng.integers(0, len(communes), agencies)].astype(object)
    agency_province[agency_level == "TW"] = None
    agency_type = np.select(
        [agency_level == "TW", agency_level == "TINH"],
        [
            np.array(["BO", "VU"])[rng.integers(0, 2, agencies)],
            np.array(["UBND_TINH", "SO", "SO"])[rng.integers(0, 3, agencies)],
        ],
        "UBND_XA",
    )
    birth = np.datetime64("1966-01-01") + rng.integers(0, 365 * 38, n).astype("timedelta64[D]")
    return {
        "person.person_id": np.char.add("P", np.char.zfill(np.arange(n).astype(str), 8)),
        "person.province_code": province,
        "person.commune_code": commune,
        "person.agency_id": np.char.add("A", rng.integers(0, agencies, n).astype(str)),
        "person.level": level,
        "person.sex": sex,
        "person.ethnicity": ethnicity,
        "person.birth_date": birth,
        "person.staff_category": staff,
        "agency.agency_id": np.char.add("A", np.arange(agencies).astype(str)),
        "agency.province_code": agency_province,
        "agency.commune_code": np.full(agencies, None, dtype=object),
        "agency.level": agency_level,
        "agency.agency_type": agency_type,
    }


def synthetic_agencies_and_staff(persons: int, agencies: int, seed: int = 3) -> dict[str, Any]:
    """``ctx.shared`` as the organisation and personnel generators leave it, with staff
    who work where their agency is: central agencies and their staff have no province."""
    rng = np.random.default_rng(seed)
    communes = np.array([c.code for c in admin.communes()])
    commune_province = np.array([c.province_code for c in admin.communes()])
    level = np.array(["TW", "TINH", "XA"])[rng.choice(3, agencies, p=[0.1, 0.4, 0.5])]
    where = rng.integers(0, len(communes), agencies)
    province = commune_province[where].astype(object)
    province[level == "TW"] = None
    commune = communes[where].astype(object)
    commune[level != "XA"] = None
    agency_ids = np.char.add("A", np.arange(agencies).astype(str))
    works_in = rng.integers(0, agencies, persons)
    return {
        "agency.agency_id": agency_ids,
        "agency.province_code": province,
        "agency.commune_code": commune,
        "agency.level": level,
        "person.person_id": np.char.add("P", np.char.zfill(np.arange(persons).astype(str), 8)),
        "person.agency_id": agency_ids[works_in],
        "person.province_code": province[works_in],
        "person.commune_code": commune[works_in],
        "person.level": level[works_in],
        "person.sex": np.array(["1", "2"])[rng.integers(0, 2, persons)],
        "person.ethnicity": np.full(persons, "01"),
        "person.staff_category": np.full(persons, "CC"),
    }
