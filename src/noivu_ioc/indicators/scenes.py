"""Scenes of the video wall: layouts of panels on a 12 × 8 grid, kept in the operational
store, edited by administrators, rotated by the wall in ``position`` order.

Panel kinds: ``kpi`` (tiles of several indicators with traffic lights), ``trend`` (one
indicator over the last periods), ``ranking`` (one indicator cut into the next level down,
best first), ``map`` (one indicator on the province choropleth), ``ticker`` (the live line
of alerts and events) and ``directives`` (the open directives and the units that have not
acknowledged them). The last two are drawn by the page itself from the live stream and
``/api/directives/board``: they change with every event, not with the warehouse, so the
scene's cached data does not carry them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.scope import Scope
from noivu_ioc.errors import ConflictError, InvalidInputError, NotFoundError
from noivu_ioc.indicators import places, views
from noivu_ioc.indicators.compile import Place
from noivu_ioc.indicators.engine import Evaluator, failure
from noivu_ioc.indicators.reasons import Reason
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.store.models import WallScene, utcnow

COLUMNS, ROWS = 12, 8
KINDS = ("kpi", "trend", "ranking", "map", "ticker", "directives")
# Kinds whose content the page fetches itself: they take no indicator.
LIVE_KINDS = ("ticker", "directives")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True, slots=True)
class Panel:
    kind: str
    x: int
    y: int
    w: int
    h: int
    indicators: tuple[str, ...] = ()
    title_vi: str = ""
    title_en: str = ""
    limit: int = 10

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "x": self.x,
            "y": self.y,
            "w": self.w,
            "h": self.h,
            "indicators": list(self.indicators),
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "limit": self.limit,
        }


def check_panels(raw: Any, registry: Registry) -> list[Panel]:
    """Panels from their JSON form, or InvalidInputError naming the panel and the fix."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInputError("a scene needs a list of at least one panel")
    panels: list[Panel] = []
    taken: dict[tuple[int, int], int] = {}
    for number, item in enumerate(raw, start=1):
        where = f"panel {number}"
        if not isinstance(item, dict):
            raise InvalidInputError(f"{where} must be an object")
        kind = item.get("kind")
        if kind not in KINDS:
            raise InvalidInputError(f"{where}: kind {kind!r} is unknown; use {', '.join(KINDS)}")
        try:
            x, y, w, h = (int(item[k]) for k in ("x", "y", "w", "h"))
        except (KeyError, TypeError, ValueError):
            raise InvalidInputError(
                f"{where}: x, y, w and h must be whole numbers (columns 0–{COLUMNS - 1}, rows "
                f"0–{ROWS - 1})"
            ) from None
        if not (x >= 0 and y >= 0 and w >= 1 and h >= 1 and x + w <= COLUMNS and y + h <= ROWS):
            raise InvalidInputError(
                f"{where}: x={x} y={y} w={w} h={h} does not fit the {COLUMNS} × {ROWS} grid"
            )
        for cx in range(x, x + w):
            for cy in range(y, y + h):
                if (cx, cy) in taken:
                    raise InvalidInputError(
                        f"{where} overlaps panel {taken[(cx, cy)]} at column {cx}, row {cy}; "
                        "move or shrink one of them"
                    )
                taken[(cx, cy)] = number
        ids = item.get("indicators", [])
        if isinstance(ids, str):
            ids = [ids]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InvalidInputError(f"{where}: indicators must be a list of indicator ids")
        for ident in ids:
            if ident not in registry:
                raise InvalidInputError(
                    f"{where}: indicator {ident!r} does not exist; GET /api/indicators lists them"
                )
        if kind == "kpi" and not ids:
            raise InvalidInputError(f"{where}: a kpi panel needs at least one indicator")
        if kind in ("trend", "ranking", "map") and len(ids) != 1:
            raise InvalidInputError(f"{where}: a {kind} panel shows exactly one indicator")
        if kind in LIVE_KINDS and ids:
            raise InvalidInputError(f"{where}: a {kind} panel takes no indicator")
        limit = item.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= 40:
            raise InvalidInputError(f"{where}: limit must be a whole number from 1 to 40")
        panels.append(
            Panel(
                kind=kind,
                x=x,
                y=y,
                w=w,
                h=h,
                indicators=tuple(ids),
                title_vi=str(item.get("title_vi", "")).strip(),
                title_en=str(item.get("title_en", "")).strip(),
                limit=limit,
            )
        )
    return panels


@dataclass(frozen=True, slots=True)
class Scene:
    slug: str
    title_vi: str
    title_en: str
    position: int
    dwell_seconds: int
    enabled: bool
    panels: tuple[Panel, ...]
    updated_by: str | None = None
    version: str = ""  # a digest of what is drawn: part of the cache key of its data

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en

    indicators: tuple[str, ...] = ()  # every indicator its panels show, once each


