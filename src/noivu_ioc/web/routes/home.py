"""The home page: the nine domains with live figures from the warehouse, in scope."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from noivu_ioc.access.roles import role_label
from noivu_ioc.access.users import Principal
from noivu_ioc.indicators import overview
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.deps import Lang, Viewer, WarehouseDep
from noivu_ioc.web.pages import render

router = APIRouter(tags=["overview"])


class SectorFigurePublic(BaseModel):
    sector_id: str
    number: int
    label_vi: str
    label_en: str
    entities: int
    headline_vi: str
    headline_en: str
    value: float | None


class ProvinceFigure(BaseModel):
    code: str
    name: str
    persons: int


class LevelFigure(BaseModel):
    level: str | None
    persons: int


class Overview(BaseModel):
    scope_national: bool
    scope_provinces: list[str]
    persons: int
    women_share: float | None
    minority_share: float | None
    by_level: list[LevelFigure]
    by_province: list[ProvinceFigure]
    sectors: list[SectorFigurePublic]
    loaded_at: str | None


def _overview(warehouse: Warehouse, principal: Principal) -> Overview:
    scope = principal.scope
    summary = overview.personnel_summary(warehouse, scope)
    last = warehouse.loads(1)
    return Overview(
        scope_national=scope.national,
        scope_provinces=sorted(scope.provinces),
        persons=summary["total"],
        women_share=summary["women_share"],
        minority_share=summary["minority_share"],
        by_level=[LevelFigure(**r) for r in summary["by_level"]],
        by_province=[ProvinceFigure(**r) for r in overview.personnel_by_province(warehouse, scope)],
        sectors=[
            SectorFigurePublic(**asdict(f)) for f in overview.sector_figures(warehouse, scope)
        ],
        loaded_at=str(last[0]["finished_at"]) if last else None,
    )


@router.get("/api/overview", response_model=Overview)
def api_overview(warehouse: WarehouseDep, principal: Viewer) -> Overview:
    """Headline figures of every domain and personnel by province, within the caller's
    scope (a provincial officer's totals are their province's)."""
    return _overview(warehouse, principal)


def _context(
    request: Request, lang: Lang, warehouse: Warehouse, principal: Principal
) -> dict[str, Any]:
    data = _overview(warehouse, principal)
    return {
        "lang": lang,
        "principal": principal,
        "roles": [role_label(r, lang) for r in sorted(principal.roles)],
        "data": data,
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home_page(request: Request, lang: Lang, warehouse: WarehouseDep, principal: Viewer) -> Response:
    return render(request, "home.html", _context(request, lang, warehouse, principal))


@router.get("/fragments/overview", response_class=HTMLResponse, include_in_schema=False)
def home_fragment(
    request: Request, lang: Lang, warehouse: WarehouseDep, principal: Viewer
) -> Response:
    """The figures alone, for htmx to refresh in place."""
    return render(request, "_overview.html", _context(request, lang, warehouse, principal))
