"""What an indicator is: a declarative definition, checked against the sector catalog.

A definition is data (a TOML table, or the same keys sent through the API), never Python:

    id = "personnel.women_share"            # domain.name, lower case
    name_vi = "Tỷ lệ nữ"    name_en = "Share of women"
    domain = "personnel"                    # a sector id of the catalog
    unit = "percent"                        # see UNITS
    formula = "100 * women / staff"         # arithmetic over the measures below
    period = "year"                         # optional: see Measure.period
    dimensions = ["level"]                  # code fields it can also be cut by
    target = 50   direction = "higher"      # "higher" or "lower" is better
    thresholds = { green = 45, amber = 35 }
    owner = "Vụ Tổ chức cán bộ"

    [measures.women]                        # each measure: one aggregate over one entity
    entity = "person"
    value = "count(*)"
    where = "status = 'DANG_CONG_TAC' AND sex = '2'"

A definition with one measure may give ``entity``, ``value`` and ``where`` at the top level
instead; its formula is then that measure. Expressions are SQL in DuckDB's dialect; the
compiler (``compile.py``) transpiles them for every other engine. Every column is checked
against the entity's fields, every code literal compared with a code field against its code
list, and every divisor that is a constant zero is refused, so that a mistake is named when
the definition is saved, not when a panel on the wall is drawn.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import expressions as exp
from sqlglot.errors import ParseError
from sqlglot.optimizer.simplify import simplify

from noivu_ioc.catalog import Entity, FieldType, catalog
from noivu_ioc.catalog.model import Sensitivity
from noivu_ioc.errors import InvalidInputError

# Units of measure, with their Vietnamese and English labels and the number of decimals shown.
UNITS: dict[str, tuple[str, str, int]] = {
    "count": ("", "", 0),  # a number of things: the name says of what
    "people": ("người", "people", 0),
    "percent": ("%", "%", 1),
    "per_thousand": ("‰", "per 1,000", 1),
    "ratio": ("lần", "ratio", 2),
    "years": ("tuổi/năm", "years", 1),
    "days": ("ngày", "days", 1),
    "score": ("điểm", "points", 2),
    "million_vnd": ("triệu đồng", "million VND", 0),
    "number": ("", "", 1),
}

DIRECTIONS = ("higher", "lower")

# Place dimensions every entity with the matching column can be cut by; the others are the
# entity's code fields named in ``dimensions``.
PLACE_DIMENSIONS = ("province", "commune")

_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KNOWN_KEYS = {
    "id",
    "name_vi",
    "name_en",
    "description_vi",
    "description_en",
    "domain",
    "unit",
    "formula",
    "period",
    "dimensions",
    "target",
    "direction",
    "thresholds",
    "owner",
    "measures",
    "entity",
    "value",
    "where",
    "decimals",
}
_MEASURE_KEYS = {"entity", "value", "where", "period"}


class DefinitionError(InvalidInputError):
    """An indicator definition that cannot be used; the message names the problem and the fix."""


@dataclass(frozen=True, slots=True)
class Measure:
    """One aggregate over one entity, with a fixed filter.

    ``period`` is an expression giving the year a row counts for (a column such as ``year``,
    or ``year(decision_date)``); without it the measure is a stock: it counts the rows as they
    stand in the latest data, whatever the period asked for.
    """

    name: str
    entity: str
    value: exp.Expr
    where: exp.Expr | None
    period: exp.Expr | None

    @property
    def entity_def(self) -> Entity:
        return catalog().entity(self.entity)

    def reads(self, *levels: Sensitivity) -> tuple[str, ...]:
        """The fields of these sensitivities that the value or the filter reads, i.e. the
        personal data the figures describe people by (the period, a year, is left out)."""
        entity = self.entity_def
        found: dict[str, None] = {}
        for part in (self.value, self.where):
            for column in part.find_all(exp.Column) if part is not None else ():
                name = column.name
                if name in entity.field_names and entity.field(name).sensitivity in levels:
                    found[name] = None
        return tuple(found)

    @property
    def sensitive(self) -> tuple[str, ...]:
        """Sensitive personal data (Decree 13/2023, art. 2.4) the figures are about:
        ethnicity, religion, health, Party membership... Small cells of them are withheld."""
        return self.reads(Sensitivity.SENSITIVE)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Traffic light: with ``direction="higher"`` a value at or above ``green`` is green, at or
    above ``amber`` amber, below it red; with ``"lower"`` the comparisons turn round."""

    green: float
    amber: float
    direction: str

    def status(self, value: float | None) -> str | None:
        if value is None:
            return None
        if self.direction == "higher":
            return "green" if value >= self.green else "amber" if value >= self.amber else "red"
        return "green" if value <= self.green else "amber" if value <= self.amber else "red"


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name_vi: str
    name_en: str
    domain: str
    unit: str
    formula: exp.Expr
    measures: tuple[Measure, ...]
    dimensions: tuple[str, ...]
    target: float | None
    thresholds: Thresholds | None
    owner: str
    description_vi: str
    description_en: str
    decimals: int
    digest: str  # of the definition as given: part of every cache key
    origin: str  # "library" (shipped), or the analyst who saved it

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def description(self, lang: str) -> str:
        return self.description_vi if lang == "vi" else self.description_en

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.entity for m in self.measures))

    @property
    def personal_fields(self) -> dict[str, tuple[str, ...]]:
        """Per entity, the personal or sensitive fields the measures' values and filters read:
        an analyst's own definition may read them only under a data-sharing agreement."""
        found: dict[str, dict[str, None]] = {}
        for measure in self.measures:
            for name in measure.reads(Sensitivity.PERSONAL, Sensitivity.SENSITIVE):
                found.setdefault(measure.entity, {})[name] = None
        return {entity: tuple(names) for entity, names in found.items()}

    @property
    def discloses(self) -> bool:
        """Whether a figure could tell a person's sensitive data (see ``Measure.sensitive``)."""
        return any(m.sensitive for m in self.measures)

    @property
    def has_period(self) -> bool:
        return any(m.period is not None for m in self.measures)

    @property
    def place_dimensions(self) -> tuple[str, ...]:
        """Place levels every measure can be cut by (so that the figure adds up)."""
        found = []
        for level in PLACE_DIMENSIONS:
            if all(place_column(m.entity_def, level) for m in self.measures):
                found.append(level)
        return tuple(found)

    @property
    def cuts_by_agency(self) -> bool:
        return all("agency_id" in m.entity_def.field_names for m in self.measures)

    def unit_label(self, lang: str) -> str:
        vi, en, _ = UNITS[self.unit]
        return vi if lang == "vi" else en