def _scene(row: WallScene, registry: Registry) -> Scene:
    # Stored panels were checked when saved; an indicator removed since is dropped from
    # the panel here rather than breaking the wall.
    panels = []
    for item in row.panels:
        ids = tuple(i for i in item.get("indicators", []) if i in registry)
        panels.append(
            Panel(
                kind=item["kind"],
                x=item["x"],
                y=item["y"],
                w=item["w"],
                h=item["h"],
                indicators=ids,
                title_vi=item.get("title_vi", ""),
                title_en=item.get("title_en", ""),
                limit=item.get("limit", 10),
            )
        )
    drawn = json.dumps(
        [row.title_vi, row.title_en, row.dwell_seconds, [p.as_dict() for p in panels]],
        sort_keys=True,
        ensure_ascii=False,
    )
    return Scene(
        row.slug,
        row.title_vi,
        row.title_en,
        row.position,
        row.dwell_seconds,
        row.enabled,
        tuple(panels),
        row.updated_by,
        hashlib.sha256(drawn.encode()).hexdigest()[:16],
        tuple(dict.fromkeys(i for p in panels for i in p.indicators)),
    )


def scenes(session: Session, registry: Registry, enabled_only: bool = False) -> list[Scene]:
    query = select(WallScene).order_by(WallScene.position, WallScene.id)
    if enabled_only:
        query = query.where(WallScene.enabled.is_(True))
    return [_scene(row, registry) for row in session.scalars(query)]


def scene(session: Session, registry: Registry, slug: str) -> Scene:
    row = session.scalar(select(WallScene).where(WallScene.slug == slug))
    if row is None:
        raise NotFoundError(f"scene {slug!r} does not exist; GET /api/scenes lists them")
    return _scene(row, registry)


def save_scene(
    session: Session,
    registry: Registry,
    slug: str,
    data: dict[str, Any],
    user: str,
    create: bool,
) -> Scene:
    if not _SLUG.match(slug):
        raise InvalidInputError(
            f"scene name {slug!r} must be lower case letters, digits and hyphens (e.g. "
            "'nhan-su-toan-quoc')"
        )
    panels = check_panels(data.get("panels"), registry)
    title_vi = str(data.get("title_vi", "")).strip()
    title_en = str(data.get("title_en", "")).strip() or title_vi
    if not title_vi:
        raise InvalidInputError("a scene needs a Vietnamese title (title_vi)")
    dwell = data.get("dwell_seconds", 30)
    if not isinstance(dwell, int) or not 5 <= dwell <= 3600:
        raise InvalidInputError(
            f"dwell_seconds {dwell!r} must be a whole number of seconds from 5 to 3600"
        )
    row = session.scalar(select(WallScene).where(WallScene.slug == slug))
    if create and row is not None:
        raise ConflictError(f"scene {slug!r} exists already; choose another name or edit it")
    if not create and row is None:
        raise NotFoundError(f"scene {slug!r} does not exist")
    if row is None:
        last = session.scalar(select(WallScene.position).order_by(WallScene.position.desc()))
        row = WallScene(slug=slug, position=(last or 0) + 1)
        session.add(row)
    row.title_vi = title_vi
    row.title_en = title_en
    row.dwell_seconds = dwell
    row.enabled = bool(data.get("enabled", True))
    if "position" in data:
        row.position = int(data["position"])
    row.panels = [p.as_dict() for p in panels]
    row.updated_at = utcnow()
    row.updated_by = user
    session.flush()
    return _scene(row, registry)


def delete_scene(session: Session, slug: str) -> None:
    row = session.scalar(select(WallScene).where(WallScene.slug == slug))
    if row is None:
        raise NotFoundError(f"scene {slug!r} does not exist")
    session.delete(row)


def seed_scenes(session: Session, registry: Registry) -> int:
    """The demo's scenes, where no scene exists yet; returns how many were added."""
    if session.scalar(select(WallScene.id).limit(1)) is not None:
        return 0
    added = 0
    for position, (slug, title_vi, title_en, panels) in enumerate(DEFAULT_SCENES, start=1):
        usable = [p for p in panels if all(i in registry for i in p.get("indicators", []))]
        if not usable:
            continue
        session.add(
            WallScene(
                slug=slug,
                title_vi=title_vi,
                title_en=title_en,
                position=position,
                dwell_seconds=40,
                enabled=True,
                panels=[p.as_dict() for p in check_panels(usable, registry)],
                updated_by="demo",
            )
        )
        added += 1
    session.flush()
    return added


