"""The shipped indicator library: it loads, covers every sector, is described in both
languages, gives a plausible figure on the demo data, cuts into real provinces, and the
checks of the definition model refuse bad definitions with a message that names the fault."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from noivu_ioc.access.scope import Scope
from noivu_ioc.catalog import catalog
from noivu_ioc.indicators.compile import Place, Question, compile_question
from noivu_ioc.indicators.model import UNITS, DefinitionError, Indicator, parse_definition
from noivu_ioc.indicators.registry import LIBRARY, library, read_definitions
from noivu_ioc.units.admin import provinces
from noivu_ioc.warehouse import Warehouse

INDICATORS = library()
MIN_INDICATORS = 46
MIN_PER_DOMAIN = 3

# Percentages that compare with a quota or a target rather than a part of a whole: they may
# pass 100 (staff over the approved headcount, a programme beyond its goal).
BEYOND_100 = {
    "organisation.civil_servant_quota_use",
    "organisation.public_employee_quota_use",
    "youth.programme_participation",
    "youth.programme_disbursement",
    "talent.recruitment_attainment",
    "emulation.grassroots_fighters_ratio",
}

# What a figure in each unit can plausibly be, nationally, on the demo data.
RANGES: dict[str, tuple[float, float]] = {
    "count": (0, 10_000_000),
    "people": (0, 200_000_000),
    "percent": (0, 100),
    "per_thousand": (0, 1000),
    "ratio": (0, 1000),
    "years": (16, 70),
    "days": (0, 366),
    "score": (0, 100),
    "million_vnd": (0, 1e9),
    "number": (0, 1e7),
}


def _ids(indicator: Indicator) -> str:
    return indicator.id


def _latest_period(warehouse: Warehouse, indicator: Indicator) -> tuple[int, ...]:
    """The newest period with a value at nation level; () for a stock."""
    if not indicator.has_period:
        return ()
    trend = _rows(warehouse, indicator, Question(Place.nation(), by="period"))
    known = [int(r["k"]) for r in trend if r["k"] is not None and r["value"] is not None]
    if indicator.id in NEEDS_NORMS:
        assert known == []
        return (2025,)
    assert known, f"{indicator.id} has no period with data in the demo warehouse"
    return (max(known),)


def _rows(warehouse: Warehouse, indicator: Indicator, question: Question) -> list[dict[str, Any]]:
    return warehouse.query(compile_question(indicator, question, Scope.everything(), "duckdb"))


# -- the library as a whole -------------------------------------------------------------------


def test_library_covers_every_sector() -> None:
    assert len(INDICATORS) >= MIN_INDICATORS
    per_domain = Counter(i.domain for i in INDICATORS)
    for sector in catalog().sectors:
        assert per_domain[sector.id] >= MIN_PER_DOMAIN, (sector.id, per_domain[sector.id])
    # the workforce and the organisation are what leaders ask about most
    assert per_domain["personnel"] >= 10
    assert per_domain["organisation"] >= 6


def test_one_file_per_domain_holding_only_its_domain() -> None:
    files = sorted(LIBRARY.glob("*.toml"))
    assert {p.stem for p in files} == {s.id for s in catalog().sectors}
    for path in files:
        for raw in read_definitions(path):
            assert raw["domain"] == path.stem, (path.name, raw["id"])
            assert raw["id"].startswith(f"{path.stem}."), (path.name, raw["id"])


@pytest.mark.parametrize("indicator", INDICATORS, ids=_ids)
def test_indicator_is_described_in_both_languages(indicator: Indicator) -> None:
    for text in (
        indicator.name_vi,
        indicator.name_en,
        indicator.description_vi,
        indicator.description_en,
        indicator.owner,
    ):
        assert text.strip() and text == text.strip()
    assert indicator.name_vi != indicator.name_en
    assert indicator.description_vi != indicator.description_en
    # Vietnamese text on screen carries its diacritics
    assert any(ord(ch) > 127 for ch in indicator.name_vi + indicator.description_vi)
    assert indicator.unit in UNITS


def test_descriptions_of_fixed_date_windows_say_so() -> None:
    """A window pinned to the data's reference date must be explained to the reader."""
    for indicator in INDICATORS:
        sql = " ".join(m.where.sql("duckdb") for m in indicator.measures if m.where is not None)
        if "2026-06-30" in sql:
            assert "30/6/2026" in indicator.description_vi, indicator.id
            assert "30 June 2026" in indicator.description_en, indicator.id


