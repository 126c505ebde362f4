"""Evaluating the rules: each indicator rule on the indicator's readings (from the
indicators' cache, so an evaluation after nothing changed touches no warehouse table), each
freshness rule on the sources' last successes, each event rule on the events that came in
since it last looked (or, for a surge, within its window). One rule failing (an indicator
or a source removed, an engine error) is recorded as an error event and does not stop the
others; no alert is lost.

Indicator conditions read the nation's latest period with data, and the periods before it
that the condition needs, once for the nation or once per period cut by province.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.scope import Scope
from noivu_ioc.errors import IOCError
from noivu_ioc.indicators.compile import Place
from noivu_ioc.indicators.engine import Evaluator
from noivu_ioc.indicators.model import Indicator
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.ingest import events
from noivu_ioc.operations import forecast
from noivu_ioc.operations.alerts import Breach, auto_resolve, escalate_due, raise_alert, rank
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AlertRule, Event, Source, as_utc, utcnow
from noivu_ioc.units import admin
from noivu_ioc.web.i18n import format_number  # a pure function; messages are Vietnamese

log = logging.getLogger(__name__)

EVERYTHING = Scope.everything()
NATION = Place.nation()
VIETNAM_TIME = timedelta(hours=7)


@dataclass
class Evaluation:
    rules: int = 0
    opened: int = 0
    repeated: int = 0
    resolved: int = 0
    escalated: int = 0
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why a rule could not judge some places


@dataclass
class Judgement:
    """What one rule finds now: its breaches, notes on the places it could not judge, and
    whether subjects missing from the breaches are cleared (an event rule without a surge
    window never clears: each event is news)."""

    breaches: list[Breach]
    notes: list[str] = field(default_factory=list)
    clears: bool = True
    last_event_id: int | None = None


def _num(value: float, indicator: Indicator, decimals: int | None = None) -> str:
    text = format_number(value, "vi", indicator.decimals if decimals is None else decimals)
    unit = indicator.unit_label("vi")
    return f"{text} {unit}" if unit else text


def _place_name(code: str | None) -> str:
    return "Toàn quốc" if code is None else admin.unit(code).name


def _subject(code: str | None) -> str:
    return "nation" if code is None else f"province:{code}"


def _values(
    evaluator: Evaluator, indicator: Indicator, per: str, periods: Iterable[int]
) -> dict[str | None, dict[int, float]]:
    """The values of these periods for the nation (key None) or for each province: one
    query for the nation's series, or one cut by province per period."""
    if per == "nation":
        return {None: evaluator.series(indicator, NATION, EVERYTHING)}
    found: dict[str | None, dict[int, float]] = {}
    for period in periods:
        for row in evaluator.cut(indicator, NATION, EVERYTHING, "province", period):
            if row.key is not None and row.value is not None:
                found.setdefault(str(row.key), {})[period] = row.value
    return found


def _threshold(rule: AlertRule, evaluator: Evaluator, indicator: Indicator) -> Judgement:
    config = rule.config
    threshold = float(config["threshold"])
    above = config["condition"] == "above"
    word = "vượt ngưỡng" if above else "dưới ngưỡng"
    reading = evaluator.read(indicator, NATION, EVERYTHING)
    rows: list[tuple[str | None, float | None]]
    if config["per"] == "province":
        rows = [
            (str(r.key), r.value)
            for r in evaluator.cut(indicator, NATION, EVERYTHING, "province", reading.period)
            if r.key is not None
        ]
    else:
        rows = [(None, reading.value)]
    found = []
    for code, value in rows:
        if value is None or not (value > threshold if above else value < threshold):
            continue
        found.append(
            Breach(
                subject=_subject(code),
                admin_code=code,
                message=f"{_place_name(code)}: {_num(value, indicator)} {word} "
                f"{format_number(threshold, 'vi', indicator.decimals)}",
                value=value,
            )
        )
    return Judgement(found)


def _latest(evaluator: Evaluator, indicator: Indicator) -> int | None:
    periods = evaluator.periods(indicator, NATION, EVERYTHING)
    return periods[-1] if periods else None


