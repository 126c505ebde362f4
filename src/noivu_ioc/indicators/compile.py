"""From a checked definition to one SQL statement, in the dialect of the engine that runs it.

Each measure becomes a common table expression: its aggregate over its entity, filtered by
the measure's own condition, the viewer's scope, the place asked for and the period, grouped
by the keys of the question (a child unit, a code, a period). The formula then combines the
measures row by row, every divisor wrapped in NULLIF so that an empty denominator gives "no
data" instead of an error. The statement is built as a sqlglot tree and written out by
sqlglot for DuckDB, PostgreSQL or any dialect it knows, so one definition runs unchanged on
each.

Values from the request (unit codes, periods) enter the tree as literals that sqlglot quotes;
nothing is pasted into SQL text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlglot import expressions as exp

from noivu_ioc.access.scope import Scope
from noivu_ioc.errors import InvalidInputError
from noivu_ioc.indicators.model import Indicator, Measure, place_column
from noivu_ioc.indicators.reasons import Reason

# The fewest people a figure about sensitive personal data may describe, on either side of
# the attribute: below it the cell is withheld (primary suppression, a threshold rule of
# statistical disclosure control), for every viewer. A cut that would withhold one cell
# only withholds a second with it (engine.Evaluator.cut).
SMALL_CELL = 5

# How the warehouse's tables are named in the statement: by default the entity id itself.
TableNamer = Callable[[str], exp.Table]


def default_table(entity: str) -> exp.Table:
    return exp.to_table(entity, quoted=True)


@dataclass(frozen=True, slots=True)
class Place:
    """Where an indicator is read: the whole scope, a province, a commune or an agency."""

    level: str  # "nation" | "province" | "commune" | "agency"
    code: str | None = None

    @classmethod
    def nation(cls) -> Place:
        return cls("nation")

    @property
    def key(self) -> str:
        return self.level if self.code is None else f"{self.level}:{self.code}"


class NotAvailable(InvalidInputError):
    """The indicator cannot answer this question (for example a cut the data does not have);
    the panel shows "no data" with this reason."""

    def __init__(self, reason: Reason, subject: str) -> None:
        super().__init__(f"{subject}: {reason.text('en')}", vi=f"{subject}: {reason.text('vi')}")
        self.reason = reason


def _cuts(indicator: Indicator) -> str:
    cuts = list(indicator.place_dimensions) + (["agency"] if indicator.cuts_by_agency else [])
    return ", ".join(cuts + list(indicator.dimensions)) or "–"


@dataclass(frozen=True, slots=True)
class Question:
    """What is asked of an indicator. ``by`` groups the answer: "period" (a trend),
    "province", "commune", "agency", or one of the indicator's code dimensions."""

    place: Place
    periods: tuple[int, ...] = ()  # empty: a stock as it stands, or every period when by=period
    by: str | None = None


def compile_question(
    indicator: Indicator,
    question: Question,
    scope: Scope,
    dialect: str = "duckdb",
    table: TableNamer = default_table,
) -> str:
    return build(indicator, question, scope, table).sql(dialect=dialect)


