"""The video wall: the full-screen page of the operations room, its scenes (configured here
by administrators), the province map, and the live stream of events.

The wall page is one shell; its script fetches the scene list, shows each scene for its
dwell time, draws the panels from ``/api/scenes/<slug>/data`` (served from the cache) and
listens to ``/api/live``. ``?kiosk=1`` hides every control, ``?grid=2x2&tile=1,0`` shows one
screen's tile of a scene spread over a grid of screens, ``?scene=`` pins one scene and
``?place=`` reads the scene for a province.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import anyio
import orjson
from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.users import audit
from noivu_ioc.errors import InvalidInputError
from noivu_ioc.indicators import scenes
from noivu_ioc.web.deps import Lang, SituationDep, Viewer, WallAdmin, client_of
from noivu_ioc.web.live import LiveHub
from noivu_ioc.web.pages import render
from noivu_ioc.web.routes.situation import PlaceParam, answer, place_of, resolve_place

router = APIRouter(tags=["wall"])

JSON = "application/json"
_GRID = re.compile(r"^([1-4])x([1-4])$")
_TILE = re.compile(r"^(\d),(\d)$")


def _scene_public(scene: scenes.Scene, lang: str) -> dict[str, Any]:
    return {
        "slug": scene.slug,
        "title": scene.title(lang),
        "title_vi": scene.title_vi,
        "title_en": scene.title_en,
        "position": scene.position,
        "dwell_seconds": scene.dwell_seconds,
        "enabled": scene.enabled,
        "panels": [p.as_dict() for p in scene.panels],
        "updated_by": scene.updated_by,
    }


@router.get("/api/scenes")
async def api_scenes(
    request: Request, situation: SituationDep, principal: Viewer, lang: Lang
) -> Response:
    """The wall's scenes in rotation order (disabled ones are listed for administrators)."""
    found = await anyio.to_thread.run_sync(situation.scene_list)
    if not principal.can(Permission.MANAGE_WALL):
        found = [s for s in found if s.enabled]
    return Response(orjson.dumps([_scene_public(s, lang) for s in found]), media_type=JSON)


@router.get("/api/scenes/{slug}/data")
async def api_scene_data(
    request: Request,
    slug: str,
    situation: SituationDep,
    principal: Viewer,
    lang: Lang,
    place: PlaceParam = None,
) -> Response:
    """Every panel's figures of one scene, at the viewer's root place or ``place``; a panel
    that cannot be computed carries its reason instead of failing the scene."""
    where = await place_of(request, principal, place)
    return await answer(situation, situation.scene_data(slug, where, principal.scope, lang))


@router.post("/api/scenes", status_code=201)
def api_create_scene(
    request: Request,
    situation: SituationDep,
    principal: WallAdmin,
    lang: Lang,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    """Add a scene: ``slug``, ``title_vi``, ``title_en``, ``dwell_seconds`` and ``panels``
    (kind, x, y, w, h on a 12 × 8 grid, indicators, titles, limit)."""
    slug = str(body.get("slug", ""))
    with request.app.state.store.session() as session:
        scene = scenes.save_scene(
            session, situation.registry, slug, body, principal.username, create=True
        )
        audit(session, "scene.create", "ok", user=principal, target=slug, client=client_of(request))
    situation.scenes_changed()
    return Response(orjson.dumps(_scene_public(scene, lang)), media_type=JSON, status_code=201)


@router.put("/api/scenes/{slug}")
def api_update_scene(
    request: Request,
    slug: str,
    situation: SituationDep,
    principal: WallAdmin,
    lang: Lang,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    with request.app.state.store.session() as session:
        scene = scenes.save_scene(
            session, situation.registry, slug, body, principal.username, create=False
        )
        audit(session, "scene.update", "ok", user=principal, target=slug, client=client_of(request))
    situation.scenes_changed()
    return Response(orjson.dumps(_scene_public(scene, lang)), media_type=JSON)


@router.delete("/api/scenes/{slug}", status_code=204)
def api_delete_scene(
    request: Request, slug: str, situation: SituationDep, principal: WallAdmin
) -> Response:
    with request.app.state.store.session() as session:
        scenes.delete_scene(session, slug)
        audit(session, "scene.delete", "ok", user=principal, target=slug, client=client_of(request))
    situation.scenes_changed()
    return Response(status_code=204)


@router.get("/api/map/provinces")
async def api_province_map(
    request: Request, situation: SituationDep, principal: Viewer
) -> Response:
    """The provinces' geometry as GeoJSON, from the administrative-boundaries dataset
    (sector database 2); the demo's is a labelled schematic, not official boundaries."""
    return await answer(situation, situation.province_map(request.app.state.settings.data_dir))


@router.get("/api/live", response_class=StreamingResponse)
async def api_live(
    request: Request,
    principal: Viewer,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: alerts and events in the viewer's scope as they happen, and a
    ``data`` message when a sync commits new figures."""
    hub: LiveHub = request.app.state.live
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    return StreamingResponse(
        hub.stream(principal.scope, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# Pages --------------------------------------------------------------------------------


@router.get("/wall", response_class=HTMLResponse, include_in_schema=False)
def wall_page(
    request: Request,
    situation: SituationDep,
    principal: Viewer,
    lang: Lang,
    scene: Annotated[str | None, Query(pattern=r"^[a-z0-9-]{1,64}$")] = None,
    kiosk: bool = False,
    grid: Annotated[str, Query(description="Screens across x down, e.g. 2x2")] = "1x1",
    tile: Annotated[str, Query(description="This screen's column,row in the grid")] = "0,0",
    place: PlaceParam = None,
) -> Response:
    grid_match, tile_match = _GRID.match(grid), _TILE.match(tile)
    if grid_match is None:
        raise InvalidInputError(f"grid {grid!r} must be columns x rows, e.g. 2x2 (1 to 4 each)")
    if tile_match is None:
        raise InvalidInputError(f"tile {tile!r} must be column,row, e.g. 1,0")
    cols, rows = int(grid_match[1]), int(grid_match[2])
    col, row = int(tile_match[1]), int(tile_match[2])
    if col >= cols or row >= rows:
        raise InvalidInputError(
            f"tile {tile} is outside a {cols}x{rows} grid; columns 0–{cols - 1}, rows 0–{rows - 1}"
        )
    where = resolve_place(request, principal, place)
    if scene is not None:
        situation.scene(scene)  # 404 naming it
    return render(
        request,
        "wall.html",
        {
            "lang": lang,
            "principal": principal,
            "config": {
                "scene": scene,
                "kiosk": kiosk,
                "grid": [cols, rows],
                "tile": [col, row],
                "place": where.key,
                "lang": lang,
            },
            "kiosk": kiosk,
        },
    )


@router.get("/wall/scenes", response_class=HTMLResponse, include_in_schema=False)
def scenes_page(
    request: Request, situation: SituationDep, principal: WallAdmin, lang: Lang
) -> Response:
    with request.app.state.store.session() as session:
        found = scenes.scenes(session, situation.registry)
    return render(
        request,
        "scenes.html",
        {
            "lang": lang,
            "principal": principal,
            "scenes": [_scene_public(s, lang) for s in found],
            "indicators": [
                {"id": i.id, "name": i.name(lang), "domain": i.domain} for i in situation.registry
            ],
            "kinds": scenes.KINDS,
            "grid": [scenes.COLUMNS, scenes.ROWS],
        },
    )
