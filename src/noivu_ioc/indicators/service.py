"""The situation picture as the web layer uses it: the indicators in force, one evaluator on
the warehouse, and the serialised answers of the wall, the console and the phone, cached
until a sync changes what they read."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import orjson

from noivu_ioc.access.scope import Scope
from noivu_ioc.indicators import geography, places, scenes, views
from noivu_ioc.indicators.compile import Place
from noivu_ioc.indicators.engine import DuckDBEngine, Engine, Evaluator, ResultCache, scope_key
from noivu_ioc.indicators.registry import Registry, library
from noivu_ioc.indicators.saved import saved_indicators
from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


class Situation:
    def __init__(self, store: OpStore, warehouse: Warehouse, engine: Engine | None = None):
        self.store = store
        self.warehouse = warehouse
        self.engine = engine or DuckDBEngine(warehouse)
        self.evaluator = Evaluator(self.engine, ResultCache())
        self.serialised = ResultCache(capacity=5_000)
        self._lock = threading.Lock()
        self._registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            with self._lock:
                if self._registry is None:
                    with self.store.session() as session:
                        saved = saved_indicators(session)
                    self._registry = Registry([*library(), *saved])
        return self._registry

    def reload(self) -> None:
        """Read the saved definitions again (after one was saved or deleted)."""
        with self._lock:
            self._registry = None
        self.serialised.clear()

    def _generation(self, indicator_ids: tuple[str, ...]) -> Hashable:
        entities = tuple(
            dict.fromkeys(e for i in indicator_ids for e in self.registry.get(i).entities)
        )
        return self.engine.generations(entities)

    def detail_bytes(
        self,
        ident: str,
        place: Place,
        scope: Scope,
        lang: str,
        period: int | None,
        by: str | None,
    ) -> bytes:
        indicator = self.registry.get(ident)
        key = ("detail", ident, indicator.digest, place, scope_key(scope), lang, period, by)
        value: bytes = self.serialised.memo(
            key,
            self._generation((ident,)),
            lambda: dumps(views.detail(self.evaluator, indicator, place, scope, lang, period, by)),
        )
        return value

    def cards_bytes(self, ids: tuple[str, ...], place: Place, scope: Scope, lang: str) -> bytes:
        registry = self.registry
        chosen = [registry.get(i) for i in ids] if ids else list(registry)
        key = ("cards", tuple(i.id for i in chosen), place, scope_key(scope), lang)
        value: bytes = self.serialised.memo(
            key,
            self._generation(tuple(i.id for i in chosen)),
            lambda: dumps(
                {
                    "place": place.key,
                    "place_label": places.label(place)[0 if lang == "vi" else 1],
                    "breadcrumb": [
                        {"place": c.place.key, "label": c.label(lang)}
                        for c in places.breadcrumb(place, scope)
                    ],
                    "cards": [
                        views.card(i, self.evaluator.read(i, place, scope), lang) for i in chosen
                    ],
                }
            ),
        )
        return value

    def map_bytes(self, data_dir: Path) -> bytes:
        """The province map (GeoJSON, with what it was drawn from under ``ioc``)."""
        generation = self.warehouse.generations(("admin_boundary",))

        def compute() -> bytes:
            found = geography.province_map(self.warehouse, data_dir)
            collection = dict(found.geojson)
            collection["ioc"] = {
                "sources": found.sources,
                "versions": found.versions,
                "schematic": found.schematic,
                "missing": found.missing,
                "problems": found.problems,
            }
            return dumps(collection)

        value: bytes = self.serialised.memo(("map", str(data_dir)), generation, compute)
        return value

    def scene_bytes(self, slug: str, place: Place, scope: Scope, lang: str) -> bytes:
        registry = self.registry
        with self.store.session() as session:
            chosen = scenes.scene(session, registry, slug)
        key = ("scene", chosen, place, scope_key(scope), lang)
        value: bytes = self.serialised.memo(
            key,
            self._generation(chosen.indicators),
            lambda: dumps(scenes.scene_data(self.evaluator, registry, chosen, place, scope, lang)),
        )
        return value