def build(
    indicator: Indicator, question: Question, scope: Scope, table: TableNamer = default_table
) -> exp.Select:
    by = question.by
    if by == "period" and not indicator.has_period:
        raise NotAvailable(Reason.of("no_trend"), indicator.id)
    if by is not None and by != "period":
        _check_cut(indicator, by)
    keyed: list[Measure] = []  # measures grouped by the question's key
    fixed: list[Measure] = []  # one row each: no key, or a stock in a trend
    for measure in indicator.measures:
        if by is not None and (by != "period" or measure.period is not None):
            keyed.append(measure)
        else:
            fixed.append(measure)

    guarded = indicator.discloses
    rows: dict[str, exp.Expr] = {m.name: exp.column("n", table=f"m_{m.name}") for m in fixed}
    rows.update({m.name: exp.column(_rows_name(m), table="keyed") for m in keyed})

    select: exp.Select
    if not keyed:
        refs = {m.name: exp.column("v", table=f"m_{m.name}") for m in fixed}
        select = exp.select(*_outputs(indicator, refs, rows, guarded))
        select = select.from_(exp.to_table(f"m_{fixed[0].name}"))
    else:
        # The keyed measures meet in one grouped union rather than a FULL JOIN ... USING:
        # rows without a key (a central agency has no province) must meet too, and NULL
        # never equals NULL in a join, while GROUP BY puts all NULL keys in one group.
        parts = []
        for measure in keyed:
            columns: list[exp.Expr] = [exp.column("k")]
            for other in keyed:
                cell = exp.column("v") if other is measure else exp.null()
                columns.append(exp.alias_(exp.cast(cell, exp.DataType.build("double")), other.name))
            if guarded:
                for other in keyed:
                    count = exp.column("n") if other is measure else exp.null()
                    columns.append(
                        exp.alias_(exp.cast(count, exp.DataType.build("bigint")), _rows_name(other))
                    )
            parts.append(exp.select(*columns).from_(exp.to_table(f"m_{measure.name}")))
        union: exp.Query = parts[0]
        for part in parts[1:]:
            union = exp.union(union, part, distinct=False)
        merged = (
            exp.select(
                exp.column("k"),
                *[
                    exp.alias_(_missing(m, exp.func("max", exp.column(m.name))), m.name)
                    for m in keyed
                ],
                *[
                    exp.alias_(
                        exp.func(
                            "coalesce",
                            exp.func("max", exp.column(_rows_name(m))),
                            exp.Literal.number(0),
                        ),
                        _rows_name(m),
                    )
                    for m in (keyed if guarded else ())
                ],
            )
            .from_(exp.alias_(exp.paren(union), "u"))
            .group_by(exp.column("k"))
        )
        refs = {m.name: exp.column(m.name, table="keyed") for m in keyed}
        refs.update({m.name: exp.column("v", table=f"m_{m.name}") for m in fixed})
        key: exp.Expr = exp.column("k", table="keyed")
        if by == "period":
            key = exp.cast(key, exp.DataType.build("bigint"))
        select = exp.select(exp.alias_(key, "k"), *_outputs(indicator, refs, rows, guarded)).from_(
            exp.to_table("keyed")
        )
        select = select.order_by(exp.Ordered(this=exp.column("k"), nulls_first=False))
    others = fixed if keyed else fixed[1:]
    for measure in others:
        select = select.join(exp.to_table(f"m_{measure.name}"), join_type="cross")
    for measure in indicator.measures:
        select = select.with_(
            f"m_{measure.name}", as_=_measure_query(measure, question, scope, table, guarded)
        )
    if keyed:
        select = select.with_("keyed", as_=merged)
    return select


def _rows_name(measure: Measure) -> str:
    return f"{measure.name}__rows"


def _outputs(
    indicator: Indicator,
    refs: Mapping[str, exp.Expr],
    rows: Mapping[str, exp.Expr],
    guarded: bool,
) -> list[exp.Expr]:
    """The value, and for an indicator about sensitive data whether it is withheld."""
    value = _value(indicator.formula, refs)
    if not guarded:
        return [exp.alias_(value, "value")]
    small = _small_cell(indicator, rows)
    withheld = exp.Case(ifs=[exp.If(this=small, true=exp.null())], default=value)
    return [exp.alias_(withheld, "value"), exp.alias_(small, "suppressed")]


def _small_cell(indicator: Indicator, rows: Mapping[str, exp.Expr]) -> exp.Expr:
    """Whether a figure about sensitive data would describe fewer than ``SMALL_CELL`` people
    on one side: the people with the attribute (a measure filtered on a sensitive field),
    every measure's population, or the people of a population without the attribute (its
    count less the attribute's). Zero is shown: nobody is described by it."""

    def few(count: exp.Expr) -> exp.Expr:
        return exp.and_(
            exp.GT(this=count, expression=exp.Literal.number(0)),
            exp.LT(this=count.copy(), expression=exp.Literal.number(SMALL_CELL)),
        )

    groups = [m for m in indicator.measures if m.sensitive]
    others = [m for m in indicator.measures if not m.sensitive]
    tests = [few(rows[m.name].copy()) for m in indicator.measures]
    for population in others:
        for group in groups:
            tests.append(
                few(exp.Sub(this=rows[population.name].copy(), expression=rows[group.name].copy()))
            )
    return exp.paren(exp.or_(*tests))


def _is_count(value: exp.Expr) -> bool:
    while isinstance(value, (exp.Paren, exp.Cast)):
        value = value.this
    return isinstance(value, (exp.Count, exp.CountIf))


def _counted(value: exp.Expr) -> exp.Expr:
    """A count of nothing is 0 on every engine (PostgreSQL's translation of count_if, a
    SUM of CASE, would give NULL on no rows)."""
    if _is_count(value) and not isinstance(value, exp.Count):
        return exp.func("coalesce", value.copy(), exp.Literal.number(0))
    return value.copy()


def _missing(measure: Measure, merged: exp.Expr) -> exp.Expr:
    """A keyed count with no row for a key that other measures have is 0, not unknown."""
    if _is_count(measure.value):
        return exp.func("coalesce", merged, exp.Literal.number(0))
    return merged


