"""Indicator conditions beyond a threshold: a change against the previous period, a deviation
from the same period of earlier years, and a linear forecast crossing a threshold. Each
raises, says what it compared with, and resolves by itself when the data moves back; first on
a small warehouse of awards whose every number is known, then on the demo warehouse with
thresholds set on either side of what the data holds. On SQLite and on PostgreSQL."""

from __future__ import annotations

import statistics
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from noivu_ioc.access.scope import Scope
from noivu_ioc.catalog import catalog
from noivu_ioc.errors import InvalidInputError
from noivu_ioc.indicators.compile import Place
from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator
from noivu_ioc.indicators.registry import Registry, library
from noivu_ioc.operations.alerts import check_rule, create_rule, update_rule
from noivu_ioc.operations.evaluate import evaluate_rules
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, AlertRule, Event
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.i18n import format_number
from tests.indicators.test_evaluator import HANOI, LAOCAI, WOMEN, _awards, _table

AWARDS = next(i for i in library() if i.id == "emulation.awards")
REGISTRY = Registry([AWARDS, WOMEN])


def _load(w: Warehouse, counts: dict[tuple[str, int], int]) -> None:
    """Awards decided per (province, year)."""
    w.replace_all(
        [catalog().entity("award")], [("award", _table("award", _awards(counts)))], "awards"
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "w.duckdb")


def _rule(name: str, **config: Any) -> dict[str, Any]:
    return {
        "name": name,
        "title_vi": "Khen thưởng bất thường",
        "kind": "indicator",
        "severity": "minor",
        "config": {"indicator": AWARDS.id, **config},
    }


def _open(store: OpStore, rule: str) -> dict[str, str]:
    """The rule's open alerts: subject → message."""
    with store.session() as session:
        found = session.execute(
            select(Alert.subject, Alert.message)
            .join(AlertRule, AlertRule.id == Alert.rule_id)
            .where(AlertRule.name == rule, Alert.state.in_(("active", "acknowledged")))
        ).all()
    return {s: m for s, m in found}


def _resolved_by(store: OpStore, rule: str) -> list[tuple[str, str | None]]:
    with store.session() as session:
        return [
            (a.subject, a.resolved_by)
            for a in session.scalars(
                select(Alert)
                .join(AlertRule, AlertRule.id == Alert.rule_id)
                .where(AlertRule.name == rule, Alert.state == "resolved")
            )
        ]


def test_a_change_against_the_previous_period(store: OpStore, warehouse: Warehouse) -> None:
    # Hà Nội 10 -> 13 (+30 %), Lào Cai 10 -> 11 (+10 %); the nation 20 -> 24 (+4).
    _load(warehouse, {(HANOI, 2024): 10, (HANOI, 2025): 13, (LAOCAI, 2024): 10, (LAOCAI, 2025): 11})
    evaluator = Evaluator(DuckDBEngine(warehouse))
    with store.session() as session:
        for raw in (
            _rule(
                "tang-20",
                condition="change",
                change="percent",
                direction="up",
                threshold=20,
                per="province",
            ),
            _rule(
                "giam-5",
                condition="change",
                change="percent",
                direction="down",
                threshold=5,
                per="province",
            ),
            _rule("lech-3", condition="change", change="absolute", direction="either", threshold=3),
        ):
            create_rule(session, raw, REGISTRY, "vanhanh")

    result = evaluate_rules(store, evaluator, REGISTRY)
    assert (result.opened, result.failed) == (2, [])
    assert _open(store, "tang-20") == {
        "province:01": "Thành phố Hà Nội: 13 năm 2025, tăng 30,0% so với năm 2024 (10); "
        "ngưỡng 20,0%"
    }
    assert _open(store, "giam-5") == {}  # nothing fell
    assert _open(store, "lech-3") == {
        "nation": "Toàn quốc: 24 năm 2025, tăng 4 so với năm 2024 (20); ngưỡng 3"
    }

    # Hà Nội's rise shrinks to 10 %, the nation's to 2: both clear.
    _load(warehouse, {(HANOI, 2024): 10, (HANOI, 2025): 11, (LAOCAI, 2024): 10, (LAOCAI, 2025): 11})
    cleared = evaluate_rules(store, evaluator, REGISTRY)
    assert cleared.resolved == 2
    assert _open(store, "tang-20") == {} and _open(store, "lech-3") == {}
    assert _resolved_by(store, "tang-20") == [("province:01", "auto")]

    # A fall now: Lào Cai 10 -> 8 is -20 %, beyond the 5 % of the rule on falls.
    _load(warehouse, {(HANOI, 2024): 10, (HANOI, 2025): 11, (LAOCAI, 2024): 10, (LAOCAI, 2025): 8})
    evaluate_rules(store, evaluator, REGISTRY)
    assert list(_open(store, "giam-5").values()) == [
        "Tỉnh Lào Cai: 8 năm 2025, giảm 20,0% so với năm 2024 (10); ngưỡng 5,0%"
    ]


