"""Readings turned into what the wall, the console and the phone draw: plain dictionaries in
the viewer's language, ready to be serialised once and served from the cache."""

from __future__ import annotations

from typing import Any

from noivu_ioc.access.scope import Scope
from noivu_ioc.catalog import catalog
from noivu_ioc.indicators import places
from noivu_ioc.indicators.compile import SMALL_CELL, Place
from noivu_ioc.indicators.engine import Evaluator, Reading, Row, failure
from noivu_ioc.indicators.model import Indicator
from noivu_ioc.indicators.reasons import Reason
from noivu_ioc.units import admin

WITHHELD = Reason.of("suppressed", k=SMALL_CELL)
WITHHELD_WITH = Reason.of("suppressed_complement", k=SMALL_CELL)

UNKNOWN = {"vi": "Không xác định", "en": "Not stated"}
# Rows without a place in a cut by place: central agencies in a cut by province, the
# province's own level in a cut by commune.
UNPLACED = {
    "province": {"vi": "Trung ương, không thuộc tỉnh", "en": "Central, no province"},
    "commune": {"vi": "Cấp tỉnh, không thuộc xã", "en": "Province level, no commune"},
}


def definition(indicator: Indicator, lang: str) -> dict[str, Any]:
    sector = next(s for s in catalog().sectors if s.id == indicator.domain)
    return {
        "id": indicator.id,
        "name": indicator.name(lang),
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "description": indicator.description(lang),
        "domain": indicator.domain,
        "domain_name": sector.label_vi if lang == "vi" else sector.label_en,
        "domain_number": sector.number,
        "unit": indicator.unit,
        "unit_label": indicator.unit_label(lang),
        "decimals": indicator.decimals,
        "target": indicator.target,
        "thresholds": None
        if indicator.thresholds is None
        else {
            "green": indicator.thresholds.green,
            "amber": indicator.thresholds.amber,
            "direction": indicator.thresholds.direction,
        },
        "owner": indicator.owner,
        "entities": list(indicator.entities),
        "has_period": indicator.has_period,
        "cuts": list(indicator.place_dimensions)
        + (["agency"] if indicator.cuts_by_agency else [])
        + list(indicator.dimensions),
        "origin": indicator.origin,
    }


def card(indicator: Indicator, reading: Reading, lang: str) -> dict[str, Any]:
    """A KPI tile: the value with its traffic light, change and target."""
    return {
        "id": indicator.id,
        "name": indicator.name(lang),
        "unit": indicator.unit,
        "unit_label": indicator.unit_label(lang),
        "decimals": indicator.decimals,
        "domain": indicator.domain,
        "place": reading.place.key,
        "period": reading.period,
        "value": reading.value,
        "previous": reading.previous,
        "change": reading.change,
        "target": reading.target,
        "status": reading.status,
        "reason": None if reading.reason is None else reading.reason.text(lang),
        "reason_code": None if reading.reason is None else reading.reason.code,
    }


def key_label(indicator: Indicator, by: str, key: Any, lang: str) -> str:
    if key is None:
        return UNPLACED[by][lang] if by in UNPLACED else UNKNOWN[lang]
    if by == "province" or by == "commune":
        try:
            unit = admin.unit(str(key))
        except Exception:
            return str(key)
        return unit.short_name if by == "province" else unit.name
    if by == "period":
        return str(key)
    if by == "agency":
        return str(key)
    entity = indicator.measures[0].entity_def
    field = entity.field(by)
    if field.codelist is None:
        return str(key)
    try:
        return catalog().codelist(field.codelist).label(str(key), lang)
    except KeyError:
        return str(key)


def _withheld(row: Row, lang: str) -> str | None:
    if not row.suppressed:
        return None
    return (WITHHELD_WITH if row.complement else WITHHELD).text(lang)


def rows(
    indicator: Indicator,
    by: str,
    found: list[Row],
    lang: str,
    names: dict[str, tuple[str, str | None]] | None = None,
) -> list[dict[str, Any]]:
    """Rows with their labels; ``names`` gives agencies' names in a cut by agency."""
    status = indicator.thresholds.status if indicator.thresholds is not None else None
    out = []
    for row in found:
        label = key_label(indicator, by, row.key, lang)
        if names is not None and row.key in names:
            label = names[row.key][0]
        drills = by in ("province", "commune", "agency") and row.key
        out.append(
            {
                "key": row.key,
                "label": label,
                "value": row.value,
                "status": status(row.value) if status else None,
                "place": f"{by}:{row.key}" if drills else None,
                "withheld": _withheld(row, lang),
            }
        )
    return out


def detail(
    evaluator: Evaluator,
    indicator: Indicator,
    place: Place,
    scope: Scope,
    lang: str,
    period: int | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """Everything the drill-down page shows: the tile, the breadcrumb, the cut into the next
    level (or by a code dimension), the trend and the periods one can choose."""
    reading = evaluator.read(indicator, place, scope, period)
    child = places.child_level(indicator, place)
    cut_by = by or child
    cut: dict[str, Any] = {"by": cut_by, "rows": [], "reason": None}
    if cut_by is not None and reading.value is not None:
        try:
            found = evaluator.cut(indicator, place, scope, cut_by, reading.period)
            ranked = sorted(found, key=lambda r: (r.value is None, -(r.value or 0)))
            names = (
                evaluator.agencies([str(r.key) for r in ranked if r.key is not None])
                if cut_by == "agency"
                else None
            )
            cut["rows"] = rows(indicator, cut_by, ranked, lang, names)
        except Exception as exc:  # NotAvailable, or the engine's own error: this panel only
            cut["reason"] = failure(exc).text(lang)
    trend = rows(indicator, "period", evaluator.trend(indicator, place, scope), lang)
    label = places.label(place)[0 if lang == "vi" else 1]
    crumbs = [
        {"place": c.place.key, "label": c.label(lang)} for c in places.breadcrumb(place, scope)
    ]
    if place.level == "agency" and place.code is not None:
        name, province = evaluator.agencies([place.code]).get(place.code, (label, None))
        label = name
        crumbs = [
            {"place": c.place.key, "label": c.label(lang)}
            for c in places.breadcrumb(
                Place("province", province) if province else Place.nation(), scope
            )
        ] + [{"place": place.key, "label": name}]
    return {
        "indicator": definition(indicator, lang),
        "reading": card(indicator, reading, lang),
        "place": {
            "key": place.key,
            "level": place.level,
            "code": place.code,
            "label": label,
        },
        "breadcrumb": crumbs,
        "drill": child,
        "cut": cut,
        "trend": trend,
        "periods": evaluator.periods(indicator, place, scope),
    }
