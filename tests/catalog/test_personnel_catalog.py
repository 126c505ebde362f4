"""Catalog of the personnel database (sector 0) and of sector 1: sensitivity, keys,
references and code lists."""

from __future__ import annotations

import pytest

from noivu_ioc.catalog import Catalog, FieldType, Sensitivity, catalog
from noivu_ioc.catalog.codelists import CORE_CODELISTS
from noivu_ioc.catalog.sectors import personnel, s1_organisation, s2_local_government

OWN_SECTORS = (personnel.SECTOR, s1_organisation.SECTOR)


def own_catalog() -> Catalog:
    """These two sectors with the shared code lists and the administrative units they
    reference (sector 2), independent of the other sectors."""
    modules = (personnel, s1_organisation, s2_local_government)
    lists = CORE_CODELISTS + tuple(c for m in modules for c in m.CODELISTS)
    return Catalog(sectors=tuple(m.SECTOR for m in modules), codelists={c.id: c for c in lists})


def test_own_sectors_are_consistent() -> None:
    assert own_catalog().check() == []


def test_full_catalog_holds_both_sectors() -> None:
    assert catalog().sector("personnel").number == 0
    assert catalog().sector("organisation").number == 1


def test_sector_labels_and_legal_basis() -> None:
    people, organisation = OWN_SECTORS
    assert people.label_vi == "Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức"
    assert organisation.label_vi == "Tổ chức bộ máy"
    for act in ("708/QĐ-BNV", "06/2023/TT-BNV", "27/2026/NĐ-CP"):
        assert act in people.legal_basis
    assert "708/QĐ-BNV" in organisation.legal_basis


@pytest.mark.parametrize(
    "name",
    ["citizen_id", "ethnicity", "religion", "party_member", "party_join_date",
     "social_insurance_no", "health_status"],
)
def test_person_sensitive_fields(name: str) -> None:
    assert personnel.PERSON.field(name).sensitivity is Sensitivity.SENSITIVE


@pytest.mark.parametrize("name", ["full_name", "birth_date", "sex"])
def test_person_basic_personal_fields(name: str) -> None:
    assert personnel.PERSON.field(name).sensitivity is Sensitivity.PERSONAL


def test_family_discipline_and_assets_are_sensitive() -> None:
    family = personnel.FAMILY_MEMBER
    for name in ("relationship", "full_name", "birth_year", "occupation"):
        assert family.field(name).sensitivity is Sensitivity.SENSITIVE
    assert personnel.DISCIPLINE.field("form").sensitivity is Sensitivity.SENSITIVE
    assets = personnel.ASSETS_DECLARATION
    for name in ("total_assets_million_vnd", "total_income_million_vnd"):
        assert assets.field(name).sensitivity is Sensitivity.SENSITIVE


def test_person_has_the_fields_the_brief_names() -> None:
    wanted = {
        "person_id", "full_name", "sex", "birth_date", "citizen_id", "ethnicity", "religion",
        "hometown_province", "agency_id", "level", "province_code", "commune_code",
        "staff_category", "grade", "title", "position", "education_level",
        "political_theory_level", "state_management_level", "party_member",
        "party_join_date", "recruitment_date", "salary_grade_step", "salary_coefficient",
        "social_insurance_no", "health_status", "status", "retirement_date", "updated_at",
    }
    assert wanted <= set(personnel.PERSON.field_names)
    assert personnel.PERSON.key == ("person_id",)
    assert personnel.PERSON.field("agency_id").ref == "agency.agency_id"


def test_every_entity_is_scoped_by_province_and_unit() -> None:
    for sector in OWN_SECTORS:
        for entity in sector.entities:
            names = entity.field_names
            if "province_code" in names:
                assert entity.province_field == "province_code", entity.id
            if "agency_id" in names:
                assert entity.unit_field == "agency_id", entity.id


def test_code_fields_name_their_list_and_keys_are_required() -> None:
    for sector in OWN_SECTORS:
        for entity in sector.entities:
            assert entity.sector == sector.id
            for key in entity.key:
                assert entity.field(key).required, f"{entity.id}.{key}"
            for f in entity.fields:
                assert (f.type is FieldType.CODE) == (f.codelist is not None)


def test_own_code_lists_are_labelled_in_both_languages() -> None:
    ids = [c.id for c in personnel.CODELISTS + s1_organisation.CODELISTS]
    shared = {c.id for c in CORE_CODELISTS}
    assert len(ids) == len(set(ids)) and not set(ids) & shared
    for codelist in personnel.CODELISTS + s1_organisation.CODELISTS:
        assert codelist.source
        for code in codelist.codes:
            assert code.label_vi and code.label_en and code.label_vi != code.label_en
