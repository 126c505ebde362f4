"""The catalog of sectors 5 (exams), 6 (training) and 7 (talent), and the codes their
generators rely on."""

from __future__ import annotations

import pytest

from noivu_ioc.catalog import CodeList, Entity, FieldType, Sensitivity
from noivu_ioc.catalog.codelists import CODELISTS
from noivu_ioc.catalog.sectors import s5_exams, s6_training, s7_talent
from noivu_ioc.generate.sectors import s5_exams as gen5
from noivu_ioc.generate.sectors import s6_training as gen6
from noivu_ioc.generate.sectors import s7_talent as gen7
from tests.catalog.helpers import (
    assert_consistent,
    assert_sector_identity,
    codes,
    entities_of,
    whole_catalog,
)

MINE = {"exams": (5, s5_exams), "training": (6, s6_training), "talent": (7, s7_talent)}


def my_entities() -> list[Entity]:
    return entities_of(module for _, module in MINE.values())


def test_my_sectors_are_consistent() -> None:
    assert_consistent(my_entities())


@pytest.mark.parametrize("sector_id", sorted(MINE))
def test_sector_identity_and_legal_basis(sector_id: str) -> None:
    assert_sector_identity(sector_id, *MINE[sector_id])


def test_legal_bases_name_the_decrees() -> None:
    assert "101/2017/NĐ-CP" in s6_training.SECTOR.legal_basis
    assert "89/2021/NĐ-CP" in s6_training.SECTOR.legal_basis
    assert "06/2023/NĐ-CP" in s5_exams.SECTOR.legal_basis
    assert "179/2024/NĐ-CP" in s7_talent.SECTOR.legal_basis


def test_required_entities_exist() -> None:
    ids = {e.id for e in my_entities()}
    assert {
        "training_programme",
        "training_course",
        "training_record",
        "course_evaluation",
        "exam_round",
        "exam_question",
        "candidate",
        "exam_result",
        "talent",
        "talent_programme",
    } <= ids


def test_sector_code_lists_are_registered_once() -> None:
    registered = [c.id for c in CODELISTS]
    for module in (s5_exams, s6_training, s7_talent):
        for codelist in module.CODELISTS:
            assert isinstance(codelist, CodeList)
            assert registered.count(codelist.id) == 1


@pytest.mark.parametrize("entity", my_entities(), ids=lambda e: e.id)
def test_rows_with_a_place_are_scoped(entity: Entity) -> None:
    if "province_code" in entity.field_names:
        assert entity.province_field == "province_code"
    if entity.unit_field is not None:
        assert entity.unit_field in entity.field_names
    for f in entity.fields:
        assert f.label_vi.strip() and f.label_en.strip()
        if f.type is FieldType.CODE:
            assert f.codelist is not None


def test_personal_data_is_marked() -> None:
    cat = whole_catalog()
    candidate = cat.entity("candidate")
    for name in ("ethnicity", "citizen_id", "priority"):
        assert candidate.field(name).sensitivity is Sensitivity.SENSITIVE
    for name in ("full_name", "birth_date", "sex"):
        assert candidate.field(name).sensitivity is Sensitivity.PERSONAL
    assert cat.entity("talent").field("full_name").sensitivity is Sensitivity.PERSONAL
    assert cat.entity("training_record").field("person_id").sensitivity is Sensitivity.PERSONAL


def test_training_tracks_use_existing_codes() -> None:
    kinds = codes("training_kind")
    for track in gen6.TRACKS:
        assert track.kind in kinds
        if track.political_theory_level:
            assert track.political_theory_level in codes("political_theory_level")
        if track.state_management_level:
            assert track.state_management_level in codes("state_management_level")
        if track.education_level:
            assert track.education_level in codes("education_level")
    assert set(gen6.LEVELS) == codes("government_level")
    assert set(gen6._RESULT_CODES) == codes("training_result")
    assert set(gen6._FUNDING) == codes("training_funding")


def test_exam_and_talent_generators_use_existing_codes() -> None:
    assert set(gen5.GRADES) <= codes("civil_servant_grade")
    assert set(gen5.PASS_RATE_BASE) == codes("exam_kind")
    subjects = {code for plan in gen5.SUBJECTS.values() for code, _ in plan}
    assert subjects <= codes("exam_subject")
    ethnic = set(gen5.NORTH + gen5.HIGHLANDS + gen5.SOUTH)
    assert ethnic <= codes("ethnicity") - {"01"}
    assert set(gen7.FIELDS) == codes("talent_field")
    assert set(gen7.CRITERIA) == codes("talent_criterion")
    assert set(gen7.POLICIES) == codes("talent_policy")
    education = {c for values, _ in gen7.EDUCATION_BY_CRITERION.values() for c in values}
    assert education | set(gen7.OTHER_EDUCATION[0]) <= codes("education_level")
