"""Personnel generator: keys and references, the source document's shares by level, the
retirement roadmap, related records, hand-offs and determinism."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from noivu_ioc.catalog import codelists
from noivu_ioc.catalog.sectors import personnel as cat
from noivu_ioc.catalog.sectors import s1_organisation as org_cat
from noivu_ioc.generate.context import GenContext
from noivu_ioc.generate.sectors.personnel import FEMALE_SHARE, MINORITY_SHARE, retirement_dates
from noivu_ioc.units import admin
from tests.generate.factories import (
    ORGANISATION_SCALE,
    Tables,
    assert_matches_catalog,
    column,
    run_organisation_and_personnel,
)

REF = np.datetime64("2026-06-30")
SERVING = ("DANG_CONG_TAC", "TAM_DINH_CHI")


@pytest.fixture(scope="module")
def generated() -> tuple[Tables, GenContext]:
    return run_organisation_and_personnel(seed=5)


@pytest.fixture(scope="module")
def person(generated: tuple[Tables, GenContext]) -> pa.Table:
    return generated[0]["person"]


def test_tables_match_the_catalog(generated: tuple[Tables, GenContext]) -> None:
    assert_matches_catalog(generated[0], cat.SECTOR.entities + org_cat.SECTOR.entities)


def test_one_dossier_per_person(person: pa.Table) -> None:
    assert person.num_rows == ORGANISATION_SCALE.persons
    ids = column(person, "person_id")
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 12 and i.startswith("CB") and i[2:].isdigit() for i in ids[:100])
    citizen = column(person, "citizen_id")
    assert len(set(citizen)) == len(citizen)
    assert set(map(len, citizen)) == {12}
    insurance = person.column("social_insurance_no").drop_null().to_pylist()
    assert len(set(insurance)) == len(insurance)


def test_references_and_codes(generated: tuple[Tables, GenContext], person: pa.Table) -> None:
    tables, _ = generated
    assert set(column(person, "agency_id")) <= set(column(tables["agency"], "agency_id"))
    provinces = {p.code for p in admin.provinces()}
    communes = {c.code for c in admin.communes()}
    assert set(person.column("province_code").drop_null().to_pylist()) <= provinces
    assert set(column(person, "hometown_province")) <= provinces
    assert set(person.column("commune_code").drop_null().to_pylist()) <= communes
    level = column(person, "level")
    assert person.column("province_code").filter(pa.array(level == "TW")).null_count == (
        level == "TW").sum()
    checks = {
        "sex": codelists.SEX, "ethnicity": codelists.ETHNICITY, "religion": codelists.RELIGION,
        "staff_category": codelists.STAFF_CATEGORY, "position": codelists.POSITION,
        "status": codelists.PERSONNEL_STATUS, "education_level": codelists.EDUCATION_LEVEL,
        "grade": codelists.CIVIL_SERVANT_GRADE, "title": codelists.PUBLIC_EMPLOYEE_TITLE,
        "political_theory_level": codelists.POLITICAL_THEORY_LEVEL,
        "state_management_level": codelists.STATE_MANAGEMENT_LEVEL,
        "health_status": cat.HEALTH_STATUS,
    }
    for name, codelist in checks.items():
        assert set(person.column(name).drop_null().to_pylist()) <= set(codelist.values), name


def share(person: pa.Table, level: str, category: str, name: str, wanted: set[str]) -> float:
    sel = (column(person, "level") == level) & (column(person, "staff_category") == category)
    return float(np.isin(column(person, name)[sel], list(wanted)).mean())


@pytest.mark.parametrize("level", ["TW", "TINH", "XA"])
def test_women_and_minorities_among_civil_servants(person: pa.Table, level: str) -> None:
    # drawn as exact counts per level and category, so only rounding separates them
    assert share(person, level, "CC", "sex", {"2"}) == pytest.approx(
        FEMALE_SHARE[(level, "CC")], abs=0.002)
    minorities = {c for c in codelists.ETHNICITY.values if c != "01"}
    assert share(person, level, "CC", "ethnicity", minorities) == pytest.approx(
        MINORITY_SHARE[(level, "CC")], abs=0.002)


def test_the_source_shares_in_order(person: pa.Table) -> None:
    assert share(person, "TW", "CC", "sex", {"2"}) > share(person, "TINH", "CC", "sex", {"2"})
    minorities = {c for c in codelists.ETHNICITY.values if c != "01"}
    tw, tinh, xa = (share(person, lvl, "CC", "ethnicity", minorities)
                    for lvl in ("TW", "TINH", "XA"))
    assert tw < tinh < xa


def test_public_employees_are_the_majority_and_mostly_women(person: pa.Table) -> None:
    category = column(person, "staff_category")
    assert (category == "VC").mean() > 0.7
    assert (column(person, "sex")[category == "VC"] == "2").mean() == pytest.approx(0.7,
                                                                                   abs=0.08)


def test_commune_civil_servants_per_commune(person: pa.Table) -> None:
    at_commune = (column(person, "level") == "XA") & np.isin(column(person, "staff_category"),
                                                              ("CB", "CC"))
    per_commune = at_commune.sum() / ORGANISATION_SCALE.persons * 2_500_000 / len(admin.communes())
    assert per_commune == pytest.approx(41, abs=3)


def test_mountain_provinces_have_more_minorities(person: pa.Table) -> None:
    minority = column(person, "ethnicity") != "01"
    province = np.asarray(person.column("province_code").fill_null("").to_numpy(
        zero_copy_only=False))
    mountain = np.isin(province, ("04", "11", "12", "14"))
    delta = np.isin(province, ("01", "31", "33", "82"))
    assert minority[mountain].mean() > 0.3 > 0.05 > minority[delta].mean()


def test_ages_and_retirement(person: pa.Table) -> None:
    status = column(person, "status")
    serving = np.isin(status, SERVING)
    birth = column(person, "birth_date").astype("datetime64[D]")
    age = (REF - birth).astype(np.int64) / 365.25
    assert age[serving].min() >= 22 and age[serving].max() < 62
    women = column(person, "sex") == "2"
    assert age[serving & women].max() < 57.1
    retirement = column(person, "retirement_date").astype("datetime64[D]")
    assert (retirement[serving] > REF).all()
    assert (retirement[status == "NGHI_HUU"] <= REF + np.timedelta64(1, "D")).all()
    assert 0.9 < serving.mean() < 0.99
    recruited = column(person, "recruitment_date").astype("datetime64[D]")
    assert (recruited > birth).all() and (recruited <= REF).all()


def test_retirement_roadmap() -> None:
    births = np.array(["1965-05-10", "1970-01-20", "1966-01-02", "1980-03-01", "1990-08-15"],
                      dtype="datetime64[D]")
    female = np.array([False, True, False, False, True])
    got = retirement_dates(births, female).astype(object).tolist()
    assert got == [
        date(2026, 12, 1),  # 61 years 6 months in 2026
        date(2027, 6, 1),  # 57 years 4 months in 2027
        date(2027, 11, 1),  # 61 years 9 months in 2027
        date(2042, 4, 1),  # 62 from 2028
        date(2050, 9, 1),  # 60 from 2035
    ]


def test_grades_for_civil_servants_titles_for_employees(person: pa.Table) -> None:
    category = column(person, "staff_category")
    grade, title = person.column("grade"), person.column("title")
    assert grade.filter(pa.array(category == "CC")).null_count == 0
    assert title.filter(pa.array(category == "CC")).null_count == (category == "CC").sum()
    contract = pa.array(category == "HD")
    assert grade.filter(contract).null_count == title.filter(contract).null_count == (
        category == "HD").sum()
    coefficient = column(person, "salary_coefficient")
    assert coefficient.min() >= 1.86 and coefficient.max() <= 8.0


def test_related_records(generated: tuple[Tables, GenContext], person: pa.Table) -> None:
    tables, _ = generated
    ids = set(column(person, "person_id"))
    for entity in ("family_member", "work_history", "salary_history", "appraisal",
                   "discipline", "assets_declaration"):
        table = tables[entity]
        assert table.num_rows > 0, entity
        assert set(column(table, "person_id")) <= ids, entity

    family = Counter(column(tables["family_member"], "person_id"))
    assert min(family.values()) >= 2 and max(family.values()) <= 4
    appraisals = Counter(column(tables["appraisal"], "person_id"))
    assert max(appraisals.values()) <= 5
    results = Counter(column(tables["appraisal"], "result"))
    assert results["HTTNV"] > results["HTXSNV"] > results["KHTNV"]


def test_discipline_fits_the_person(generated: tuple[Tables, GenContext], person: pa.Table) -> None:
    discipline = generated[0]["discipline"]
    who = dict(zip(column(person, "person_id"), zip(column(person, "staff_category"),
                                                     column(person, "position"), strict=True),
                   strict=True))
    for pid, form in zip(column(discipline, "person_id"), column(discipline, "form"),
                         strict=True):
        category, position = who[pid]
        if form in ("GIANG_CHUC", "CACH_CHUC"):
            assert position != "none"
        if form == "BAI_NHIEM":
            assert category == "CB"
    assert len(discipline) < 0.03 * person.num_rows


def test_shared_keys_follow_the_person_table(generated: tuple[Tables, GenContext],
                                             person: pa.Table) -> None:
    _, ctx = generated
    assert list(ctx.shared["person.person_id"]) == person.column("person_id").to_pylist()
    for key, name in (("person.sex", "sex"), ("person.ethnicity", "ethnicity"),
                      ("person.level", "level"), ("person.staff_category", "staff_category"),
                      ("person.agency_id", "agency_id")):
        shared = ctx.shared[key]
        assert isinstance(shared, np.ndarray) and len(shared) == person.num_rows
        assert (shared == column(person, name)).all(), key
    provinces = np.asarray(person.column("province_code").fill_null("").to_numpy(
        zero_copy_only=False))
    assert (ctx.shared["person.province_code"] == provinces).all()
    births = ctx.shared["person.birth_date"].astype("datetime64[D]")
    assert (births == column(person, "birth_date").astype("datetime64[D]")).all()


def test_same_seed_same_tables(generated: tuple[Tables, GenContext]) -> None:
    again, _ = run_organisation_and_personnel(seed=5)
    assert again.keys() == generated[0].keys()
    for entity, table in generated[0].items():
        assert again[entity].equals(table), entity
    other, _ = run_organisation_and_personnel(seed=6)
    assert not other["person"].equals(generated[0]["person"])
    assert pc.sum(pc.equal(other["person"].column("full_name"),
                           generated[0]["person"].column("full_name"))).as_py() < 2_000