def _no_data(rule: AlertRule, indicator: Indicator) -> Judgement:
    return Judgement([], [f"rule {rule.name}: indicator {indicator.id} has no data in any period"])


def _change(rule: AlertRule, evaluator: Evaluator, indicator: Indicator) -> Judgement:
    config = rule.config
    latest = _latest(evaluator, indicator)
    if latest is None:
        return _no_data(rule, indicator)
    before = latest - 1
    percent = config["change"] == "percent"
    threshold = float(config["threshold"])
    found, unjudged = [], []
    for code, series in _values(evaluator, indicator, config["per"], (before, latest)).items():
        value, previous = series.get(latest), series.get(before)
        if value is None or previous is None or (percent and previous == 0):
            unjudged.append(_place_name(code))
            continue
        delta = value - previous
        moved = 100 * delta / abs(previous) if percent else delta
        if not forecast.exceeds(moved, threshold, config["direction"]):
            continue
        word = "tăng" if delta > 0 else "giảm"
        by = f"{format_number(abs(moved), 'vi', 1)}%" if percent else _num(abs(delta), indicator)
        limit = f"{format_number(threshold, 'vi', 1)}%" if percent else _num(threshold, indicator)
        found.append(
            Breach(
                subject=_subject(code),
                admin_code=code,
                message=f"{_place_name(code)}: {_num(value, indicator)} năm {latest}, {word} "
                f"{by} so với năm {before} ({_num(previous, indicator)}); ngưỡng {limit}",
                value=value,
            )
        )
    notes = []
    if unjudged:
        notes.append(
            f"rule {rule.name}: no change to judge for {_list(unjudged)} "
            f"({latest} or {before} has no value, or {before} is 0 for a percent change)"
        )
    return Judgement(found, notes)


