"""Sector 6 generator: referential integrity, the source document's shares, determinism."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from noivu_ioc.catalog.sectors import s6_training as cat
from noivu_ioc.generate.context import SCALES, GenContext, Scale
from noivu_ioc.generate.sectors import s6_training
from tests.generate.factories import (
    MINORITIES,
    PARTICIPATIONS,
    WOMEN,
    Tables,
    assert_matches_catalog,
    collect_with_sizes,
    column,
    synthetic_persons,
)

ALL = sum(PARTICIPATIONS.values())

# A smaller batch than the demo scale's, so that records come in several batches.
TEST_SCALE = Scale("test", persons=24_000, training_records=60_000, factor=0.01, batch_rows=7_000)


def synthetic_context(seed: int = 11, scale: Scale = TEST_SCALE) -> GenContext:
    return GenContext(scale, seed, shared=synthetic_persons(scale.persons))


@pytest.fixture(scope="module")
def run() -> tuple[GenContext, Tables, dict[str, list[int]]]:
    ctx = synthetic_context()
    tables, batches = collect_with_sizes(s6_training.generate(ctx))
    return ctx, tables, batches


@pytest.fixture(scope="module")
def tables(run: tuple[GenContext, Tables, dict[str, list[int]]]) -> Tables:
    return run[1]


def person_index(records: pa.Table) -> npt.NDArray[np.int64]:
    """Row numbers of the records' persons in the synthetic arrays ("P00000123" -> 123)."""
    return np.char.lstrip(column(records, "person_id").astype(str), "P").astype(np.int64)


def share(mask: npt.NDArray[np.bool_]) -> float:
    return float(mask.mean())


def test_tables_match_the_catalog(tables: Tables) -> None:
    assert_matches_catalog(tables, cat.SECTOR.entities)


def test_records_come_in_batches(run: tuple[GenContext, Tables, dict[str, list[int]]]) -> None:
    ctx, tables, batches = run
    assert tables["training_record"].num_rows == ctx.scale.training_records
    assert len(batches["training_record"]) > 1
    assert max(batches["training_record"]) <= ctx.scale.batch_rows


def test_records_reference_real_persons_and_courses(
    run: tuple[GenContext, Tables, dict[str, list[int]]],
) -> None:
    ctx, tables, _ = run
    records = tables["training_record"]
    persons = set(ctx.shared["person.person_id"].tolist())
    assert set(column(records, "person_id").tolist()) <= persons
    courses = tables["training_course"]
    assert set(column(records, "course_id").tolist()) <= set(column(courses, "course_id").tolist())
    programmes = set(column(tables["training_programme"], "programme_id").tolist())
    assert set(column(courses, "programme_id").tolist()) <= programmes
    institutions = set(column(tables["training_institution"], "institution_id").tolist())
    assert set(column(courses, "institution_id").tolist()) <= institutions
    assert set(column(tables["training_programme"], "institution_id").tolist()) <= institutions
    evaluations = tables["course_evaluation"]
    assert set(column(evaluations, "course_id").tolist()) <= set(column(courses, "course_id"))


def test_records_copy_the_person_and_the_course(
    run: tuple[GenContext, Tables, dict[str, list[int]]],
) -> None:
    ctx, tables, _ = run
    records = tables["training_record"]
    person = person_index(records)
    assert (column(records, "level") == ctx.shared["person.level"][person]).all()
    province = column(records, "province_code")
    shared_province = ctx.shared["person.province_code"][person]
    assert (province == shared_province).all()

    courses = tables["training_course"]
    enrolled = dict(zip(column(courses, "course_id"), column(courses, "enrolled"), strict=True))
    ids, counts = np.unique(column(records, "course_id"), return_counts=True)
    assert all(enrolled[i] == c for i, c in zip(ids.tolist(), counts.tolist(), strict=True))
    assert (column(courses, "capacity") >= column(courses, "enrolled")).all()
    pairs = pc.binary_join_element_wise(records["course_id"], records["person_id"], ":")
    assert pc.count_distinct(pairs).as_py() == records.num_rows


def test_participants_are_adults(run: tuple[GenContext, Tables, dict[str, list[int]]]) -> None:
    ctx, tables, _ = run
    records = tables["training_record"]
    person = person_index(records)
    born = ctx.shared["person.birth_date"][person].astype("datetime64[Y]").astype(int) + 1970
    assert (column(records, "year") - born >= s6_training.MIN_AGE).all()


@pytest.fixture(scope="module")
def civil_records(tables: Tables) -> pa.Table:
    """The records of civil servants and cadres: the population the source document counts."""
    records = tables["training_record"]
    return records.filter(pc.is_in(records["staff_category"], pa.array(["CB", "CC"])))


def test_civil_servants_train_at_the_source_rate(
    run: tuple[GenContext, Tables, dict[str, list[int]]], civil_records: pa.Table
) -> None:
    ctx, tables, _ = run
    staff = ctx.shared["person.staff_category"]
    civil = np.isin(staff, ["CB", "CC"]).sum()
    years = (ctx.reference_date - date(2017, 1, 1)).days / 365.25
    per_year = civil_records.num_rows / civil / years
    assert per_year == pytest.approx(ALL / (106_890 + 140_832 + 100_000) / 5, rel=0.01)

    category = column(tables["training_record"], "staff_category")
    employee_rate = (category == "VC").sum() / (staff == "VC").sum()
    contract_rate = (category == "HD").sum() / (staff == "HD").sum()
    assert contract_rate / employee_rate == pytest.approx(0.3, abs=0.03)
    employees = column(tables["training_record"], "kind")[category == "VC"]
    assert share(employees == "CNVT") == pytest.approx(0.705, abs=0.02)