def test_a_deviation_from_the_same_period_of_earlier_years(
    store: OpStore, warehouse: Warehouse
) -> None:
    # Hà Nội 10, 12, 11 in 2022-2024 (mean 11, standard deviation 1), then 20 in 2025.
    # Lào Cai has two earlier years only: no three-year baseline for it.
    counts = {(HANOI, 2022): 10, (HANOI, 2023): 12, (HANOI, 2024): 11, (HANOI, 2025): 20}
    counts |= {(LAOCAI, 2023): 5, (LAOCAI, 2024): 5, (LAOCAI, 2025): 5}
    _load(warehouse, counts)
    evaluator = Evaluator(DuckDBEngine(warehouse))
    with store.session() as session:
        create_rule(
            session, _rule("mua-vu", condition="seasonal", per="province"), REGISTRY, "vanhanh"
        )
        create_rule(
            session,
            _rule("mua-vu-50", condition="seasonal", percent=50, direction="up", per="province"),
            REGISTRY,
            "vanhanh",
        )
        create_rule(
            session,
            _rule("mua-vu-100", condition="seasonal", percent=100, per="province"),
            REGISTRY,
            "vanhanh",
        )
        create_rule(
            session,
            _rule("mua-vu-2", condition="seasonal", years=2, k=0.5, per="province"),
            REGISTRY,
            "vanhanh",
        )

    result = evaluate_rules(store, evaluator, REGISTRY)
    assert result.failed == []
    assert _open(store, "mua-vu") == {
        "province:01": "Thành phố Hà Nội: 20 năm 2025, cao hơn 9 so với trung bình cùng kỳ "
        "3 năm 2022–2024 là 11 (độ lệch chuẩn 1); ngưỡng 2,0 × độ lệch chuẩn = 2"
    }
    # 9 is beyond 50 % of the mean (5.5) but not beyond 100 % (11).
    assert list(_open(store, "mua-vu-50")) == ["province:01"]
    assert "ngưỡng 50,0% của trung bình" in _open(store, "mua-vu-50")["province:01"]
    assert _open(store, "mua-vu-100") == {}
    # Over two years Lào Cai has a baseline (5, 5): 5 is no deviation, even with k = 0.5.
    assert list(_open(store, "mua-vu-2")) == ["province:01"]
    # Too short a history is a note, not an error and not an alert.
    notes = [n for n in result.notes if n.startswith("rule mua-vu:")]
    assert notes == [
        "rule mua-vu: no baseline for Tỉnh Lào Cai in 2025: the same period of 3 earlier "
        "years (2022–2024) needs values"
    ]

    counts[(HANOI, 2025)] = 12  # back within a standard deviation... almost: 1 < 2
    _load(warehouse, counts)
    evaluate_rules(store, evaluator, REGISTRY)
    assert _open(store, "mua-vu") == {} and _open(store, "mua-vu-50") == {}
    assert _resolved_by(store, "mua-vu") == [("province:01", "auto")]


