"""Running indicators: the engines that execute compiled statements, the cache of results,
and the readings a panel shows (value, previous period, target, traffic light, cuts, trend).

A result is cached per indicator definition, question and scope, together with the change
counters of the entities it read (``Warehouse.generations``); a sync that commits rows to one
of those entities moves its counter, so the next request computes afresh while every other
cached result stays valid. A reading never raises for a panel: what cannot be computed comes
back as "no data" with the reason, and the wall goes on drawing the other panels.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import psycopg
from sqlglot import expressions as exp

from noivu_ioc.access.scope import Scope
from noivu_ioc.errors import IOCError
from noivu_ioc.indicators.compile import (
    SMALL_CELL,
    NotAvailable,
    Place,
    Question,
    build,
    default_table,
)
from noivu_ioc.indicators.model import Indicator
from noivu_ioc.indicators.reasons import Reason
from noivu_ioc.warehouse import Warehouse

log = logging.getLogger(__name__)

TREND_YEARS = 6


class Engine(Protocol):
    """Runs a compiled statement where the sector data lives."""

    dialect: str

    def table(self, entity: str) -> exp.Table: ...

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def generations(self, entities: Iterable[str]) -> Hashable:
        """Changes to these entities since start; None when the engine cannot tell (then
        nothing it computes is cached)."""
        ...


class DuckDBEngine:
    """The embedded warehouse."""

    dialect = "duckdb"

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def table(self, entity: str) -> exp.Table:
        return default_table(entity)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self.warehouse.cursor() as cur:
            return cur.execute(sql).fetchall()

    def generations(self, entities: Iterable[str]) -> Hashable:
        return self.warehouse.generations(entities)

    def has_table(self, entity: str) -> bool:
        return self.warehouse.has_table(entity)


class PostgresEngine:
    """A PostgreSQL database holding the sector tables (in ``schema``), for a warehouse kept
    on PostgreSQL or a copy published there. Results are not cached: another process may
    change the tables without this one knowing."""

    dialect = "postgres"

    def __init__(self, url: str, schema: str = "public") -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.schema = schema

    def table(self, entity: str) -> exp.Table:
        return exp.to_table(f'"{self.schema}"."{entity}"', dialect="postgres")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql).fetchall()

    def generations(self, entities: Iterable[str]) -> Hashable:
        return None


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a cut: a child unit, a code or a period, with its value."""

    key: Any
    value: float | None
    # Withheld by the small-cell rule: too few people stand behind it (compile.SMALL_CELL).
    suppressed: bool = False
    # Withheld with it, so that the one small cell of a cut is not the total less the rest.
    complement: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    rows: tuple[Row, ...]
    seconds: float
    sql: str


@dataclass(slots=True)
class Reading:
    """What a panel shows for one indicator at one place and period."""

    indicator: str
    place: Place
    period: int | None  # None: a stock as it stands in the latest data
    value: float | None = None
    previous: float | None = None  # the period before, when the indicator has periods
    target: float | None = None
    status: str | None = None  # green | amber | red, from the thresholds
    reason: Reason | None = None  # why there is no value
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


class ResultCache:
    """Least-recently-used results, each valid while its entities' counters stand still."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, generation: Hashable) -> Any | None:
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] != generation:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key: Hashable, generation: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = (generation, value)
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def memo(self, key: Hashable, generation: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value for ``key``, computing and keeping it when absent or stale."""
        if generation is None:
            return compute()
        found = self.get(key, generation)
        if found is not None:
            return found
        value = compute()
        self.put(key, generation, value)
        return value


def scope_key(scope: Scope) -> Hashable:
    return (scope.national, tuple(sorted(scope.provinces)), tuple(sorted(scope.communes)))