def panel_data(
    evaluator: Evaluator,
    registry: Registry,
    panel: Panel,
    place: Place,
    scope: Scope,
    lang: str,
) -> dict[str, Any]:
    """One panel's figures; a failing indicator gives its tile a reason, never an error."""
    out: dict[str, Any] = {**panel.as_dict(), "title": panel.title(lang), "reason": None}
    if panel.kind in LIVE_KINDS:
        return out
    indicators = [registry.get(i) for i in panel.indicators]
    if not indicators:
        out["reason"] = Reason.of("no_indicator").text(lang)
        return out
    if panel.kind == "kpi":
        out["cards"] = [views.card(i, evaluator.read(i, place, scope), lang) for i in indicators]
        return out
    indicator = indicators[0]
    reading = evaluator.read(indicator, place, scope)
    out["card"] = views.card(indicator, reading, lang)
    if not out["title"]:
        out["title"] = indicator.name(lang)
    if panel.kind == "trend":
        try:
            out["rows"] = views.rows(
                indicator, "period", evaluator.trend(indicator, place, scope), lang
            )
        except Exception as exc:  # NotAvailable, or the engine's own error: this panel only
            out["reason"] = failure(exc).text(lang)
        if not indicator.has_period:
            out["reason"] = Reason.of("no_trend").text(lang)
        return out
    by = "province" if panel.kind == "map" else places.child_level(indicator, place)
    if panel.kind == "map" and place.level != "nation":
        by = places.child_level(indicator, place)
    if by is None:
        out["reason"] = Reason.of("no_finer_level").text(lang)
        return out
    try:
        found = evaluator.cut(indicator, place, scope, by, reading.period)
    except Exception as exc:  # NotAvailable, or the engine's own error: this panel only
        out["reason"] = failure(exc).text(lang)
        return out
    ranked = sorted(found, key=lambda r: (r.value is None, -(r.value or 0)))
    if indicator.thresholds is not None and indicator.thresholds.direction == "lower":
        ranked = sorted(found, key=lambda r: (r.value is None, r.value or 0))
    out["by"] = by
    out["rows"] = views.rows(
        indicator, by, ranked if panel.kind == "map" else ranked[: panel.limit], lang
    )
    return out


def scene_data(
    evaluator: Evaluator,
    registry: Registry,
    chosen: Scene,
    place: Place,
    scope: Scope,
    lang: str,
) -> dict[str, Any]:
    return {
        "scene": chosen.slug,
        "title": chosen.title(lang),
        "dwell_seconds": chosen.dwell_seconds,
        "place": place.key,
        "place_label": places.label(place)[0 if lang == "vi" else 1],
        "columns": COLUMNS,
        "rows": ROWS,
        "panels": [panel_data(evaluator, registry, p, place, scope, lang) for p in chosen.panels],
    }


def _p(kind: str, x: int, y: int, w: int, h: int, *ids: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "x": x, "y": y, "w": w, "h": h, "indicators": list(ids), **extra}


# The demo's scenes. Indicator ids are the library's; a panel whose indicator is missing is
# left out of the seed.
DEFAULT_SCENES: tuple[tuple[str, str, str, list[dict[str, Any]]], ...] = (
    (
        "tong-quan",
        "Tổng quan đội ngũ cán bộ, công chức, viên chức",
        "The civil service at a glance",
        [
            _p(
                "kpi",
                0,
                0,
                12,
                2,
                "personnel.active_staff",
                "personnel.women_share",
                "personnel.ethnic_minority_share",
                "organisation.civil_servant_quota_use",
                "personnel.retiring_5y",
                "emulation.awards_per_thousand_staff",
            ),
            _p(
                "map",
                0,
                2,
                5,
                5,
                "organisation.civil_servant_quota_use",
                title_vi="Biên chế được giao đã sử dụng theo tỉnh",
                title_en="Approved headcount in use, by province",
            ),
            _p("ranking", 5, 2, 4, 5, "personnel.women_share", limit=12),
            _p("trend", 9, 2, 3, 5, "exams.pass_rate"),
            _p("ticker", 0, 7, 7, 1),
            _p("directives", 7, 7, 5, 1, limit=3),
        ],
    ),
    (
        "linh-vuc",
        "Chín lĩnh vực quản lý nhà nước của Bộ Nội vụ",
        "The ministry's nine fields",
        [
            _p(
                "kpi",
                0,
                0,
                12,
                2,
                "religion.worship_places",
                "associations.active_associations",
                "youth.youth_share",
                "talent.programmes",
                "training.coverage",
                "organisation.staff_reduction_progress",
            ),
            _p("map", 0, 2, 5, 5, "religion.worship_places"),
            _p("ranking", 5, 2, 4, 5, "organisation.staff_reduction_progress", limit=12),
            _p("trend", 9, 2, 3, 5, "emulation.awards_per_thousand_staff"),
            _p("ticker", 0, 7, 7, 1),
            _p("directives", 7, 7, 5, 1, limit=3),
        ],
    ),
)