def place_column(entity: Entity, level: str) -> str | None:
    """The column of ``entity`` holding its province or commune code, if it has one."""
    if level == "province":
        return entity.province_field
    if level == "commune":
        return "commune_code" if "commune_code" in entity.field_names else None
    raise ValueError(level)


def parse_definition(raw: dict[str, Any], origin: str = "library") -> Indicator:
    """Check a definition and build the indicator, or raise DefinitionError naming the
    first problem found."""
    ident = raw.get("id")
    where = f"indicator {ident!r}" if isinstance(ident, str) else "an indicator definition"
    if not isinstance(ident, str) or not _ID.match(ident):
        raise DefinitionError(
            f"{where}: id must look like 'domain.name' in lower case with underscores, e.g. "
            "'personnel.women_share'"
        )
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise DefinitionError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(_KNOWN_KEYS))}"
        )
    for key in ("name_vi", "name_en", "domain", "unit"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise DefinitionError(f"{where}: {key} is required (a non-empty text)")
    sectors = {s.id for s in catalog().sectors}
    if raw["domain"] not in sectors:
        raise DefinitionError(
            f"{where}: domain {raw['domain']!r} is not a sector of the catalog; choose one of "
            f"{', '.join(sorted(sectors))}"
        )
    if raw["unit"] not in UNITS:
        raise DefinitionError(
            f"{where}: unit {raw['unit']!r} is unknown; choose one of {', '.join(UNITS)}"
        )

    measures = _measures(where, raw)
    names = {m.name for m in measures}
    formula_text = raw.get("formula")
    if formula_text is None:
        if len(measures) != 1:
            raise DefinitionError(
                f"{where}: a formula is required with several measures, e.g. "
                f'formula = "100 * {measures[0].name} / {measures[1].name}"'
            )
        formula_text = measures[0].name
    formula = _formula(where, str(formula_text), names)

    dimensions = raw.get("dimensions", [])
    if not isinstance(dimensions, list) or not all(isinstance(d, str) for d in dimensions):
        raise DefinitionError(f"{where}: dimensions must be a list of field names")
    for dim in dimensions:
        for m in measures:
            entity = m.entity_def
            if dim not in entity.field_names:
                raise DefinitionError(
                    f"{where}: dimension {dim!r} is not a field of {entity.id} (measure "
                    f"{m.name}){_near(dim, entity.field_names)}"
                )
            if entity.field(dim).type is not FieldType.CODE:
                raise DefinitionError(
                    f"{where}: dimension {dim!r} of {entity.id} is not a code field; an "
                    "indicator is cut only by code lists (and by place)"
                )

    target = _number(where, raw, "target")
    direction = raw.get("direction", "higher")
    if direction not in DIRECTIONS:
        raise DefinitionError(
            f"{where}: direction {direction!r} must be 'higher' or 'lower' (which is better)"
        )
    thresholds = None
    if "thresholds" in raw:
        t = raw["thresholds"]
        if not isinstance(t, dict) or set(t) != {"green", "amber"}:
            raise DefinitionError(
                f"{where}: thresholds must be a table with exactly green and amber, e.g. "
                "thresholds = { green = 90, amber = 75 }"
            )
        green, amber = _number(where, t, "green"), _number(where, t, "amber")
        assert green is not None and amber is not None
        wrong = green < amber if direction == "higher" else green > amber
        if wrong:
            raise DefinitionError(
                f"{where}: with direction={direction!r} the green threshold ({green:g}) must be "
                f"{'at or above' if direction == 'higher' else 'at or below'} the amber one "
                f"({amber:g})"
            )
        thresholds = Thresholds(green, amber, direction)

    decimals = raw.get("decimals", UNITS[raw["unit"]][2])
    if not isinstance(decimals, int) or not 0 <= decimals <= 4:
        raise DefinitionError(f"{where}: decimals must be a whole number from 0 to 4")
    digest = hashlib.sha256(
        json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()[:16]
    return Indicator(
        id=ident,
        name_vi=raw["name_vi"].strip(),
        name_en=raw["name_en"].strip(),
        domain=raw["domain"],
        unit=raw["unit"],
        formula=formula,
        measures=measures,
        dimensions=tuple(dimensions),
        target=target,
        thresholds=thresholds,
        owner=str(raw.get("owner", "")),
        description_vi=str(raw.get("description_vi", "")),
        description_en=str(raw.get("description_en", "")),
        decimals=decimals,
        digest=digest,
        origin=origin,
    )


def _measures(where: str, raw: dict[str, Any]) -> tuple[Measure, ...]:
    specs = raw.get("measures")
    top_level = {k: raw[k] for k in ("entity", "value", "where") if k in raw}
    if specs is not None and top_level:
        raise DefinitionError(
            f"{where}: give either [measures.*] tables or entity/value/where at the top level, "
            "not both"
        )
    if specs is None:
        if "entity" not in top_level:
            raise DefinitionError(
                f'{where}: no measure; add entity and value (e.g. entity = "person", '
                'value = "count(*)"), or [measures.<name>] tables'
            )
        specs = {"value": {**top_level, **({"period": raw["period"]} if "period" in raw else {})}}
    elif "period" in raw:
        specs = {
            name: {"period": raw["period"], **spec} if isinstance(spec, dict) else spec
            for name, spec in specs.items()
        }
    if not isinstance(specs, dict) or not specs:
        raise DefinitionError(f"{where}: measures must be a table of named measures")
    return tuple(_measure(where, name, spec) for name, spec in specs.items())


def _measure(where: str, name: str, spec: Any) -> Measure:
    if not _NAME.match(name):
        raise DefinitionError(
            f"{where}: measure name {name!r} must be lower case letters, digits and underscores"
        )
    if not isinstance(spec, dict):
        raise DefinitionError(f"{where}: measure {name} must be a table")
    unknown = sorted(set(spec) - _MEASURE_KEYS)
    if unknown:
        raise DefinitionError(
            f"{where}: measure {name} has unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(_MEASURE_KEYS))}"
        )
    entity_id = spec.get("entity")
    try:
        entity = catalog().entity(str(entity_id))
    except KeyError:
        names = [e.id for e in catalog().entities]
        raise DefinitionError(
            f"{where}: measure {name}: entity {entity_id!r} is not in the catalog"
            f"{_near(str(entity_id), names)}"
        ) from None
    label = f"{where}: measure {name} ({entity.id})"
    value = _expression(label, "value", spec.get("value", "count(*)"), entity)
    if not any(isinstance(node, exp.AggFunc) for node in value.walk()):
        raise DefinitionError(
            f"{label}: value {spec.get('value')!r} has no aggregate; use count(*), sum(...), "
            "avg(...), count_if(...), count(DISTINCT ...) or similar"
        )
    filter_ = _expression(label, "where", spec["where"], entity) if spec.get("where") else None
    if filter_ is not None and any(isinstance(n, exp.AggFunc) for n in filter_.walk()):
        raise DefinitionError(f"{label}: where must not contain an aggregate")
    period = _expression(label, "period", spec["period"], entity) if spec.get("period") else None
    return Measure(name, entity.id, value, filter_, period)


def _expression(label: str, key: str, text: Any, entity: Entity) -> exp.Expr:
    if not isinstance(text, str) or not text.strip():
        raise DefinitionError(f"{label}: {key} must be a SQL expression in text")
    try:
        parsed = sqlglot.parse_one(text, read="duckdb")
    except ParseError as exc:
        first = exc.errors[0]["description"] if exc.errors else str(exc)
        raise DefinitionError(f"{label}: {key} {text!r} is not valid SQL: {first}") from None
    if isinstance(parsed, (exp.Select, exp.Subquery)) or parsed.find(exp.Select):
        raise DefinitionError(
            f"{label}: {key} {text!r} must be an expression, not a query; measures of other "
            "entities go in their own [measures.*] table"
        )
    for column in parsed.find_all(exp.Column):
        if column.table:
            raise DefinitionError(
                f"{label}: {key} refers to {column.sql()!r}; write columns without a table name"
            )
        if column.name not in entity.field_names:
            raise DefinitionError(
                f"{label}: {key} refers to {column.name!r}, which is not a field of "
                f"{entity.id}{_near(column.name, entity.field_names)}"
            )
    _check_codes(label, key, parsed, entity)
    _check_divisors(label, key, parsed)
    return parsed


def _check_codes(label: str, key: str, parsed: exp.Expr, entity: Entity) -> None:
    """``field = 'X'`` and ``field IN ('X', ...)`` on a code field: X must be in its list."""
    pairs: list[tuple[exp.Column, exp.Literal]] = []
    for node in parsed.find_all(exp.EQ, exp.NEQ):
        left, right = node.this, node.expression
        if isinstance(left, exp.Column) and isinstance(right, exp.Literal):
            pairs.append((left, right))
        elif isinstance(right, exp.Column) and isinstance(left, exp.Literal):
            pairs.append((right, left))
    for member in parsed.find_all(exp.In):
        if isinstance(member.this, exp.Column):
            pairs.extend((member.this, e) for e in member.expressions if isinstance(e, exp.Literal))
    for column, literal in pairs:
        field = entity.field(column.name)
        if field.type is not FieldType.CODE or not literal.is_string or field.codelist is None:
            continue
        codes = set(catalog().codelist(field.codelist).values)
        if literal.this not in codes:
            raise DefinitionError(
                f"{label}: {key} compares {column.name} with {literal.this!r}, which is not a "
                f"code of {field.codelist}{_near(literal.this, sorted(codes))}"
            )


def _check_divisors(label: str, key: str, parsed: exp.Expr) -> None:
    """Refuse a divisor that is a constant zero however it is written: ``0``, ``(0)``,
    ``-0``, ``1 - 1``. A divisor with a column or a measure is guarded when compiled."""
    for node in parsed.find_all(exp.Div):
        divisor = node.expression
        if divisor.find(exp.Column) is not None:
            continue
        folded = simplify(divisor.copy())
        while isinstance(folded, (exp.Paren, exp.Neg)):
            folded = folded.this
        if isinstance(folded, exp.Literal) and folded.is_number and float(folded.this) == 0:
            raise DefinitionError(
                f"{label}: {key} divides by the constant 0 ({node.sql()!r}); divide by a "
                "measure or a non-zero number"
            )


def _formula(where: str, text: str, names: set[str]) -> exp.Expr:
    try:
        parsed = sqlglot.parse_one(text, read="duckdb")
    except ParseError as exc:
        first = exc.errors[0]["description"] if exc.errors else str(exc)
        raise DefinitionError(f"{where}: formula {text!r} is not valid: {first}") from None
    allowed = (
        exp.Column,
        exp.Identifier,
        exp.Literal,
        exp.Add,
        exp.Sub,
        exp.Mul,
        exp.Div,
        exp.Paren,
        exp.Neg,
    )
    for node in parsed.walk():
        if not isinstance(node, allowed):
            raise DefinitionError(
                f"{where}: formula {text!r} may use only measure names, numbers, + - * / and "
                f"parentheses; {node.sql()!r} is not allowed"
            )
    for column in parsed.find_all(exp.Column):
        if column.table or column.name not in names:
            raise DefinitionError(
                f"{where}: formula refers to {column.sql()!r}, which is not a measure; measures "
                f"are {', '.join(sorted(names))}"
            )
    _check_divisors(where, "formula", parsed)
    return parsed


def _number(where: str, raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DefinitionError(f"{where}: {key} must be a number, not {value!r}")
    return float(value)


def _near(value: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""
