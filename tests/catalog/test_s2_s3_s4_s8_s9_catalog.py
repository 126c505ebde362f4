"""The catalog of sectors 2 (local government), 3 (associations), 4 (youth), 8 (religion) and
9 (emulation), and the codes their generators rely on."""

from __future__ import annotations

import pytest

from noivu_ioc.catalog import Entity, FieldType, Sensitivity
from noivu_ioc.catalog.sectors import (
    s2_local_government,
    s3_associations,
    s4_youth,
    s8_religion,
    s9_emulation,
)
from noivu_ioc.generate.sectors import s2_local_government as gen2
from noivu_ioc.generate.sectors import s8_religion as gen8
from noivu_ioc.generate.sectors import s9_emulation as gen9
from tests.catalog.helpers import (
    assert_consistent,
    assert_sector_identity,
    codes,
    entities_of,
    whole_catalog,
)

MINE = {
    "local_government": (2, s2_local_government),
    "associations": (3, s3_associations),
    "youth": (4, s4_youth),
    "religion": (8, s8_religion),
    "emulation": (9, s9_emulation),
}


def my_entities() -> list[Entity]:
    return entities_of(module for _, module in MINE.values())


def test_my_sectors_are_consistent() -> None:
    assert_consistent(my_entities())


@pytest.mark.parametrize("sector_id", sorted(MINE))
def test_sector_identity_and_legal_basis(sector_id: str) -> None:
    sector = assert_sector_identity(sector_id, *MINE[sector_id])
    assert sector.label_vi != sector.label_en


def test_legal_bases_name_the_laws() -> None:
    assert "Local Government Organisation 2025" in s2_local_government.SECTOR.legal_basis
    assert "126/2024/NĐ-CP" in s3_associations.SECTOR.legal_basis
    assert "93/2019/NĐ-CP" in s3_associations.SECTOR.legal_basis
    assert "Youth Law 2020" in s4_youth.SECTOR.legal_basis
    assert "Belief and Religion 2016" in s8_religion.SECTOR.legal_basis
    assert "Emulation and Commendation 2022" in s9_emulation.SECTOR.legal_basis


def test_fixed_entity_ids() -> None:
    ids = {e.id for e in my_entities()}
    assert {
        "admin_unit", "admin_boundary", "village", "commune_official",
        "association", "fund", "ngo", "youth_statistics", "youth_programme",
        "religious_organisation", "worship_place", "dignitary", "religious_complaint",
        "award", "emulation_record", "award_dossier",
    } <= ids


def test_rows_that_belong_to_a_place_are_scoped() -> None:
    for entity in my_entities():
        names = entity.field_names
        if "province_code" in names:
            assert entity.province_field is not None, entity.id
        if "commune_code" in names and entity.id != "admin_unit":
            assert entity.unit_field in ("commune_code", None), entity.id
        if entity.province_field:
            field = entity.field(entity.province_field)
            assert field.ref == "admin_unit.code", entity.id


def test_code_fields_name_their_list_and_labels_are_bilingual() -> None:
    for entity in my_entities():
        assert entity.label_vi and entity.label_en
        for f in entity.fields:
            assert f.label_vi and f.label_en, f"{entity.id}.{f.name}"
            assert (f.type is FieldType.CODE) == (f.codelist is not None)


@pytest.mark.parametrize(
    ("entity_id", "field_name", "sensitivity"),
    [
        ("commune_official", "ethnicity", Sensitivity.SENSITIVE),
        ("commune_official", "full_name", Sensitivity.PERSONAL),
        ("commune_official", "birth_year", Sensitivity.PERSONAL),
        ("dignitary", "religion", Sensitivity.SENSITIVE),
        ("dignitary", "rank", Sensitivity.SENSITIVE),
        ("dignitary", "religious_name", Sensitivity.SENSITIVE),
        ("dignitary", "full_name", Sensitivity.PERSONAL),
        ("award", "person_id", Sensitivity.PERSONAL),
        ("admin_unit", "population", Sensitivity.PUBLIC),
    ],
)
def test_sensitivity_after_decree_13(
    entity_id: str, field_name: str, sensitivity: Sensitivity
) -> None:
    assert whole_catalog().entity(entity_id).field(field_name).sensitivity is sensitivity


def test_awards_reference_the_personnel_database() -> None:
    award = whole_catalog().entity("award")
    assert award.field("person_id").ref == "person.person_id"
    assert award.field("agency_id").ref == "agency.agency_id"
    assert award.field("award_form").codelist == "award_form"
    record = whole_catalog().entity("emulation_record")
    assert record.field("emulation_title").codelist == "emulation_title"


def test_commune_posts_are_coded() -> None:
    posts = whole_catalog().codelist("commune_position")
    assert set(gen2._POSTS) == set(posts.values)
    assert {c.parent for c in posts.codes} == {"can_bo", "cong_chuc"}
    assert {c.code for c in posts.codes if c.parent == "can_bo"} == gen2._CAN_BO_POSTS
    assert posts.label("CT_UBND") == "Chủ tịch Ủy ban nhân dân"


def test_religious_codes_used_by_the_generator_exist() -> None:
    religions = codes("religion")
    kinds = codes("worship_place_kind")
    ranks = whole_catalog().codelist("religious_rank")
    assert {o.religion for o in gen8.ORGANISATIONS} <= religions
    assert len(gen8.ORGANISATIONS) == 43
    assert len({o.religion for o in gen8.ORGANISATIONS}) == 16
    assert set(gen8._PLACE_MIX) <= religions
    assert all(set(k) <= kinds for _, k in gen8._PLACE_MIX.values())
    assert set(gen8._WHERE) == set(gen8._PLACE_MIX)
    for table in (gen8._RANKS, gen8._LAY_RANKS):
        for religion, by_rank in table.items():
            for rank in by_rank:
                assert ranks.codes[ranks.values.index(rank)].parent == religion
    assert codes("religious_complaint_category") == set(gen8._COMPLAINT_CATEGORY)


def test_award_codes_used_by_the_generator_exist() -> None:
    forms = codes("award_form")
    assert set(gen9._INDIVIDUAL_RATES) <= forms
    assert set(gen9._COLLECTIVE_RATES) <= forms
    titles = whole_catalog().codelist("emulation_title")
    parent = {c.code: c.parent for c in titles.codes}
    assert all(parent[t] == "individual" for t in gen9._INDIVIDUAL_TITLES)
    assert all(parent[t] == "collective" for t in gen9._COLLECTIVE_TITLES)
    assert codes("recipient_kind") == {"individual", "collective"}
    assert set(gen9._BASIS) == codes("award_authority")