def test_issue_topics_are_all_there() -> None:
    ids = {i.id for i in INDICATORS}
    wanted = {
        "organisation.civil_servant_quota_use",
        "personnel.women_share",
        "personnel.ethnic_minority_share",
        "personnel.average_age",
        "personnel.retiring_5y",
        "training.coverage",
        "training.people_trained",
        "exams.pass_rate",
        "emulation.awards_per_thousand_staff",
        "religion.worship_places",
        "religion.dignitaries",
        "associations.associations",
        "associations.funds",
        "youth.youth_share",
        "talent.programmes",
        "organisation.staff_reduction_progress",
        "organisation.communes_below_norm",
    }
    assert wanted <= ids, sorted(wanted - ids)
    by_id = {i.id: i for i in INDICATORS}
    assert "province" in by_id["organisation.civil_servant_quota_use"].place_dimensions
    for ident in ("personnel.women_share", "personnel.ethnic_minority_share"):
        assert "level" in by_id[ident].dimensions
    assert {"kind", "level"} <= set(by_id["training.people_trained"].dimensions)
    assert "level" in by_id["training.coverage"].dimensions
    for ident in ("religion.worship_places", "religion.dignitaries"):
        assert "religion" in by_id[ident].dimensions
        assert "province" in by_id[ident].place_dimensions
    for ident in ("associations.associations", "associations.funds"):
        assert "status" in by_id[ident].dimensions
    assert by_id["emulation.awards_per_thousand_staff"].entities == ("award", "person")


# -- on the demo data -------------------------------------------------------------------------

# At demo scale the generator gives communes no staffing norm (the norm of 36 people, scaled
# to 1% of the country, rounds to nobody): these read "no data" there, not 0.
NEEDS_NORMS = {"organisation.communes_below_norm", "organisation.communes_below_norm_share"}


@pytest.mark.parametrize("indicator", INDICATORS, ids=_ids)
def test_nation_value_is_plausible(demo_warehouse: Warehouse, indicator: Indicator) -> None:
    periods = _latest_period(demo_warehouse, indicator)
    rows = _rows(demo_warehouse, indicator, Question(Place.nation(), periods))
    assert len(rows) == 1
    value = rows[0]["value"]
    if indicator.id in NEEDS_NORMS:
        assert value is None
        return
    assert value is not None, f"{indicator.id} has no value for {periods or 'the stock'}"
    low, high = RANGES[indicator.unit]
    if indicator.id in BEYOND_100:
        high = 300
    assert low <= value <= high, (indicator.id, periods, value)


@pytest.mark.parametrize(
    "indicator",
    [i for i in INDICATORS if "province" in i.place_dimensions and i.id not in NEEDS_NORMS],
    ids=_ids,
)
def test_province_cut_names_real_provinces(demo_warehouse: Warehouse, indicator: Indicator) -> None:
    periods = _latest_period(demo_warehouse, indicator)
    rows = _rows(demo_warehouse, indicator, Question(Place.nation(), periods, "province"))
    real = {p.code for p in provinces()}
    # rows without a province are the data kept at central level
    keyed = [r for r in rows if r["k"] is not None]
    assert keyed, f"{indicator.id} has no province with data"
    assert {r["k"] for r in keyed} <= real, sorted({r["k"] for r in keyed} - real)
    assert any(r["value"] is not None for r in keyed)


@pytest.mark.parametrize("indicator", [i for i in INDICATORS if i.dimensions], ids=_ids)
def test_code_cuts_give_codes_of_their_list(
    demo_warehouse: Warehouse, indicator: Indicator
) -> None:
    periods = _latest_period(demo_warehouse, indicator)
    entity = indicator.measures[0].entity_def
    for dim in indicator.dimensions:
        codelist = entity.field(dim).codelist
        assert codelist is not None
        codes = set(catalog().codelist(codelist).values)
        rows = _rows(demo_warehouse, indicator, Question(Place.nation(), periods, dim))
        keys = {r["k"] for r in rows if r["k"] is not None}
        assert keys, (indicator.id, dim)
        assert keys <= codes, (indicator.id, dim, sorted(keys - codes))


# -- bad definitions are refused, naming the fault --------------------------------------------


def _women_share(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": "personnel.test_share",
        "name_vi": "Tỷ lệ thử",
        "name_en": "Test share",
        "domain": "personnel",
        "unit": "percent",
        "formula": "100 * women / staff",
        "dimensions": ["level"],
        "direction": "higher",
        "thresholds": {"green": 45, "amber": 35},
        "measures": {
            "women": {
                "entity": "person",
                "value": "count(*)",
                "where": "status = 'DANG_CONG_TAC' AND sex = '2'",
            },
            "staff": {"entity": "person", "value": "count(*)", "where": "status = 'DANG_CONG_TAC'"},
        },
    }
    raw.update(changes)
    return raw


