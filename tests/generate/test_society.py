"""Generators of sectors 3 (associations), 4 (youth), 8 (religion) and 9 (emulation):
schemas, references to real units and to persons and agencies, magnitudes, determinism."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from noivu_ioc.catalog import catalog
from noivu_ioc.generate.context import SCALES, GenContext, Scale
from noivu_ioc.generate.sectors import s3_associations, s4_youth, s8_religion, s9_emulation
from noivu_ioc.units import admin
from tests.generate.factories import (
    Tables,
    assert_matches_catalog,
    collect,
    synthetic_agencies_and_staff,
)

SECTORS = {
    "associations": s3_associations.generate,
    "youth": s4_youth.generate,
    "religion": s8_religion.generate,
    "emulation": s9_emulation.generate,
}
# Demo magnitudes, with batches small enough that emulation records come in several.
TEST_SCALE = Scale("test", persons=24_000, training_records=0, factor=0.01, batch_rows=20_000)
AGENCIES = 800


def context(seed: int = 11, scale: Scale = TEST_SCALE) -> GenContext:
    return GenContext(scale, seed, shared=synthetic_agencies_and_staff(scale.persons, AGENCIES))


def run(generator: Callable[[GenContext], Iterator[tuple[str, pa.Table]]], seed: int) -> Tables:
    return collect(generator(context(seed)))


@cache
def demo() -> Tables:
    ctx = context()
    tables: Tables = {}
    for generator in SECTORS.values():
        tables |= collect(generator(ctx))
    return tables


def values(entity: str, name: str) -> np.ndarray[Any, Any]:
    array: np.ndarray[Any, Any] = demo()[entity].column(name).to_numpy(zero_copy_only=False)
    return array


@cache
def national_religion() -> Tables:
    return collect(s8_religion.generate(GenContext(SCALES["national"], 11)))


@pytest.mark.parametrize("sector_id", sorted(SECTORS))
def test_every_entity_matches_the_catalog(sector_id: str) -> None:
    assert_matches_catalog(demo(), catalog().sector(sector_id).entities)


def test_codes_of_places_are_real() -> None:
    units = {u.code for u in admin.provinces()} | {c.code for c in admin.communes()}
    for entity in (e for s in SECTORS for e in catalog().sector(s).entities):
        for f in entity.fields:
            if f.ref == "admin_unit.code":
                used = set(pc.unique(demo()[entity.id].column(f.name)).drop_null().to_pylist())
                assert used <= units, f"{entity.id}.{f.name}"


# -- religion ----------------------------------------------------------------------------


def test_worship_places_are_in_the_province_they_claim() -> None:
    province_of = {c.code: c.province_code for c in admin.communes()}
    places = national_religion()["worship_place"]
    assert places.num_rows == 29_600
    communes = places.column("commune_code").to_pylist()
    provinces = places.column("province_code").to_pylist()
    assert all(province_of[c] == p for c, p in zip(communes, provinces, strict=True))
    ids = places.column("worship_place_id").to_pylist()
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("religion", "provinces"),
    [("02", {"37", "75"}), ("05", {"80"}), ("03", {"91"}), ("04", {"56", "91"}),
     ("13", {"56"}), ("08", {"52", "66", "11", "68"})],
)
def test_religions_live_where_they_do(religion: str, provinces: set[str]) -> None:
    places = national_religion()["worship_place"]
    mine = places.filter(pc.equal(places.column("religion"), religion))
    top = Counter(mine.column("province_code").to_pylist()).most_common(1)[0][0]
    assert top in provinces


def test_organisations_are_the_recognised_ones() -> None:
    orgs = demo()["religious_organisation"]
    assert orgs.num_rows == 43
    assert pc.count_distinct(orgs.column("religion")).as_py() == 16
    names = set(orgs.column("name").to_pylist())
    assert {"Giáo hội Phật giáo Việt Nam", "Hội thánh Cao Đài Tây Ninh",
            "Giáo hội Phật giáo Hòa Hảo", "Hội thánh Tin Lành Việt Nam (miền Nam)"} <= names


def test_dignitaries_serve_at_places_of_their_religion() -> None:
    tables = national_religion()
    places, people = tables["worship_place"], tables["dignitary"]
    assert Counter(people.column("kind").to_pylist()) == {"chuc_sac": 54_000,
                                                         "chuc_viec": 135_000}
    religion_of = dict(zip(places.column("worship_place_id").to_pylist(),
                           places.column("religion").to_pylist(), strict=True))
    rows = zip(people.column("worship_place_id").to_pylist(),
               people.column("religion").to_pylist(), strict=True)
    assert all(place is None or religion_of[place] == r for place, r in rows)
    ranks = {c.code: c.parent for c in catalog().codelist("religious_rank").codes}
    rows = zip(people.column("rank").to_pylist(), people.column("religion").to_pylist(),
               strict=True)
    assert all(ranks[rank] in (None, r) for rank, r in rows)
    orgs = set(tables["religious_organisation"].column("organisation_id").to_pylist())
    assert set(people.column("organisation_id").to_pylist()) <= orgs


def test_monks_and_nuns_have_the_right_sex_and_names() -> None:
    rank = values("dignitary", "rank")
    sex = values("dignitary", "sex")
    assert (sex[np.isin(rank, ["PG_NT", "PG_NS", "PG_SC"])] == "2").all()
    assert (sex[np.isin(rank, ["PG_HT", "CG_LM", "CG_GM"])] == "1").all()
    name = values("dignitary", "religious_name")
    nuns = name[np.isin(rank, ["PG_NS", "PG_SC"])]
    assert all(n is None or str(n).startswith("Thích nữ ") for n in nuns)


def test_complaints_follow_their_places_and_resolution() -> None:
    complaints = demo()["religious_complaint"]
    assert complaints.num_rows == context().count(9_000, minimum=20)
    places = demo()["worship_place"]
    known = set(places.column("worship_place_id").to_pylist())
    linked = set(complaints.column("worship_place_id").drop_null().to_pylist())
    assert linked <= known
    status = values("religious_complaint", "status")
    resolved = complaints.column("resolved_date")
    has_date = pc.is_valid(resolved).to_numpy(zero_copy_only=False)
    assert (has_date == (status == "DA_GIAI_QUYET")).all()
    received = complaints.column("received_date")
    assert pc.all(pc.greater_equal(resolved, received)).as_py() is not False
    assert pc.max(resolved).as_py() <= date(2026, 6, 30)


# -- associations, funds, NGOs -----------------------------------------------------------


@pytest.mark.parametrize("options", [3, 20])
def test_association_names_stay_apart_within_a_place(options: int) -> None:
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 10, 200).astype(np.int64)
    chosen = s3_associations.distinct_within(rng, groups, options)
    for g in range(10):
        picked = chosen[groups == g]
        assert len(set(picked.tolist())) == min(len(picked), options)


def test_funds_match_the_national_count() -> None:
    national = collect(s3_associations.generate(GenContext(SCALES["national"], 11)))
    assert national["fund"].num_rows == 3_081
    scope = national["fund"].column("scope").to_numpy(zero_copy_only=False)
    province = national["fund"].column("province_code")
    assert province.null_count == (scope == "TOAN_QUOC").sum()
    provincial = national["association"].filter(
        pc.equal(national["association"].column("scope"), "TINH")
    )
    names = provincial.column("name").to_pylist()
    assert len(set(names)) / len(names) > 0.95


def test_minimum_capital_of_funds() -> None:
    scope = values("fund", "scope")
    capital = values("fund", "charter_capital_vnd")
    assert (capital[scope == "TOAN_QUOC"] >= 5e9).all()
    assert (capital[scope == "TINH"] >= 1e9).all()


def test_ngo_activity_areas_match_their_count() -> None:
    ngo, areas = demo()["ngo"], demo()["ngo_activity_area"]
    counts = Counter(areas.column("ngo_id").to_pylist())
    expected = dict(zip(ngo.column("ngo_id").to_pylist(),
                        ngo.column("province_count").to_pylist(), strict=True))
    assert counts == expected
    pairs = list(zip(areas.column("ngo_id").to_pylist(),
                     areas.column("province_code").to_pylist(), strict=True))
    assert len(set(pairs)) == len(pairs)


# -- youth -------------------------------------------------------------------------------


def test_youth_statistics_national_magnitudes() -> None:
    stats = demo()["youth_statistics"]
    assert stats.num_rows == 34 * len(s4_youth.YEARS)
    for year in s4_youth.YEARS:
        rows = stats.filter(pc.equal(stats.column("year"), year))
        youth = pc.sum(rows.column("youth_total")).as_py()
        population = pc.sum(rows.column("population")).as_py()
        assert 21.5e6 < youth < 23.5e6, year
        assert 0.21 < youth / population < 0.235, year
    total = values("youth_statistics", "youth_total")
    assert (values("youth_statistics", "youth_male")
            + values("youth_statistics", "youth_female") == total).all()
    active = (values("youth_statistics", "employed") + values("youth_statistics", "unemployed")
              + values("youth_statistics", "in_training"))
    assert (active <= total).all()


def test_youth_programmes_cover_every_province() -> None:
    provinces = set(values("youth_programme", "province_code"))
    assert provinces == {p.code for p in admin.provinces()}
    assert (values("youth_programme", "end_date") >= values("youth_programme", "start_date")).all()


# -- emulation and commendation ----------------------------------------------------------


def test_awards_reference_existing_persons_and_agencies() -> None:
    shared = context().shared
    awards = demo()["award"]
    person = awards.column("person_id")
    agency = awards.column("agency_id")
    assert pc.all(pc.xor(pc.is_valid(person), pc.is_valid(agency))).as_py()
    assert set(person.drop_null().to_pylist()) <= set(shared["person.person_id"].tolist())
    assert set(agency.drop_null().to_pylist()) <= set(shared["agency.agency_id"].tolist())
    kind = values("award", "recipient_kind")
    assert ((kind == "individual") == pc.is_valid(person).to_numpy(zero_copy_only=False)).all()


def test_award_rates_per_thousand_staff() -> None:
    awards = demo()["award"]
    individual = awards.filter(pc.equal(awards.column("recipient_kind"), "individual"))
    years = (date(2026, 6, 30) - date(2021, 1, 1)).days / 365.25
    per_thousand = 1000.0 / TEST_SCALE.persons / years
    group = {c.code: c.parent for c in catalog().codelist("award_form").codes}
    by_group = Counter(group[f] for f in individual.column("award_form").to_pylist())
    assert 30 < (by_group["bang_khen"] + by_group["giay_khen"]) * per_thousand < 120
    assert by_group["huan_chuong"] * per_thousand < 1.0
    assert by_group["bang_khen"] > 10 * by_group["huan_chuong"]


def test_dossiers_close_with_their_awards() -> None:
    awards, dossiers = demo()["award"], demo()["award_dossier"]
    per_dossier = Counter(awards.column("dossier_id").drop_null().to_pylist())
    decided = dossiers.filter(pc.equal(dossiers.column("status"), "DA_QUYET_DINH"))
    expected = dict(zip(decided.column("dossier_id").to_pylist(),
                        decided.column("recipients").to_pylist(), strict=True))
    assert per_dossier == expected
    authority = values("award", "authority")
    in_dossier = pc.is_valid(awards.column("dossier_id")).to_numpy(zero_copy_only=False)
    assert (in_dossier == (authority != "CO_SO")).all()
    assert (values("award_dossier", "processing_days") >= 0).all()
    assert set(values("award_dossier", "status")) == {"DANG_XET", "DA_TRINH", "DA_QUYET_DINH",
                                                      "TRA_LAI"}


def test_awards_of_one_dossier_share_a_decision() -> None:
    awards = demo()["award"].filter(pc.is_valid(demo()["award"].column("dossier_id")))
    pairs = set(zip(awards.column("dossier_id").to_pylist(),
                    awards.column("decision_no").to_pylist(),
                    awards.column("decision_date").to_pylist(), strict=True))
    assert len(pairs) == len(set(awards.column("dossier_id").to_pylist()))


def test_emulation_titles_once_a_year_per_recipient() -> None:
    records = demo()["emulation_record"]
    years = values("emulation_record", "year")
    assert set(years) == set(s9_emulation.EMULATION_YEARS)
    person = records.column("person_id").to_pylist()
    assert len({(p, y) for p, y in zip(person, years, strict=True) if p}) == sum(
        1 for p in person if p
    )
    title = values("emulation_record", "emulation_title")
    share = (title == "LDTT").sum() / len(s9_emulation.EMULATION_YEARS) / TEST_SCALE.persons
    assert 0.5 < share < 0.6


def test_emulation_needs_persons_and_agencies() -> None:
    bare = GenContext(TEST_SCALE, 1)
    with pytest.raises(RuntimeError, match=r"agency\.agency_id"):
        list(s9_emulation.generate(bare))


# -- determinism -------------------------------------------------------------------------


@pytest.mark.parametrize("sector_id", sorted(SECTORS))
def test_same_seed_same_tables(sector_id: str) -> None:
    generator = SECTORS[sector_id]
    first, second = run(generator, 5), run(generator, 5)
    assert first.keys() == second.keys()
    for entity_id in first:
        assert first[entity_id].equals(second[entity_id]), entity_id
    other = run(generator, 6)
    assert any(not first[e].equals(other[e]) for e in first)
