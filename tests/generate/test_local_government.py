"""Sector 2 generator: the real administrative units, villages, commune officials."""

from __future__ import annotations

from collections import Counter
from functools import cache

import numpy as np
import pyarrow.compute as pc

from noivu_ioc.catalog import catalog
from noivu_ioc.generate.context import SCALES, GenContext
from noivu_ioc.generate.sectors import s2_local_government as s2
from noivu_ioc.units import admin
from tests.generate.factories import Tables, assert_matches_catalog, collect


def run(seed: int = 7, scale: str = "demo") -> Tables:
    return collect(s2.generate(GenContext(SCALES[scale], seed)))


@cache
def demo() -> Tables:
    return run()


def column(entity: str, name: str) -> list[object]:
    values: list[object] = demo()[entity].column(name).to_pylist()
    return values


def test_every_entity_matches_the_catalog() -> None:
    entities = catalog().sector("local_government").entities
    assert set(demo()) == {e.id for e in entities}
    assert_matches_catalog(demo(), entities)


def test_admin_units_are_the_real_ones() -> None:
    units = demo()["admin_unit"]
    level = Counter(column("admin_unit", "level"))
    assert level == {"TINH": 34, "XA": 3321}
    codes = column("admin_unit", "code")
    assert codes == [u.code for u in admin.provinces()] + [c.code for c in admin.communes()]
    names = dict(zip(codes, column("admin_unit", "name"), strict=True))
    assert names["01"] == "Thành phố Hà Nội"
    assert names["79"] == "Thành phố Hồ Chí Minh"
    assert names["00004"] == "Phường Ba Đình"
    assert units.num_rows == len(set(codes))


def test_communes_per_province_are_real() -> None:
    rows = zip(column("admin_unit", "level"), column("admin_unit", "province_code"), strict=True)
    per_province = Counter(p for level, p in rows if level == "XA")
    assert per_province == Counter(c.province_code for c in admin.communes())
    assert per_province["01"] == len(admin.communes_of("01"))


def test_generated_population_and_area_add_up() -> None:
    level = np.array(column("admin_unit", "level"))
    province = np.array(column("admin_unit", "province_code"))
    population = np.array(column("admin_unit", "population"))
    area = np.array(column("admin_unit", "area_km2"))
    is_province = level == "TINH"
    assert 100e6 < population[is_province].sum() < 104e6
    assert 320_000 < area[is_province].sum() < 340_000
    for code in ("01", "79", "12"):
        communes = ~is_province & (province == code)
        total = population[is_province & (province == code)][0]
        assert abs(population[communes].sum() - total) <= communes.sum()
    description = catalog().entity("admin_unit").field("population").description
    assert "Generated" in description


def test_one_boundary_record_per_province() -> None:
    assert column("admin_boundary", "unit_code") == [p.code for p in admin.provinces()]


def test_villages_belong_to_real_communes() -> None:
    ctx = GenContext(SCALES["demo"], 7)
    villages = demo()["village"]
    assert villages.num_rows == ctx.count(100_000)
    province_of = {c.code: c.province_code for c in admin.communes()}
    division_of = {c.code: c.division_type for c in admin.communes()}
    rows = zip(
        column("village", "commune_code"),
        column("village", "province_code"),
        column("village", "kind"),
        column("village", "name"),
        strict=True,
    )
    labels = {c.code: c.label_vi for c in catalog().codelist("village_kind").codes}
    for commune, province, kind, name in rows:
        assert province_of[str(commune)] == province
        assert str(name).startswith(labels[str(kind)] + " ")
        if division_of[str(commune)] == "phường":
            assert kind in ("to_dan_pho", "khu_pho")
    ids = column("village", "village_id")
    assert len(set(ids)) == len(ids)


def test_commune_officials_about_41_per_commune() -> None:
    ctx = GenContext(SCALES["demo"], 7)
    officials = demo()["commune_official"]
    per_commune = officials.num_rows / len(admin.communes()) / ctx.scale.factor
    assert 40.0 <= per_commune <= 42.0
    province_of = {c.code: c.province_code for c in admin.communes()}
    pairs = zip(
        column("commune_official", "commune_code"),
        column("commune_official", "province_code"),
        strict=True,
    )
    assert all(province_of[str(c)] == p for c, p in pairs)
    posts = Counter(column("commune_official", "position"))
    assert set(posts) <= set(catalog().codelist("commune_position").values)
    assert posts["PHO_PHONG"] > posts["CT_UBND"]


def test_commune_officials_are_plausible_people() -> None:
    officials = demo()["commune_official"]
    sex = np.array(column("commune_official", "sex"))
    post = np.array(column("commune_official", "position"))
    assert (sex[post == "CT_PHU_NU"] == "2").all()
    assert 0.25 < (sex == "2").mean() < 0.55
    ethnicity = np.array(column("commune_official", "ethnicity"))
    assert 0.05 < (ethnicity != "01").mean() < 0.3
    birth = np.array(column("commune_official", "birth_year"))
    assert birth.min() >= 2026 - 60 and birth.max() <= 2026 - 24
    started = pc.year(officials.column("start_date")).to_numpy()
    assert (started - birth >= 22).all()
    kind = np.array(column("commune_official", "staff_kind"))
    assert set(kind[np.isin(post, list(s2._CAN_BO_POSTS))]) == {"can_bo"}
    assert all(len(str(n).split()) >= 2 for n in column("commune_official", "full_name"))


def test_same_seed_same_tables() -> None:
    first, second, other = run(5), run(5), run(6)
    assert first.keys() == second.keys()
    for entity_id in first:
        assert first[entity_id].equals(second[entity_id]), entity_id
    assert not first["commune_official"].equals(other["commune_official"])
    assert first["admin_unit"].column("code").equals(other["admin_unit"].column("code"))