def _value(formula: exp.Expr, refs: Mapping[str, exp.Expr]) -> exp.Expr:
    return exp.cast(_formula(formula, refs), exp.DataType.build("double"))


def _check_cut(indicator: Indicator, by: str) -> None:
    if by in ("province", "commune"):
        if by not in indicator.place_dimensions:
            raise NotAvailable(Reason.of("cannot_cut", by=by, cuts=_cuts(indicator)), indicator.id)
        return
    if by == "agency":
        if not indicator.cuts_by_agency:
            raise NotAvailable(Reason.of("cannot_cut", by=by, cuts=_cuts(indicator)), indicator.id)
        return
    if by not in indicator.dimensions:
        raise NotAvailable(Reason.of("cannot_cut", by=by, cuts=_cuts(indicator)), indicator.id)


def _measure_query(
    measure: Measure, question: Question, scope: Scope, table: TableNamer, guarded: bool = False
) -> exp.Select:
    entity = measure.entity_def
    conditions: list[exp.Expr] = []
    if measure.where is not None:
        conditions.append(exp.paren(measure.where.copy()))
    if not scope.national:
        conditions.append(_scope_condition(measure, scope))
    place = question.place
    if place.level != "nation":
        conditions.append(_place_condition(measure, place))
    if measure.period is not None and question.periods:
        periods = sorted(set(question.periods))
        if len(periods) > 2 and periods == list(range(periods[0], periods[-1] + 1)):
            conditions.append(
                exp.Between(
                    this=measure.period.copy(),
                    low=exp.Literal.number(periods[0]),
                    high=exp.Literal.number(periods[-1]),
                )
            )
        else:
            conditions.append(measure.period.copy().isin(*[exp.Literal.number(p) for p in periods]))

    columns: list[exp.Expr] = []
    group: exp.Expr | None = None
    if question.by == "period" and measure.period is not None:
        group = measure.period.copy()
    elif question.by is not None and question.by != "period":
        group = exp.column(_cut_column(measure, question.by))
    if group is not None:
        columns.append(exp.alias_(group, "k"))
    columns.append(exp.alias_(_counted(measure.value), "v"))
    if guarded:  # the rows the figure stands on, for the small-cell rule
        columns.append(exp.alias_(exp.Count(this=exp.Star()), "n"))
    query = exp.select(*columns).from_(table(entity.id))
    if conditions:
        query = query.where(exp.and_(*conditions))
    if group is not None:
        query = query.group_by(group.copy())
    return query


def _cut_column(measure: Measure, by: str) -> str:
    if by in ("province", "commune"):
        column = place_column(measure.entity_def, by)
        assert column is not None  # checked by _check_cut
        return column
    return "agency_id" if by == "agency" else by


def _scope_condition(measure: Measure, scope: Scope) -> exp.Expr:
    """The viewer's scope in the query itself, as ``Scope.sql_filter`` writes it."""
    if scope.national:
        return exp.true()
    entity = measure.entity_def
    parts: list[exp.Expr] = []
    province = place_column(entity, "province")
    commune = place_column(entity, "commune")
    if province and scope.provinces:
        parts.append(exp.column(province).isin(*_strings(sorted(scope.provinces))))
    if commune and scope.communes:
        parts.append(exp.column(commune).isin(*_strings(sorted(scope.communes))))
    if not parts:
        return exp.false()
    return exp.paren(exp.or_(*parts))


def _place_condition(measure: Measure, place: Place) -> exp.Expr:
    entity = measure.entity_def
    assert place.code is not None
    if place.level == "agency":
        if "agency_id" not in entity.field_names:
            raise NotAvailable(
                Reason.of("not_kept_at", entity=entity.id, level="agency", place=place.key),
                entity.id,
            )
        return exp.column("agency_id").eq(exp.Literal.string(place.code))
    column = place_column(entity, place.level)
    if column is None:
        raise NotAvailable(
            Reason.of("not_kept_at", entity=entity.id, level=place.level, place=place.key),
            entity.id,
        )
    return exp.column(column).eq(exp.Literal.string(place.code))


def _formula(formula: exp.Expr, refs: Mapping[str, exp.Expr]) -> exp.Expr:
    """Measure names become the measures' columns; every divisor is guarded by NULLIF."""

    def columns(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            return refs[node.name].copy()
        return node

    def divisors(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Div):
            return exp.Div(
                this=exp.cast(node.this, exp.DataType.build("double")),
                expression=exp.func("nullif", node.expression, exp.Literal.number(0)),
            )
        return node

    # Two passes: transform() does not descend into a node it has just replaced.
    return formula.copy().transform(columns).transform(divisors)


def _strings(values: Sequence[str]) -> list[exp.Expr]:
    return [exp.Literal.string(v) for v in values]
