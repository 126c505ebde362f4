"""The evaluator on a small warehouse whose every number is known: values, previous period,
traffic lights, cuts, scope, "no data" with its reason, and the cache that a load of new
rows invalidates for the entities it touched only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from noivu_ioc.access.scope import Scope
from noivu_ioc.catalog import catalog
from noivu_ioc.errors import InvalidInputError, NotAllowedError, NotFoundError
from noivu_ioc.indicators import places
from noivu_ioc.indicators.compile import NotAvailable, Place, Question
from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator
from noivu_ioc.indicators.model import parse_definition
from noivu_ioc.warehouse import Warehouse

HANOI, LAOCAI = "01", "15"


def _table(entity: str, rows: list[dict[str, Any]]) -> pa.Table:
    fields = catalog().entity(entity).fields
    return pa.table({f.name: [r.get(f.name) for r in rows] for f in fields})


def _awards(year_counts: dict[tuple[str, int], int]) -> list[dict[str, Any]]:
    from datetime import date

    rows = []
    for (province, year), n in year_counts.items():
        for i in range(n):
            rows.append(
                {
                    "award_id": f"A-{province}-{year}-{i}",
                    "award_form": None,
                    "province_code": province,
                    "decision_date": date(year, 5, 1),
                }
            )
    return rows


def _people(counts: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    """Active people per province: (women, men)."""
    rows = []
    for province, (women, men) in counts.items():
        for i in range(women + men):
            rows.append(
                {
                    "person_id": f"P-{province}-{i}",
                    "full_name": "x",
                    "sex": "2" if i < women else "1",
                    "province_code": province,
                    "status": "DANG_CONG_TAC",
                }
            )
    return rows


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    w = Warehouse(tmp_path / "w.duckdb")
    entities = [catalog().entity("person"), catalog().entity("award")]
    w.replace_all(
        entities,
        [
            ("person", _table("person", _people({HANOI: (30, 70), LAOCAI: (10, 10)}))),
            (
                "award",
                _table(
                    "award",
                    _awards({(HANOI, 2024): 4, (HANOI, 2025): 6, (LAOCAI, 2025): 2}),
                ),
            ),
        ],
        "test data",
    )
    return w


WOMEN = parse_definition(
    {
        "id": "personnel.women_share_test",
        "name_vi": "Tỷ lệ nữ",
        "name_en": "Share of women",
        "domain": "personnel",
        "unit": "percent",
        "formula": "100 * women / staff",
        "target": 50,
        "thresholds": {"green": 45, "amber": 35},
        "measures": {
            "women": {"entity": "person", "where": "status = 'DANG_CONG_TAC' AND sex = '2'"},
            "staff": {"entity": "person", "where": "status = 'DANG_CONG_TAC'"},
        },
    }
)
AWARDS = parse_definition(
    {
        "id": "emulation.awards_per_hundred_test",
        "name_vi": "Khen thưởng trên 100 người",
        "name_en": "Awards per 100 staff",
        "domain": "emulation",
        "unit": "number",
        "formula": "100 * awards / staff",
        "measures": {
            "awards": {"entity": "award", "period": "year(decision_date)"},
            "staff": {"entity": "person", "where": "status = 'DANG_CONG_TAC'"},
        },
    }
)


def test_a_reading_with_its_previous_period_and_traffic_light(warehouse: Warehouse) -> None:
    evaluator = Evaluator(DuckDBEngine(warehouse))
    women = evaluator.read(WOMEN, Place.nation(), Scope.everything())
    assert women.value == pytest.approx(100 * 40 / 120)
    assert (women.status, women.target, women.period) == ("red", 50, None)
    hanoi = evaluator.read(WOMEN, Place("province", HANOI), Scope.everything())
    assert hanoi.value == pytest.approx(30.0)

    awards = evaluator.read(AWARDS, Place("province", HANOI), Scope.everything())
    assert (awards.period, awards.value, awards.previous) == (2025, 6.0, 4.0)
    assert awards.change == pytest.approx(2.0)
    assert evaluator.periods(AWARDS, Place.nation(), Scope.everything()) == [2024, 2025]


def test_cuts_and_scope(warehouse: Warehouse) -> None:
    evaluator = Evaluator(DuckDBEngine(warehouse))
    rows = evaluator.cut(WOMEN, Place.nation(), Scope.everything(), "province")
    assert [(r.key, r.value) for r in rows] == [(HANOI, 30.0), (LAOCAI, 50.0)]
    # A provincial officer's nation is their province: the same query, narrowed.
    mine = Scope(provinces=frozenset({LAOCAI}))
    assert places.root(mine) == Place("province", LAOCAI)
    assert evaluator.read(WOMEN, Place.nation(), mine).value == pytest.approx(50.0)
    assert [r.key for r in evaluator.cut(WOMEN, Place.nation(), mine, "province")] == [LAOCAI]
    # Reading Hà Nội under Lào Cai's scope finds nothing: the scope is in the query.
    assert evaluator.read(WOMEN, Place("province", HANOI), mine).value is None
    with pytest.raises(NotAllowedError, match="outside your scope"):
        places.parse("province:01", mine)
    # An empty scope sees nothing at all.
    assert evaluator.read(WOMEN, Place.nation(), Scope()).value is None


def test_no_data_comes_with_its_reason(warehouse: Warehouse) -> None:
    evaluator = Evaluator(DuckDBEngine(warehouse))
    missing = evaluator.read(AWARDS, Place.nation(), Scope.everything(), period=2019)
    assert missing.value is None
    assert missing.reason is not None
    assert missing.reason.text("en") == "no data for 2019 in your scope"
    assert missing.reason.text("vi") == "Không có số liệu năm 2019 trong phạm vi của bạn"
    nowhere = evaluator.read(AWARDS, Place.nation(), Scope(provinces=frozenset({"79"})))
    assert nowhere.reason is not None and nowhere.reason.code == "no_data_any_period"
    with pytest.raises(NotAvailable, match="cannot be cut by level; it can be cut by province"):
        evaluator.cut(WOMEN, Place.nation(), Scope.everything(), "level")
    # An entity that is not loaded fails one reading, with the engine's message.
    exams = parse_definition(
        {
            "id": "exams.rounds_test",
            "name_vi": "Kỳ thi",
            "name_en": "Rounds",
            "domain": "exams",
            "unit": "count",
            "entity": "exam_round",
        }
    )
    failed = evaluator.read(exams, Place.nation(), Scope.everything())
    assert failed.value is None
    assert failed.reason is not None and failed.reason.code == "failed"
    assert "exam_round" in failed.reason.text("vi")
    assert failed.reason.text("vi").startswith("Không tính được chỉ tiêu: ")


def test_bad_places_are_named() -> None:
    everything = Scope.everything()
    with pytest.raises(NotFoundError, match="'99' is not a unit"):
        places.parse("province:99", everything)
    with pytest.raises(InvalidInputError, match="00004 is a commune code"):
        places.parse("province:00004", everything)
    with pytest.raises(InvalidInputError, match="is not understood"):
        places.parse("region:north", everything)


def test_the_cache_is_invalidated_by_a_load_of_the_entities_it_read(
    warehouse: Warehouse,
) -> None:
    evaluator = Evaluator(DuckDBEngine(warehouse))
    question = Question(Place.nation())
    first = evaluator.answer(WOMEN, question, Scope.everything())
    again = evaluator.answer(WOMEN, question, Scope.everything())
    assert again is first  # served from the cache
    awards = evaluator.answer(AWARDS, Question(Place.nation(), (2025,)), Scope.everything())

    # New award rows: the award indicator is computed afresh, the women's share is not.
    warehouse.replace_all(
        [catalog().entity("award")],
        [("award", _table("award", _awards({(HANOI, 2025): 12})))],
        "more awards",
    )
    assert evaluator.answer(WOMEN, question, Scope.everything()) is first
    fresh = evaluator.answer(AWARDS, Question(Place.nation(), (2025,)), Scope.everything())
    assert fresh is not awards
    assert fresh.rows[0].value == pytest.approx(100 * 12 / 120)

    # New people: both read person, both are recomputed.
    warehouse.replace_all(
        [catalog().entity("person")],
        [("person", _table("person", _people({HANOI: (60, 40)})))],
        "new staff list",
    )
    assert evaluator.answer(WOMEN, question, Scope.everything()).rows[0].value == 60.0


@pytest.mark.parametrize("divisor", ["0", "(0)", "-0", "(1 - 1)", "(2 * 0.0)"])
def test_a_constant_zero_divisor_is_refused_however_written(divisor: str) -> None:
    from noivu_ioc.indicators.model import DefinitionError

    with pytest.raises(DefinitionError, match="divides by the constant 0"):
        parse_definition(
            {
                "id": "personnel.broken",
                "name_vi": "Hỏng",
                "name_en": "Broken",
                "domain": "personnel",
                "unit": "number",
                "entity": "person",
                "value": f"count(*) / {divisor}",
            }
        )
    with pytest.raises(DefinitionError, match="divides by the constant 0"):
        parse_definition(
            {
                "id": "personnel.broken",
                "name_vi": "Hỏng",
                "name_en": "Broken",
                "domain": "personnel",
                "unit": "number",
                "formula": f"staff / {divisor}",
                "measures": {"staff": {"entity": "person"}},
            }
        )


def test_a_count_with_no_row_for_a_key_is_zero(warehouse: Warehouse) -> None:
    # Lào Cai has people but no award in 2024: its figure is 0 awards, not "no data".
    evaluator = Evaluator(DuckDBEngine(warehouse))
    rows = evaluator.cut(AWARDS, Place.nation(), Scope.everything(), "province", 2024)
    assert [(r.key, r.value) for r in rows] == [(HANOI, 4.0), (LAOCAI, 0.0)]
