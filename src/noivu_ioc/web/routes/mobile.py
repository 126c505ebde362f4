"""The leader's phone: the headline indicators, the latest alerts, what needs a decision
and the directives not yet acknowledged, on one page 390 px wide, installable as a web app
(manifest and service worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from noivu_ioc.indicators import places
from noivu_ioc.web.deps import Lang, SituationDep, Viewer
from noivu_ioc.web.i18n import t
from noivu_ioc.web.live import LiveHub
from noivu_ioc.web.pages import render
from noivu_ioc.web.routes import directives
from noivu_ioc.web.routes.situation import PlaceParam, answer, place_of, resolve_place

router = APIRouter(tags=["mobile"])

STATIC = Path(__file__).parent.parent / "static"

# The headline of the phone: the figures a leader asks for first.
HEADLINE = (
    "personnel.active_staff",
    "organisation.civil_servant_quota_use",
    "personnel.women_share",
    "personnel.retiring_5y",
    "organisation.staff_reduction_progress",
    "exams.pass_rate",
    "religion.worship_places",
    "emulation.awards_per_thousand_staff",
)


def _decisions(cards: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What asks for the leader's attention: indicators in the red, and serious alerts
    (directives have their own section)."""
    needs: list[dict[str, Any]] = [
        {"kind": "indicator", "id": c["id"], "title": c["name"], "status": c["status"]}
        for c in cards
        if c["status"] == "red"
    ]
    needs.extend(
        {"kind": "alert", "id": a["id"], "title": a["message"], "status": a["severity"]}
        for a in alerts
        if a["severity"] in ("critical", "major") and not a["kind"].startswith("directive.")
    )
    return needs


@router.get("/api/mobile")
async def api_mobile(
    request: Request,
    situation: SituationDep,
    principal: Viewer,
    lang: Lang,
    place: PlaceParam = None,
) -> Response:
    """The phone's page as data: headline tiles, the latest alerts in scope, the items
    that need a decision, and the directives not acknowledged (for national viewers every
    unit still silent; for everyone their own unit's)."""
    where = await place_of(request, principal, place)
    ids = tuple(i for i in HEADLINE if i in situation.registry)
    cards = orjson.loads(
        (await answer(situation, situation.cards(ids, where, principal.scope, lang))).body
    )
    hub: LiveHub = request.app.state.live
    alerts = list(reversed(await anyio.to_thread.run_sync(hub.replay, principal.scope, None)))[:10]

    def pending_directives() -> dict[str, Any]:
        with request.app.state.store.session() as session:
            return directives.phone(session, principal, lang)

    waiting = await anyio.to_thread.run_sync(pending_directives)
    return Response(
        orjson.dumps(
            {
                **cards,
                "alerts": alerts,
                "decisions": _decisions(cards["cards"], alerts),
                "directives": waiting,
            }
        ),
        media_type="application/json",
    )


@router.get("/m", response_class=HTMLResponse, include_in_schema=False)
def mobile_page(
    request: Request,
    situation: SituationDep,
    principal: Viewer,
    lang: Lang,
    place: PlaceParam = None,
) -> Response:
    where = resolve_place(request, principal, place)
    return render(
        request,
        "mobile.html",
        {
            "lang": lang,
            "principal": principal,
            "place": where.key,
            "place_label": places.label(where)[0 if lang == "vi" else 1],
        },
    )


@router.get("/manifest.webmanifest", include_in_schema=False)
def manifest(lang: Lang) -> Response:
    body = {
        "name": t("app.title", lang),
        "short_name": "IOC Bộ Nội vụ" if lang == "vi" else "IOC MoHA",
        "lang": lang,
        "start_url": "/m",
        "scope": "/",
        "display": "standalone",
        "background_color": "#0b1a2b",
        "theme_color": "#0b1a2b",
        "icons": [
            {"src": "/static/icons/ioc-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icons/ioc-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return Response(orjson.dumps(body), media_type="application/manifest+json")


@router.get("/sw.js", include_in_schema=False)
def service_worker() -> Response:
    # Served from the root so that its scope covers the phone page and the API.
    return Response(
        (STATIC / "js" / "sw.js").read_bytes(),
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )
