"""Every indicator of the library gives the same answers on DuckDB and on a real PostgreSQL
server holding the same data: one definition, two engines, no change."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from noivu_ioc.access.scope import Scope
from noivu_ioc.indicators.compile import Place, Question
from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator, PostgresEngine, Row
from noivu_ioc.indicators.model import Indicator
from noivu_ioc.indicators.registry import library
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.warehouse.publish import publish_to_postgres
from tests.conftest import PG_ADMIN_URL, _pg_server_or_skip
from tests.indicators.test_library import NEEDS_NORMS

HANOI = Place("province", "01")
HANOI_ONLY = Scope(provinces=frozenset({"01"}))
TWO_PROVINCES = Scope(provinces=frozenset({"01", "15"}))


@pytest.fixture(scope="module")
def engines(demo_warehouse: Warehouse) -> Iterator[tuple[Evaluator, Evaluator]]:
    _pg_server_or_skip()
    schema = f"ioc_eq_{uuid.uuid4().hex[:8]}"
    publication = publish_to_postgres(demo_warehouse, PG_ADMIN_URL, schema)
    assert publication.rows["person"] == demo_warehouse.count("person")
    try:
        yield (
            Evaluator(DuckDBEngine(demo_warehouse)),
            Evaluator(PostgresEngine(PG_ADMIN_URL, schema)),
        )
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _same(left: list[Row], right: list[Row]) -> None:
    assert [r.key for r in left] == [r.key for r in right]
    for a, b in zip(left, right, strict=True):
        assert a.suppressed == b.suppressed, (a, b)  # the small-cell rule agrees too
        if a.value is None or b.value is None:
            assert a.value is None and b.value is None, (a, b)
        else:
            assert math.isclose(a.value, b.value, rel_tol=1e-9, abs_tol=1e-9), (a, b)


def _questions(indicator: Indicator, duck: Evaluator) -> list[tuple[Question, Scope]]:
    """Nation, one province, a cut into provinces and into communes, a trend, and the code
    dimensions: under a national scope and under a provincial one."""
    periods: tuple[int, ...] = ()
    if indicator.has_period:
        known = duck.periods(indicator, Place.nation(), Scope.everything())
        assert known or indicator.id in NEEDS_NORMS, f"{indicator.id}: no period with data"
        periods = (known[-1],) if known else (2025,)
    asked: list[tuple[Question, Scope]] = [
        (Question(Place.nation(), periods), Scope.everything()),
        (Question(Place.nation(), periods), TWO_PROVINCES),
    ]
    if "province" in indicator.place_dimensions:
        asked += [
            (Question(HANOI, periods), Scope.everything()),
            (Question(Place.nation(), periods, "province"), Scope.everything()),
            (Question(Place.nation(), periods, "province"), TWO_PROVINCES),
        ]
    if "commune" in indicator.place_dimensions:
        asked.append((Question(HANOI, periods, "commune"), HANOI_ONLY))
    if indicator.has_period:
        asked.append((Question(Place.nation(), (), "period"), Scope.everything()))
        asked.append((Question(Place.nation(), (), "period"), HANOI_ONLY))
    for dim in indicator.dimensions:
        asked.append((Question(Place.nation(), periods, dim), Scope.everything()))
    return asked


@pytest.mark.parametrize("indicator", library(), ids=lambda i: i.id)
def test_duckdb_and_postgresql_agree(
    indicator: Indicator, engines: tuple[Evaluator, Evaluator]
) -> None:
    duck, pg = engines
    for question, scope in _questions(indicator, duck):
        on_duckdb = duck.answer(indicator, question, scope)
        on_postgres = pg.answer(indicator, question, scope)
        _same(list(on_duckdb.rows), list(on_postgres.rows))
        if scope.national:  # the demo's data is thin in some provinces, not nationwide
            assert on_duckdb.rows, f"{indicator.id}: {question} gave no row"
    # The answer is the data's, not an artefact: the nation's value is a number.
    first, scope = _questions(indicator, duck)[0]
    value = duck.answer(indicator, first, scope).rows[0].value
    assert (value is None) == (indicator.id in NEEDS_NORMS)


def test_the_same_definition_is_written_for_each_engine(
    engines: tuple[Evaluator, Evaluator],
) -> None:
    duck, pg = engines
    indicator = next(i for i in library() if i.has_period and len(i.measures) > 1)
    question = Question(Place.nation(), (2025,), "province")
    on_duckdb = duck.answer(indicator, question, Scope.everything()).sql
    on_postgres = pg.answer(indicator, question, Scope.everything()).sql
    assert on_duckdb != on_postgres
    assert "DOUBLE PRECISION" in on_postgres and "DOUBLE PRECISION" not in on_duckdb
    assert '"ioc_eq_' in on_postgres


def test_publication_keeps_nulls_and_empty_texts_apart(demo_warehouse: Warehouse) -> None:
    _pg_server_or_skip()
    schema = f"ioc_eq_{uuid.uuid4().hex[:8]}"
    publish_to_postgres(demo_warehouse, PG_ADMIN_URL, schema, entities=["dignitary"])
    try:
        with psycopg.connect(PG_ADMIN_URL) as conn:
            got = conn.execute(
                f'SELECT count(*), count(religious_name) FROM "{schema}".dignitary'
            ).fetchone()
        want = demo_warehouse.query(
            "SELECT count(*) AS n, count(religious_name) AS named FROM dignitary"
        )[0]
        assert got == (want["n"], want["named"])
        assert want["named"] < want["n"]  # the column has NULLs to keep
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