def test_a_forecast_that_crosses_a_threshold(store: OpStore, warehouse: Warehouse) -> None:
    # Hà Nội 10, 12, 14, 16, 18 in 2021-2025: the line rises 2 a year and reads 22 in 2027.
    # Lào Cai has two years: no trend to draw.
    counts = {(HANOI, 2021 + i): 10 + 2 * i for i in range(5)}
    counts |= {(LAOCAI, 2024): 3, (LAOCAI, 2025): 4}
    _load(warehouse, counts)
    evaluator = Evaluator(DuckDBEngine(warehouse))
    with store.session() as session:
        create_rule(
            session,
            _rule(
                "du-bao-21", condition="forecast", threshold=21, direction="above", per="province"
            ),
            REGISTRY,
            "vanhanh",
        )
        create_rule(
            session,
            _rule(
                "du-bao-23", condition="forecast", threshold=23, direction="above", per="province"
            ),
            REGISTRY,
            "vanhanh",
        )
        create_rule(
            session,
            _rule(
                "du-bao-duoi",
                condition="forecast",
                threshold=30,
                direction="below",
                horizon=1,
                periods=3,
            ),
            REGISTRY,
            "vanhanh",
        )

    result = evaluate_rules(store, evaluator, REGISTRY)
    assert result.failed == []
    assert _open(store, "du-bao-21") == {
        "province:01": "Thành phố Hà Nội: dự báo năm 2027 là 22 theo xu hướng tuyến tính "
        "2021–2025 (năm 2025: 18), vượt ngưỡng 21"
    }
    assert _open(store, "du-bao-23") == {}
    # The nation over 2023-2025 (14, 19, 22): slope 4, read at 2026: 22.33 + 4 = 26.3 < 30.
    assert list(_open(store, "du-bao-duoi").values()) == [
        "Toàn quốc: dự báo năm 2026 là 26 theo xu hướng tuyến tính 2023–2025 (năm 2025: 22), "
        "dưới ngưỡng 30"
    ]
    assert any(n.startswith("rule du-bao-21: no trend for Tỉnh Lào Cai") for n in result.notes)

    # 2025 falls back to 10: the line over 10, 12, 14, 16, 10 has slope 0.4 and reads 14
    # in 2027, far from 21.
    counts[(HANOI, 2025)] = 10
    _load(warehouse, counts)
    evaluate_rules(store, evaluator, REGISTRY)
    assert _open(store, "du-bao-21") == {}
    assert _resolved_by(store, "du-bao-21") == [("province:01", "auto")]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"condition": "spike", "threshold": 1}, "condition 'spike' must be one of above, below"),
        (
            {"indicator": "x.y", "condition": "change", "threshold": 1},
            r"indicator 'x\.y' does not exist; GET /api/indicators lists them",
        ),
        ({"condition": "change"}, "threshold is required"),
        ({"condition": "change", "threshold": -5}, "threshold must be at least 0"),
        (
            {"condition": "change", "threshold": 5, "change": "ratio"},
            "change 'ratio' must be one of percent, absolute",
        ),
        (
            {"condition": "change", "threshold": 5, "direction": "sideways"},
            "direction 'sideways' must be one of up, down, either",
        ),
        ({"condition": "change", "treshold": 5}, "'treshold' is not a setting"),
        ({"condition": "seasonal", "years": 1}, "years must be a whole number from 2 to 20"),
        ({"condition": "seasonal", "k": 2, "percent": 10}, "not both"),
        ({"condition": "seasonal", "k": 0}, "k must be greater than 0"),
        ({"condition": "forecast", "threshold": 5}, "direction is required: one of above, below"),
        (
            {"condition": "forecast", "threshold": 5, "direction": "above", "horizon": 0},
            "horizon must be a whole number from 1 to 10",
        ),
        (
            {"condition": "forecast", "threshold": float("nan"), "direction": "above"},
            "threshold must be a finite number",
        ),
        (
            {"indicator": WOMEN.id, "condition": "change", "threshold": 5},
            "has no periods .* use above or below",
        ),
    ],
)
def test_bad_conditions_are_refused_with_the_reason(config: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidInputError, match=problem):
        check_rule(_rule("sai", **config), REGISTRY)


def test_an_indicator_removed_after_the_rule_fails_that_rule_only(
    store: OpStore, warehouse: Warehouse
) -> None:
    _load(warehouse, {(HANOI, 2024): 10, (HANOI, 2025): 20})
    evaluator = Evaluator(DuckDBEngine(warehouse))
    with store.session() as session:
        create_rule(
            session,
            _rule("du-bao", condition="forecast", threshold=0, direction="above", per="province"),
            REGISTRY,
            "vanhanh",
        )
        create_rule(session, _rule("tang", condition="change", threshold=10), REGISTRY, "x")
    # Both rules on the same indicator: with it gone both fail, each as its own event.
    result = evaluate_rules(store, evaluator, Registry([WOMEN]))
    assert result.rules == 2 and len(result.failed) == 2
    with store.session() as session:
        failures = list(session.scalars(select(Event).where(Event.kind == "rule.failed")))
        assert len(failures) == 2 and all(AWARDS.id in f.message for f in failures)
    back = evaluate_rules(store, evaluator, REGISTRY)
    assert back.failed == [] and back.opened == 1  # the change, +100 %; no trend in 2 years