def _with_measure(name: str, **spec: Any) -> dict[str, Any]:
    raw = _women_share()
    raw["measures"] = {**raw["measures"], name: {**raw["measures"].get(name, {}), **spec}}
    return raw


def test_the_base_definition_is_accepted() -> None:
    indicator = parse_definition(_women_share())
    assert indicator.entities == ("person",)
    assert indicator.thresholds is not None and indicator.thresholds.status(50) == "green"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            _with_measure("women", where="status = 'DANG_CONG_TAC' AND sexx = '2'"),
            ["'sexx'", "not a field of person", "did you mean sex"],
            id="unknown-field",
        ),
        pytest.param(
            _with_measure("staff", value="sum(salary_coef)"),
            ["'salary_coef'", "not a field of person", "salary_coefficient"],
            id="unknown-field-in-value",
        ),
        pytest.param(
            _with_measure("staff", entity="persons"),
            ["entity 'persons' is not in the catalog", "did you mean person"],
            id="unknown-entity",
        ),
        pytest.param(
            _with_measure("women", where="status = 'ACTIVE' AND sex = '2'"),
            ["compares status with 'ACTIVE'", "not a code of personnel_status"],
            id="code-not-in-list",
        ),
        pytest.param(
            _with_measure("women", where="status = 'DANG_CONG_TAC' AND sex IN ('2', 'F')"),
            ["compares sex with 'F'", "not a code of sex"],
            id="code-not-in-list-in-IN",
        ),
        pytest.param(
            _women_share(formula="100 * women / 0"),
            ["divides by the constant 0"],
            id="formula-divides-by-zero",
        ),
        pytest.param(
            _with_measure("staff", value="sum(salary_coefficient) / 0.0"),
            ["measure staff", "divides by the constant 0"],
            id="value-divides-by-zero",
        ),
        pytest.param(
            _women_share(formula="100 * women / total"),
            ["formula refers to 'total', which is not a measure", "staff, women"],
            id="formula-names-missing-measure",
        ),
        pytest.param(
            _women_share(thresholds={"green": 30, "amber": 40}),
            ["direction='higher'", "green threshold (30)", "at or above the amber one (40)"],
            id="thresholds-wrong-order-higher",
        ),
        pytest.param(
            _women_share(direction="lower", thresholds={"green": 40, "amber": 30}),
            ["direction='lower'", "green threshold (40)", "at or below the amber one (30)"],
            id="thresholds-wrong-order-lower",
        ),
        pytest.param(
            _women_share(thresholds={"green": 45}),
            ["thresholds must be a table with exactly green and amber"],
            id="thresholds-incomplete",
        ),
        pytest.param(
            _women_share(dimensions=["kind"]),
            ["dimension 'kind' is not a field of person"],
            id="dimension-not-a-field",
        ),
        pytest.param(
            _women_share(dimensions=["birth_date"]),
            ["dimension 'birth_date' of person is not a code field"],
            id="dimension-not-a-code",
        ),
        pytest.param(
            _women_share(unit="percentage"),
            ["unit 'percentage' is unknown"],
            id="unknown-unit",
        ),
        pytest.param(
            _women_share(domain="police"),
            ["domain 'police' is not a sector of the catalog"],
            id="unknown-domain",
        ),
        pytest.param(
            _women_share(colour="red"),
            ["unknown key(s) colour"],
            id="unknown-key",
        ),
        pytest.param(
            _with_measure("staff", value="status"),
            ["has no aggregate"],
            id="value-without-aggregate",
        ),
        pytest.param(
            _women_share(formula="100 * women / staff; DROP TABLE person"),
            ["formula"],
            id="formula-not-arithmetic",
        ),
        pytest.param(
            _women_share(id="Personnel-Test"),
            ["id must look like 'domain.name'"],
            id="bad-id",
        ),
    ],
)
def test_bad_definition_is_refused(raw: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw)
    message = str(caught.value)
    for part in expected:
        assert part in message, (part, message)


def test_a_dimension_must_exist_in_every_measure() -> None:
    """Training coverage cannot be cut by kind: the serving staff it divides by has no kind."""
    raw = {
        "id": "training.test_coverage",
        "name_vi": "Tỷ lệ thử",
        "name_en": "Test coverage",
        "domain": "training",
        "unit": "percent",
        "formula": "100 * trained / staff",
        "dimensions": ["kind"],
        "measures": {
            "trained": {
                "entity": "training_record",
                "value": "count(DISTINCT person_id)",
                "period": "year",
            },
            "staff": {"entity": "person", "value": "count(*)"},
        },
    }
    with pytest.raises(DefinitionError, match=r"dimension 'kind' is not a field of person"):
        parse_definition(raw)
    raw["dimensions"] = ["level"]
    assert parse_definition(raw).dimensions == ("level",)