def _list(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _seasonal(rule: AlertRule, evaluator: Evaluator, indicator: Indicator) -> Judgement:
    config = rule.config
    latest = _latest(evaluator, indicator)
    if latest is None:
        return _no_data(rule, indicator)
    years = int(config["years"])
    wanted = range(latest - years, latest + 1)
    found, unjudged = [], []
    for code, series in _values(evaluator, indicator, config["per"], wanted).items():
        value = series.get(latest)
        baseline = forecast.seasonal_baseline(series, latest, years)
        if value is None or baseline is None:
            unjudged.append(_place_name(code))
            continue
        if "percent" in config:
            allowed = abs(baseline.mean) * float(config["percent"]) / 100
            rule_text = f"ngưỡng {format_number(config['percent'], 'vi', 1)}% của trung bình"
        else:
            allowed = float(config["k"]) * baseline.stdev
            rule_text = (
                f"ngưỡng {format_number(config['k'], 'vi', 1)} × độ lệch chuẩn = "
                f"{_num(allowed, indicator)}"
            )
        delta = value - baseline.mean
        if not forecast.exceeds(delta, allowed, config["direction"]):
            continue
        found.append(
            Breach(
                subject=_subject(code),
                admin_code=code,
                message=f"{_place_name(code)}: {_num(value, indicator)} năm {latest}, "
                f"{'cao' if delta > 0 else 'thấp'} hơn {_num(abs(delta), indicator)} so với "
                f"trung bình cùng kỳ {years} năm {baseline.periods[0]}–{baseline.periods[-1]} "
                f"là {_num(baseline.mean, indicator)} (độ lệch chuẩn "
                f"{_num(baseline.stdev, indicator)}); {rule_text}",
                value=value,
            )
        )
    notes = []
    if unjudged:
        notes.append(
            f"rule {rule.name}: no baseline for {_list(unjudged)} in {latest}: the same "
            f"period of {years} earlier years ({latest - years}–{latest - 1}) needs values"
        )
    return Judgement(found, notes)


def _forecast(rule: AlertRule, evaluator: Evaluator, indicator: Indicator) -> Judgement:
    config = rule.config
    latest = _latest(evaluator, indicator)
    if latest is None:
        return _no_data(rule, indicator)
    window, horizon = int(config["periods"]), int(config["horizon"])
    threshold = float(config["threshold"])
    above = config["direction"] == "above"
    wanted = range(latest - window + 1, latest + 1)
    found, unjudged = [], []
    for code, series in _values(evaluator, indicator, config["per"], wanted).items():
        projection = forecast.project(series, latest, window, horizon)
        if projection is None:
            unjudged.append(_place_name(code))
            continue
        crosses = projection.value > threshold if above else projection.value < threshold
        if not crosses:
            continue
        now = series.get(latest)
        found.append(
            Breach(
                subject=_subject(code),
                admin_code=code,
                message=f"{_place_name(code)}: dự báo năm {projection.period} là "
                f"{_num(projection.value, indicator)} theo xu hướng tuyến tính "
                f"{projection.fitted[0]}–{projection.fitted[-1]}"
                + (f" (năm {latest}: {_num(now, indicator)})" if now is not None else "")
                + f", {'vượt ngưỡng' if above else 'dưới ngưỡng'} "
                f"{format_number(threshold, 'vi', indicator.decimals)}",
                value=projection.value,
            )
        )
    notes = []
    if unjudged:
        notes.append(
            f"rule {rule.name}: no trend for {_list(unjudged)}: fewer than "
            f"{forecast.MIN_TREND_POINTS} values in {latest - window + 1}–{latest}"
        )
    return Judgement(found, notes)


_CONDITIONS = {
    "above": _threshold,
    "below": _threshold,
    "change": _change,
    "seasonal": _seasonal,
    "forecast": _forecast,
}


def _indicator(rule: AlertRule, evaluator: Evaluator, registry: Registry) -> Judgement:
    indicator = registry.get(rule.config["indicator"])
    return _CONDITIONS[rule.config["condition"]](rule, evaluator, indicator)


def _local(value: datetime) -> str:
    return (as_utc(value) + VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")


def _freshness(session: Session, rule: AlertRule, now: datetime) -> Judgement:
    """Each source late against its agreed interval plus the rule's grace. A source named
    by the rule that no longer exists fails the rule, as a removed indicator does."""
    names = rule.config["sources"]
    grace = int(rule.config.get("grace_minutes", 0))
    query = select(Source).where(Source.freshness_minutes.is_not(None))
    if names != "all":
        query = query.where(Source.name.in_(names))
    sources = list(session.scalars(query.order_by(Source.name)))
    if names != "all":
        missing = sorted(set(names) - {s.name for s in sources})
        if missing:
            raise LookupError(
                f"source {', '.join(missing)} no longer exists or has no agreed interval"
            )
    found = []
    for source in sources:
        if not source.enabled or not source.freshness_minutes:
            continue  # a source switched off is not expected to sync
        since = source.last_success_at or source.created_at
        minutes = int((now - as_utc(since)).total_seconds() // 60)
        late = minutes - source.freshness_minutes
        if late <= grace:
            continue
        last = (
            f"lần đồng bộ thành công gần nhất {_local(source.last_success_at)}"
            if source.last_success_at
            else "chưa đồng bộ thành công lần nào"
        )
        found.append(
            Breach(
                subject=f"source:{source.name}",
                admin_code=source.owner_unit.admin_code if source.owner_unit else None,
                message=f"Nguồn {source.label}: trễ {late} phút so với chu kỳ thỏa thuận "
                f"{source.freshness_minutes} phút ({last})",
                value=float(late),
            )
        )
    return Judgement(found)


def _province_of(code: str) -> str | None:
    if len(code) == 2:
        return code
    try:
        return admin.unit(code).province_code
    except IOCError:  # a place the unit list does not know counts nationwide only
        return None


def _surge(session: Session, rule: AlertRule, now: datetime) -> Judgement:
    """N or more events of the rule's kinds within the window: one breach per province (or
    nationwide). Events without a known place count only for a nationwide surge."""
    config = rule.config
    surge = config["surge"]
    floor = rank(config.get("min_severity", "info"))
    since = now - timedelta(minutes=int(surge["minutes"]))
    recent = session.execute(
        select(Event.id, Event.severity, Event.admin_code).where(
            Event.at >= since, Event.kind.in_(config["kinds"])
        )
    ).all()
    counts: Counter[str | None] = Counter()
    for _, severity, code in recent:
        if severity not in events.SEVERITIES or rank(severity) > floor:
            continue
        if surge["per"] == "nation":
            counts[None] += 1
        elif code is not None and (province := _province_of(code)) is not None:
            counts[province] += 1
    wanted = int(surge["count"])
    what = ", ".join(config["kinds"])
    found = [
        Breach(
            subject=f"surge:{'nation' if code is None else code}",
            admin_code=code,
            message=f"{_place_name(code)}: {n} sự kiện {what} trong {surge['minutes']} phút "
            f"qua (ngưỡng {wanted})",
            value=float(n),
        )
        for code, n in sorted(counts.items(), key=lambda kv: kv[0] or "")
        if n >= wanted
    ]
    last = max([rule.last_event_id or 0, *(r[0] for r in recent)])
    return Judgement(found, last_event_id=last)


def _events(session: Session, rule: AlertRule) -> Judgement:
    config = rule.config
    floor = rank(config.get("min_severity", "info"))
    fresh = list(
        session.scalars(
            select(Event)
            .where(Event.id > rule.last_event_id, Event.kind.in_(config["kinds"]))
            .order_by(Event.id)
        )
    )
    breaches = [
        Breach(
            subject=e.subject,
            admin_code=e.admin_code,
            message=e.message,
            severity=e.severity,
        )
        for e in fresh
        if e.severity in events.SEVERITIES and rank(e.severity) <= floor
    ]
    last = max([rule.last_event_id, *(e.id for e in fresh)])
    return Judgement(breaches, clears=False, last_event_id=last)


def judge(
    session: Session, rule: AlertRule, evaluator: Evaluator, registry: Registry, now: datetime
) -> Judgement:
    """What the rule finds now, raising nothing: the evaluation acts on it, and checking a
    rule before saving it shows it."""
    if rule.kind == "indicator":
        return _indicator(rule, evaluator, registry)
    if rule.kind == "freshness":
        return _freshness(session, rule, now)
    if "surge" in rule.config:
        return _surge(session, rule, now)
    return _events(session, rule)


def evaluate_rules(store: OpStore, evaluator: Evaluator, registry: Registry) -> Evaluation:
    """Run every enabled rule once, each in its own transaction, then escalate its alerts
    that nobody took in hand within the rule's time."""
    result = Evaluation()
    with store.session() as session:
        ids = list(session.scalars(select(AlertRule.id).where(AlertRule.enabled.is_(True))))
    for rule_id in ids:
        result.rules += 1
        try:
            with store.session() as session:
                rule = session.get(AlertRule, rule_id)
                if rule is None:
                    continue
                now = utcnow()
                found = judge(session, rule, evaluator, registry, now)
                for breach in found.breaches:
                    _, happened = raise_alert(session, rule, breach)
                    result.opened += happened == "opened"
                    result.repeated += happened != "opened"
                if found.clears:
                    still = {b.subject for b in found.breaches}
                    result.resolved += len(auto_resolve(session, rule, still))
                if found.last_event_id is not None:
                    rule.last_event_id = found.last_event_id
                result.notes.extend(found.notes)
                rule.evaluated_at = now
                result.escalated += escalate_due(session, rule, now)
        except Exception as exc:  # one rule's failure is an event, not the end of the others
            log.exception("alert rule %s failed", rule_id)
            message = f"alert rule {rule_id} could not be evaluated: {type(exc).__name__}: {exc}"
            result.failed.append(message)
            with store.session() as session:
                events.record(
                    session,
                    kind="rule.failed",
                    severity="major",
                    subject=f"rule:{rule_id}",
                    message=message,
                )
    for note in result.notes:
        log.debug("%s", note)
    return result
