"""The situation picture as the web layer uses it: the indicators in force, one evaluator on
the warehouse, and the serialised answers of the wall, the console and the phone, cached
until a sync changes what they read."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from noivu_ioc.access.scope import Scope
from noivu_ioc.errors import NotFoundError
from noivu_ioc.indicators import geography, places, scenes, views
from noivu_ioc.indicators.compile import Place
from noivu_ioc.indicators.engine import DuckDBEngine, Engine, Evaluator, ResultCache, scope_key
from noivu_ioc.indicators.registry import Registry, library
from noivu_ioc.indicators.saved import saved_indicators
from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse

SCENES_TTL_S = 5.0


@dataclass(frozen=True, slots=True)
class Job:
    """A serialised answer to produce: its cache key, the change counters it depends on,
    and how to compute it."""

    key: Hashable
    generation: Hashable
    compute: Callable[[], bytes]


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
        self._scenes: tuple[float, list[scenes.Scene]] | None = None
        self._entities: dict[tuple[str, ...], tuple[str, ...]] = {}  # read by these indicators

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
            self._entities = {}
        self.scenes_changed()

    def _generation(self, indicator_ids: tuple[str, ...]) -> Hashable:
        entities = self._entities.get(indicator_ids)
        if entities is None:
            registry = self.registry
            entities = tuple(
                dict.fromkeys(e for i in indicator_ids for e in registry.get(i).entities)
            )
            self._entities[indicator_ids] = entities
        return self.engine.generations(entities)

    def run(self, job: Job) -> bytes:
        """The job's bytes, from the cache when its entities have not changed."""
        value: bytes = self.serialised.memo(job.key, job.generation, job.compute)
        return value

    def peek(self, job: Job) -> bytes | None:
        """The job's bytes if they are cached and current; never computes."""
        if job.generation is None:
            return None
        found: bytes | None = self.serialised.get(job.key, job.generation)
        return found

    def detail(
        self,
        ident: str,
        place: Place,
        scope: Scope,
        lang: str,
        period: int | None,
        by: str | None,
    ) -> Job:
        indicator = self.registry.get(ident)
        return Job(
            ("detail", ident, indicator.digest, place, scope_key(scope), lang, period, by),
            self._generation((ident,)),
            lambda: dumps(views.detail(self.evaluator, indicator, place, scope, lang, period, by)),
        )

    def cards(self, ids: tuple[str, ...], place: Place, scope: Scope, lang: str) -> Job:
        registry = self.registry
        chosen = [registry.get(i) for i in ids] if ids else list(registry)

        def compute() -> bytes:
            return dumps(
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
            )

        return Job(
            ("cards", tuple(f"{i.id}@{i.digest}" for i in chosen), place, scope_key(scope), lang),
            self._generation(tuple(i.id for i in chosen)),
            compute,
        )

    def province_map(self, data_dir: Path) -> Job:
        """The province map (GeoJSON, with what it was drawn from under ``ioc``)."""

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

        return Job(("map", str(data_dir)), self.warehouse.generations(("admin_boundary",)), compute)

    def scene_list(self) -> list[scenes.Scene]:
        """Every scene, kept in memory for SCENES_TTL_S (changes through this process drop
        it at once; a change made by another process shows within that time)."""
        now = time.monotonic()
        held = self._scenes
        if held is not None and now - held[0] < SCENES_TTL_S:
            return held[1]
        with self.store.session() as session:
            found = scenes.scenes(session, self.registry)
        self._scenes = (now, found)
        return found

    def scenes_changed(self) -> None:
        self._scenes = None
        self.serialised.clear()

    def scene(self, slug: str) -> scenes.Scene:
        for found in self.scene_list():
            if found.slug == slug:
                return found
        raise NotFoundError(f"scene {slug!r} does not exist; GET /api/scenes lists them")

    def scene_data(self, slug: str, place: Place, scope: Scope, lang: str) -> Job:
        registry = self.registry
        chosen = self.scene(slug)
        return Job(
            ("scene", chosen.slug, chosen.version, place, scope_key(scope), lang),
            self._generation(chosen.indicators),
            lambda: dumps(scenes.scene_data(self.evaluator, registry, chosen, place, scope, lang)),
        )

    # Synchronous shorthands for pages, tests and the benchmark.

    def detail_bytes(
        self, ident: str, place: Place, scope: Scope, lang: str, period: int | None, by: str | None
    ) -> bytes:
        return self.run(self.detail(ident, place, scope, lang, period, by))

    def cards_bytes(self, ids: tuple[str, ...], place: Place, scope: Scope, lang: str) -> bytes:
        return self.run(self.cards(ids, place, scope, lang))

    def scene_bytes(self, slug: str, place: Place, scope: Scope, lang: str) -> bytes:
        return self.run(self.scene_data(slug, place, scope, lang))
