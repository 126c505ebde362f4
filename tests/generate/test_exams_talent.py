"""Sector 5 and 7 generators: integrity, pass rates, consistency of derived counts."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from noivu_ioc.catalog.sectors import s5_exams as cat5
from noivu_ioc.catalog.sectors import s7_talent as cat7
from noivu_ioc.generate.columns import ORGANISER_TYPES
from noivu_ioc.generate.context import SCALES, GenContext
from noivu_ioc.generate.sectors import s5_exams, s7_talent
from tests.generate.factories import (
    Tables,
    assert_matches_catalog,
    collect,
    column,
    synthetic_persons,
)

DEMO = SCALES["demo"]


def demo_context(seed: int = 21) -> GenContext:
    return GenContext(DEMO, seed, shared=synthetic_persons(DEMO.persons))


@pytest.fixture(scope="module")
def exams() -> Tables:
    return collect(s5_exams.generate(demo_context()))


@pytest.fixture(scope="module")
def talent_run() -> tuple[GenContext, Tables]:
    ctx = demo_context()
    return ctx, collect(s7_talent.generate(ctx))


def registrations(results: pa.Table) -> pa.Table:
    """One row per (round, candidate): whether the candidate passed the round."""
    grouped = results.group_by(["round_id", "candidate_id", "province_code", "year"])
    return grouped.aggregate([("round_passed", "min"), ("passed", "min")])


def test_exam_tables_match_the_catalog(exams: Tables) -> None:
    assert_matches_catalog(exams, cat5.SECTOR.entities)


def test_results_reference_rounds_and_candidates(exams: Tables) -> None:
    results = exams["exam_result"]
    assert set(column(results, "round_id")) <= set(column(exams["exam_round"], "round_id"))
    candidates = set(column(exams["candidate"], "candidate_id"))
    assert set(column(results, "candidate_id")) <= candidates
    assert set(column(results, "candidate_id")) == candidates  # everyone sat a round


def test_round_counts_agree_with_results(exams: Tables) -> None:
    reg = registrations(exams["exam_result"])
    rounds = exams["exam_round"]
    size = dict(zip(*np.unique(column(reg, "round_id"), return_counts=True), strict=True))
    passed_ids = column(reg, "round_id")[column(reg, "round_passed_min").astype(bool)]
    passed = dict(zip(*np.unique(passed_ids, return_counts=True), strict=True))
    for rid, count, ok in zip(
        column(rounds, "round_id"),
        column(rounds, "candidate_count"),
        column(rounds, "passed_count"),
        strict=True,
    ):
        assert size.get(rid, 0) == count
        assert passed.get(rid, 0) == ok


def test_round_passed_means_every_subject_passed(exams: Tables) -> None:
    reg = registrations(exams["exam_result"])
    assert (column(reg, "round_passed_min") == column(reg, "passed_min")).all()
    results = exams["exam_result"]
    score = column(results, "score")
    passed = column(results, "passed").astype(bool)
    assert (score[passed] >= 50).all() and (score[~passed] < 50).all()
    with_questions = results.filter(pc.is_valid(results["question_count"]))
    correct = column(with_questions, "correct_count")
    total = column(with_questions, "question_count")
    assert ((correct >= 0) & (correct <= total)).all()


def test_pass_rates_are_plausible_and_vary(exams: Tables) -> None:
    low, high = s5_exams.PASS_RATE_RANGE
    rounds = exams["exam_round"]
    big = column(rounds, "candidate_count") >= 30
    rate = column(rounds, "passed_count")[big] / column(rounds, "candidate_count")[big]
    assert big.sum() >= 5
    assert ((rate >= low - 0.01) & (rate <= high + 0.01)).all()

    reg = registrations(exams["exam_result"])
    passed = column(reg, "round_passed_min").astype(float)
    assert 0.4 <= passed.mean() <= 0.7
    for key in ("province_code", "year"):
        groups = column(reg, key)
        large = [g for g in np.unique(groups) if (groups == g).sum() >= 60]
        rates = [passed[groups == g].mean() for g in large]
        assert len(rates) >= 3
        assert all(0.4 <= r <= 0.7 for r in rates), (key, rates)
        assert np.std(rates) > 0.01, key


def test_stages_follow_the_law(exams: Tables) -> None:
    rounds = exams["exam_round"]
    kind = column(rounds, "kind")
    exam_date = column(rounds, "exam_date")
    assert (exam_date[kind == "KD"] >= date(2024, 1, 1)).all()
    assert (exam_date <= date(2026, 6, 30)).all()
    assert (
        rounds.filter(pc.equal(rounds["kind"], "KD"))["positions"].null_count
        == (kind == "KD").sum()
    )

    results = exams["exam_result"]
    late_tt = column(rounds, "round_id")[(kind == "TT") & (exam_date >= date(2024, 8, 1))]
    late = np.isin(column(results, "round_id"), late_tt)
    assert (column(results, "subject")[late] == "NVCN").all()

    # In a two-stage exam, nobody who failed the first stage has a second-stage score.
    early_tt = column(rounds, "round_id")[(kind == "TT") & (exam_date < date(2024, 8, 1))]
    two_stage = results.filter(pa.array(np.isin(column(results, "round_id"), early_tt)))
    first = two_stage.filter(pc.not_equal(two_stage["subject"], "NVCN"))
    failed = first.filter(pc.invert(first["passed"]))
    failed_keys = set(zip(column(failed, "round_id"), column(failed, "candidate_id"), strict=True))
    second = two_stage.filter(pc.equal(two_stage["subject"], "NVCN"))
    second_keys = set(zip(column(second, "round_id"), column(second, "candidate_id"), strict=True))
    assert failed_keys and not failed_keys & second_keys


def test_ministries_and_provinces_organise_rounds(exams: Tables) -> None:
    shared = demo_context().shared
    ids = shared["agency.agency_id"].tolist()
    kind = dict(zip(ids, shared["agency.agency_type"].tolist(), strict=True))
    place = dict(zip(ids, shared["agency.province_code"].tolist(), strict=True))
    organisers = {
        (lv, p or "")
        for lv, p, k in zip(
            shared["agency.level"],
            shared["agency.province_code"],
            shared["agency.agency_type"],
            strict=True,
        )
        if k in ORGANISER_TYPES.get(str(lv), ())
    }
    rounds = exams["exam_round"]
    for agency, level, province in zip(
        column(rounds, "agency_id"),
        column(rounds, "level"),
        column(rounds, "province_code"),
        strict=True,
    ):
        assert (place[agency] or "") == (province or "")
        if (level, province or "") in organisers:
            assert kind[agency] in ORGANISER_TYPES[level]


def test_candidates_are_adults_with_valid_citizen_numbers(exams: Tables) -> None:
    candidates = exams["candidate"]
    born = column(candidates, "birth_date").astype("datetime64[D]")
    year = born.astype("datetime64[Y]").astype(int) + 1970
    results = exams["exam_result"]
    first_year = dict(
        zip(
            *np.unique(column(results, "candidate_id"), return_index=True),
            strict=True,
        )
    )
    sat = column(results, "year")
    ids = column(candidates, "candidate_id")
    age = np.array([sat[first_year[i]] for i in ids.tolist()]) - year
    assert (age >= 20).all()

    citizen = column(candidates, "citizen_id").astype(str)
    assert (np.char.str_len(citizen) == 12).all() and np.char.isdigit(citizen).all()
    century_sex = np.array([int(c[3]) for c in citizen.tolist()])
    female = column(candidates, "sex") == "2"
    assert ((century_sex % 2 == 1) == female).all()
    assert ((century_sex >= 2) == (year >= 2000)).all()
    assert (np.array([int(c[4:6]) for c in citizen.tolist()]) == year % 100).all()


def test_minority_candidates_have_priority(exams: Tables) -> None:
    candidates = exams["candidate"]
    minority = column(candidates, "ethnicity") != "01"
    assert minority.any()
    assert (column(candidates, "priority")[minority] == "UT2").all()


def test_questions_are_harder_when_marked_hard(exams: Tables) -> None:
    questions = exams["exam_question"].filter(pc.is_valid(exams["exam_question"]["correct_rate"]))
    difficulty = column(questions, "difficulty")
    rate = column(questions, "correct_rate")
    assert rate[difficulty == "1"].mean() > rate[difficulty == "2"].mean()
    assert rate[difficulty == "2"].mean() > rate[difficulty == "3"].mean()


def test_exams_are_deterministic(exams: Tables) -> None:
    again = collect(s5_exams.generate(demo_context()))
    for entity_id, table in exams.items():
        assert again[entity_id].equals(table), entity_id


def test_talent_tables_match_the_catalog(talent_run: tuple[GenContext, Tables]) -> None:
    assert_matches_catalog(talent_run[1], cat7.SECTOR.entities)


def test_talents_are_persons_or_named(talent_run: tuple[GenContext, Tables]) -> None:
    ctx, tables = talent_run
    talent = tables["talent"]
    has_person = talent["person_id"].is_valid().to_numpy(zero_copy_only=False)
    has_name = talent["full_name"].is_valid().to_numpy(zero_copy_only=False)
    assert (has_person != has_name).all()
    persons = column(talent, "person_id")[has_person]
    assert set(persons.tolist()) <= set(ctx.shared["person.person_id"].tolist())
    assert len(set(persons.tolist())) == len(persons)
    status = column(talent, "status")
    assert (has_person[status == "THEO_DOI"] == False).all()  # noqa: E712
    assert (column(talent, "recognition_year") - column(talent, "birth_year") >= 21).all()


def test_programmes_count_their_recruits(talent_run: tuple[GenContext, Tables]) -> None:
    tables = talent_run[1]
    talent, programmes = tables["talent"], tables["talent_programme"]
    recruited = talent.filter(pc.is_valid(talent["programme_id"]))
    ids, counts = np.unique(column(recruited, "programme_id"), return_counts=True)
    expected = dict(zip(ids.tolist(), counts.tolist(), strict=True))
    for pid, count in zip(
        column(programmes, "programme_id"), column(programmes, "recruited_count"), strict=True
    ):
        assert expected.get(pid, 0) == count
    assert (column(programmes, "target_count") >= 1).all()

    place = dict(
        zip(column(programmes, "programme_id"), column(programmes, "province_code"), strict=True)
    )
    for pid, province in zip(
        column(recruited, "programme_id"), column(recruited, "province_code"), strict=True
    ):
        assert place[pid] == province

    year = column(programmes, "year")
    basis = column(programmes, "legal_basis").astype(str)
    assert all("179/2024" in b for b in basis[year >= 2025])
    assert all("140/2017" in b for b in basis[year < 2025])


def test_talent_is_deterministic(talent_run: tuple[GenContext, Tables]) -> None:
    again = collect(s7_talent.generate(demo_context()))
    for entity_id, table in talent_run[1].items():
        assert again[entity_id].equals(table), entity_id