def _projection(values: dict[int, float], last: int, window: int, horizon: int) -> float:
    """The least-squares line by its textbook formula, to check the evaluator's fit."""
    points = [(p, v) for p, v in values.items() if last - window < p <= last]
    mean_x = statistics.fmean(p for p, _ in points)
    mean_y = statistics.fmean(v for _, v in points)
    slope = sum((p - mean_x) * (v - mean_y) for p, v in points) / sum(
        (p - mean_x) ** 2 for p, _ in points
    )
    return mean_y + slope * (last + horizon - mean_x)


def test_conditions_on_the_demo_data(store: OpStore, demo_warehouse: Warehouse) -> None:
    """Thresholds just inside and just outside what the demo data holds: each pair raises one
    alert and not the other, so a wrong computation fails in one direction or the other."""
    evaluator = Evaluator(DuckDBEngine(demo_warehouse))
    registry = Registry(library())
    series = evaluator.series(AWARDS, Place.nation(), Scope.everything())
    last = max(series)
    assert {last - 3, last - 2, last - 1} <= set(series), series  # the demo has a history

    change = 100 * (series[last] - series[last - 1]) / series[last - 1]
    earlier = [series[p] for p in (last - 3, last - 2, last - 1)]
    deviation = abs(series[last] - statistics.fmean(earlier)) / statistics.stdev(earlier)
    projected = _projection(series, last, 6, 2)
    marker = uuid.uuid4().hex[:6]
    pairs = {
        "change": ({"condition": "change", "change": "percent"}, abs(change), "threshold"),
        "seasonal": ({"condition": "seasonal"}, deviation, "k"),
    }
    with store.session() as session:
        for kind, (config, actual, key) in pairs.items():
            for side, value in (("in", actual * 0.98), ("out", actual * 1.02)):
                create_rule(
                    session,
                    _rule(f"{kind}-{side}-{marker}", **config, **{key: value}),
                    registry,
                    "vanhanh",
                )
        for side, threshold in (("in", projected - 1), ("out", projected + 1)):
            create_rule(
                session,
                _rule(
                    f"forecast-{side}-{marker}",
                    condition="forecast",
                    threshold=threshold,
                    direction="above",
                ),
                registry,
                "vanhanh",
            )
    result = evaluate_rules(store, evaluator, registry)
    assert result.failed == []
    for kind in ("change", "seasonal", "forecast"):
        assert list(_open(store, f"{kind}-in-{marker}")) == ["nation"], kind
        assert _open(store, f"{kind}-out-{marker}") == {}, kind
    shown = format_number(projected, "vi", AWARDS.decimals)
    assert f"dự báo năm {last + 2} là {shown} " in _open(store, f"forecast-in-{marker}")["nation"]

    # Moving the threshold past the data clears the alert at the next evaluation.
    with store.session() as session:
        rule = session.scalar(select(AlertRule).where(AlertRule.name == f"change-in-{marker}"))
        assert rule is not None
        update_rule(
            session,
            rule.name,
            {"config": {**rule.config, "threshold": abs(change) * 1.05}},
            registry,
        )
    evaluate_rules(store, evaluator, registry)
    assert _open(store, f"change-in-{marker}") == {}


def test_a_forecast_per_province_on_the_demo_data(
    store: OpStore, demo_warehouse: Warehouse
) -> None:
    """Per province, the alerts are exactly the provinces whose own line crosses."""
    evaluator = Evaluator(DuckDBEngine(demo_warehouse))
    registry = Registry(library())
    last = max(evaluator.periods(AWARDS, Place.nation(), Scope.everything()))
    by_province: dict[str, dict[int, float]] = {}
    for period in range(last - 5, last + 1):
        for row in evaluator.cut(AWARDS, Place.nation(), Scope.everything(), "province", period):
            if row.key is not None and row.value is not None:
                by_province.setdefault(str(row.key), {})[period] = row.value
    projections = {
        code: _projection(values, last, 6, 2)
        for code, values in by_province.items()
        if len(values) >= 3
    }
    threshold = statistics.median(projections.values())
    expected = {f"province:{c}" for c, v in projections.items() if v > threshold}
    assert 0 < len(expected) < len(projections)
    with store.session() as session:
        create_rule(
            session,
            _rule(
                "tinh-du-bao",
                condition="forecast",
                threshold=threshold,
                direction="above",
                per="province",
            ),
            registry,
            "vanhanh",
        )
    evaluate_rules(store, evaluator, registry)
    assert set(_open(store, "tinh-du-bao")) == expected