def test_kind_shares_follow_the_source_document(civil_records: pa.Table) -> None:
    kind = column(civil_records, "kind")
    assert share(kind == "LLCT") == pytest.approx(168_000 / ALL, abs=0.005)
    assert share(kind == "QLNN") == pytest.approx(163_000 / ALL, abs=0.005)
    assert share(kind == "CNVT") == pytest.approx(1_233_506 / ALL, abs=0.01)
    other = np.isin(kind, ["QPAN", "NN", "TH", "TDT"])
    assert share(other) == pytest.approx(340_000 / ALL, abs=0.007)
    degrees = np.isin(kind, ["DH", "SDH"])
    assert share(degrees) == pytest.approx((4_420 + 17_700 + 14_700) / ALL, abs=0.003)


def test_levels_within_kinds_follow_the_source_document(
    tables: Tables, civil_records: pa.Table
) -> None:
    courses = tables["training_course"]
    programme = dict(
        zip(column(courses, "course_id"), column(courses, "programme_id"), strict=True)
    )
    programmes = tables["training_programme"]
    ids = column(programmes, "programme_id").tolist()
    theory = dict(zip(ids, column(programmes, "political_theory_level"), strict=True))
    management = dict(zip(ids, column(programmes, "state_management_level"), strict=True))
    of_record = np.array([programme[c] for c in column(civil_records, "course_id").tolist()])
    kind = column(civil_records, "kind")

    llct = np.array([theory[p] for p in of_record[kind == "LLCT"].tolist()])
    assert share(llct == "TC") == pytest.approx(0.738, abs=0.02)
    qlnn = np.array([management[p] for p in of_record[kind == "QLNN"].tolist()])
    assert share(qlnn == "CV") == pytest.approx(0.6706, abs=0.025)
    assert share(qlnn == "CVC") == pytest.approx(0.283, abs=0.025)
    commune_llct = (kind == "LLCT") & (column(civil_records, "level") == "XA")
    assert commune_llct.sum() / (kind == "LLCT").sum() == pytest.approx(48 / 168, abs=0.03)


def test_levels_women_and_minorities_follow_the_persons(
    run: tuple[GenContext, Tables, dict[str, list[int]]], civil_records: pa.Table
) -> None:
    ctx = run[0]
    person = person_index(civil_records)
    level = column(civil_records, "level")
    women = ctx.shared["person.sex"][person] == "2"
    minority = ctx.shared["person.ethnicity"][person] != "01"
    for lv, total in PARTICIPATIONS.items():
        at = level == lv
        assert share(at) == pytest.approx(total / ALL, abs=0.015)
        assert share(women[at]) == pytest.approx(WOMEN[lv] / total, abs=0.035)
        assert share(minority[at]) == pytest.approx(MINORITIES[lv] / total, abs=0.03)


def test_results_agree_with_dates(run: tuple[GenContext, Tables, dict[str, list[int]]]) -> None:
    ctx, tables, _ = run
    records = tables["training_record"]
    result = column(records, "result")
    completed = np.isin(result, ["01", "02", "03", "04", "05"])
    assert (records["certificate_no"].is_valid().to_numpy(zero_copy_only=False) == completed).all()
    assert (records["completed_date"].is_valid().to_numpy(zero_copy_only=False) == completed).all()
    done = pc.filter(records["completed_date"], pa.array(completed))
    assert pc.max(done).as_py() <= ctx.reference_date
    score = column(records, "final_score")
    graded = np.isin(result, ["01", "02", "03", "04"])
    assert not np.isnan(score[graded].astype(float)).any()
    assert (score[result == "01"] >= 9).all() and (score[result == "04"] < 6.5).all()

    courses = tables["training_course"]
    assert pc.all(pc.less_equal(courses["start_date"], courses["end_date"])).as_py()
    running = pc.greater(courses["end_date"], pa.scalar(ctx.reference_date)).to_numpy(
        zero_copy_only=False
    )
    running_ids = set(column(courses, "course_id")[running].tolist())
    in_running = np.isin(column(records, "course_id"), list(running_ids))
    assert np.isin(result[in_running], ["07", "08"]).all()
    assert not np.isin(result[~in_running], ["08"]).any()


def test_evaluations_are_scores_from_one_to_five(tables: Tables) -> None:
    evaluations = tables["course_evaluation"]
    assert evaluations.num_rows > 0
    for name in (n for n in evaluations.column_names if n.startswith("score_")):
        values = evaluations[name].drop_null().to_numpy()
        assert ((values >= 1) & (values <= 5)).all()
    learner = pc.equal(evaluations["role"], "HV")
    lecturer_scores = pc.filter(evaluations["score_lecturer"], pc.invert(learner))
    assert lecturer_scores.null_count == len(lecturer_scores)


def test_same_seed_same_tables(tables: Tables) -> None:
    again, _ = collect_with_sizes(s6_training.generate(synthetic_context()))
    assert again.keys() == tables.keys()
    for entity_id, table in tables.items():
        assert again[entity_id].equals(table), entity_id
    other, _ = collect_with_sizes(s6_training.generate(synthetic_context(seed=12)))
    assert not other["training_record"].equals(tables["training_record"])


def test_demo_scale_sizes() -> None:
    ctx = GenContext(SCALES["demo"], 5, shared=synthetic_persons(SCALES["demo"].persons))
    _, batches = collect_with_sizes(s6_training.generate(ctx))
    assert sum(batches["training_record"]) == SCALES["demo"].training_records
    assert 0 < sum(batches["training_course"]) < SCALES["demo"].training_records / 10


def test_missing_persons_are_reported() -> None:
    ctx = GenContext(TEST_SCALE, 1)
    with pytest.raises(RuntimeError, match=r"person\.person_id"):
        next(iter(s6_training.generate(ctx)))