class Evaluator:
    """Answers questions about indicators on one engine, through one cache."""

    def __init__(self, engine: Engine, cache: ResultCache | None = None) -> None:
        self.engine = engine
        self.cache = cache if cache is not None else ResultCache()

    def generation(self, indicator: Indicator) -> Hashable:
        return self.engine.generations(indicator.entities)

    def answer(self, indicator: Indicator, question: Question, scope: Scope) -> Answer:
        """Run one question, from the cache when its entities have not changed."""
        key = ("answer", indicator.id, indicator.digest, question, scope_key(scope))
        result: Answer = self.cache.memo(
            key, self.generation(indicator), lambda: self._run(indicator, question, scope)
        )
        return result

    def _run(self, indicator: Indicator, question: Question, scope: Scope) -> Answer:
        sql = compiled(indicator, question, scope, self.engine)
        started = time.perf_counter()
        raw = self.engine.rows(sql)
        seconds = time.perf_counter() - started
        keyed = question.by is not None
        withheld = indicator.discloses
        rows = tuple(
            Row(
                r[0] if keyed else None,
                _number(r[1] if keyed else r[0]),
                bool(r[-1]) if withheld else False,
            )
            for r in raw
        )
        return Answer(rows, seconds, sql)

    def series(self, indicator: Indicator, place: Place, scope: Scope) -> dict[int, float]:
        """The value of every period with data, oldest first: one query answers the latest
        reading, its previous period and the trend."""
        if not indicator.has_period:
            return {}
        answer = self.answer(indicator, Question(place, (), "period"), scope)
        return {
            int(r.key): r.value for r in answer.rows if r.key is not None and r.value is not None
        }

    def withheld_periods(self, indicator: Indicator, place: Place, scope: Scope) -> set[int]:
        """The periods whose value the small-cell rule withholds at ``place``."""
        if not indicator.has_period or not indicator.discloses:
            return set()
        answer = self.answer(indicator, Question(place, (), "period"), scope)
        return {int(r.key) for r in answer.rows if r.key is not None and r.suppressed}

    def agencies(self, ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """Name and province of each agency id (organisational units of sector 1)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        key = ("agencies", tuple(wanted))
        generation = self.engine.generations(("agency",))

        def look_up() -> dict[str, tuple[str, str | None]]:
            statement = (
                exp.select("agency_id", "name", "province_code")
                .from_(self.engine.table("agency"))
                .where(exp.column("agency_id").isin(*[exp.Literal.string(i) for i in wanted]))
            )
            found = self.engine.rows(statement.sql(dialect=self.engine.dialect))
            return {str(a): (str(n), p) for a, n, p in found}

        names: dict[str, tuple[str, str | None]] = self.cache.memo(key, generation, look_up)
        return names

    def periods(self, indicator: Indicator, place: Place, scope: Scope) -> list[int]:
        """The periods with a value, oldest first; empty for a stock."""
        return list(self.series(indicator, place, scope))

    def read(
        self, indicator: Indicator, place: Place, scope: Scope, period: int | None = None
    ) -> Reading:
        """The value at ``place`` for ``period`` (default: the latest with data), with the
        previous period and the traffic light; a failure becomes a reason, never an error."""
        reading = Reading(indicator.id, place, period, target=indicator.target)
        try:
            if indicator.has_period:
                values = self.series(indicator, place, scope)
                withheld = self.withheld_periods(indicator, place, scope)
                if period is None:
                    if not values and not withheld:
                        reading.reason = Reason.of("no_data_any_period")
                        return reading
                    period = max(values.keys() | withheld)
                reading.period = period
                reading.value = values.get(period)
                reading.previous = values.get(period - 1)
                if period in withheld:
                    reading.reason = Reason.of("suppressed", k=SMALL_CELL)
                elif reading.value is None:
                    reading.reason = Reason.of("no_data_period", period=period)
            else:
                answer = self.answer(indicator, Question(place), scope)
                reading.value = answer.rows[0].value if answer.rows else None
                if answer.rows and answer.rows[0].suppressed:
                    reading.reason = Reason.of("suppressed", k=SMALL_CELL)
                elif reading.value is None:
                    reading.reason = Reason.of("no_data")
        except Exception as exc:  # one panel fails, not the wall
            reading.reason = failure(exc, f"{indicator.id} at {place.key}")
        if reading.value is not None and indicator.thresholds is not None:
            reading.status = indicator.thresholds.status(reading.value)
        return reading

    def cut(
        self,
        indicator: Indicator,
        place: Place,
        scope: Scope,
        by: str,
        period: int | None = None,
    ) -> list[Row]:
        """The value per child unit or per code at ``place``; raises NotAvailable."""
        periods = (period,) if indicator.has_period and period is not None else ()
        if indicator.has_period and period is None:
            known = self.periods(indicator, place, scope)
            periods = (known[-1],) if known else ()
        rows = list(self.answer(indicator, Question(place, periods, by), scope).rows)
        return _with_complement(rows) if indicator.discloses else rows

    def trend(
        self,
        indicator: Indicator,
        place: Place,
        scope: Scope,
        years: int = TREND_YEARS,
        until: int | None = None,
    ) -> list[Row]:
        """The last ``years`` periods up to ``until`` (default the latest with data)."""
        if not indicator.has_period:
            return []
        values = self.series(indicator, place, scope)
        if not values:
            return []
        last = until if until is not None else max(values)
        return [Row(p, values[p]) for p in range(last - years + 1, last + 1) if p in values]


def _with_complement(rows: list[Row]) -> list[Row]:
    """Secondary suppression: where a cut withholds exactly one cell, the figure at the place
    itself (or the other cuts) would give it back by subtraction, so the smallest other cell
    that is not zero is withheld too (a zero cell where there is none)."""
    if sum(r.suppressed for r in rows) != 1:
        return rows
    shown = [r for r in rows if not r.suppressed and r.value is not None]
    if not shown:
        return rows
    candidates = [r for r in shown if r.value != 0] or shown
    partner = min(candidates, key=lambda r: (abs(r.value or 0), str(r.key)))
    return [
        Row(r.key, None, suppressed=True, complement=True) if r is partner else r for r in rows
    ]


# Statements are a pure function of the definition, the question, the scope and the engine's
# dialect and table names: they are kept per process, as a database keeps prepared plans, so
# that recomputing after a sync costs the query alone.
_COMPILED: OrderedDict[Hashable, str] = OrderedDict()
_COMPILED_LOCK = threading.Lock()
_COMPILED_CAPACITY = 50_000


def compiled(indicator: Indicator, question: Question, scope: Scope, engine: Engine) -> str:
    key = (
        indicator.id,
        indicator.digest,
        question,
        scope_key(scope),
        engine.dialect,
        getattr(engine, "schema", ""),  # where its tables live
    )
    with _COMPILED_LOCK:
        found = _COMPILED.get(key)
    if found is not None:
        return found
    sql = build(indicator, question, scope, engine.table).sql(dialect=engine.dialect)
    with _COMPILED_LOCK:
        _COMPILED[key] = sql
        while len(_COMPILED) > _COMPILED_CAPACITY:
            _COMPILED.popitem(last=False)
    return sql


def failure(exc: Exception, what: str = "a panel") -> Reason:
    """The reason a panel shows for an exception: a question the data cannot answer as
    itself, the IOC's other errors with their message, anything else logged with its trace."""
    if isinstance(exc, NotAvailable):
        return exc.reason
    if isinstance(exc, IOCError):
        return Reason.of("failed", detail=str(exc))
    log.error("%s could not be computed", what, exc_info=exc)
    first = str(exc).splitlines()[0] if str(exc) else ""
    return Reason.of("failed", detail=f"{type(exc).__name__}: {first}")


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number != number else number  # NaN is no data


def read_many(
    evaluator: Evaluator, indicators: Sequence[Indicator], place: Place, scope: Scope
) -> list[Reading]:
    return [evaluator.read(i, place, scope) for i in indicators]
