"""The home page: the nine domains with live figures from the warehouse, in scope."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from noivu_ioc.access.roles import role_label
from noivu_ioc.access.scope import Scope
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import NotAllowedError
from noivu_ioc.indicators import overview
from noivu_ioc.units import admin
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


ProvinceParam = Annotated[
    str | None,
    Query(pattern=r"^\d{2}$", description="Narrow to one province (2-digit code) in scope."),
]


def _narrowed(request: Request, principal: Principal, province: str | None) -> Scope:
    """The viewer's scope, or one province of it; asking for a province outside the scope
    is refused, audited, and named in the message."""
    if province is None:
        return principal.scope
    unit = admin.unit(province)
    if not principal.scope.covers_province(province):
        with request.app.state.store.session() as session:
            audit(
                session,
                "scope",
                "denied",
                user=principal,
                target=f"province {province}",
                client=request.client.host if request.client else None,
            )
        mine = ", ".join(sorted(principal.scope.provinces)) or "none"
        raise NotAllowedError(
            f"{unit.name} ({province}) is outside your scope (provinces: {mine}); open the "
            "overview without ?province, or ask an administrator to widen your scope"
        )
    return Scope(provinces=frozenset({province}))


# Viet Nam keeps UTC+7 all year; times are stored in UTC and shown in local time.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


def _local_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")


def _overview(warehouse: Warehouse, scope: Scope) -> Overview:
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
        loaded_at=_local_time(last[0]["finished_at"]) if last else None,
    )


@router.get("/api/overview", response_model=Overview)
def api_overview(
    request: Request, warehouse: WarehouseDep, principal: Viewer, province: ProvinceParam = None
) -> Overview:
    """Headline figures of every domain and personnel by province, within the caller's
    scope (a provincial officer's totals are their province's); ``province`` narrows to
    one province of the scope."""
    return _overview(warehouse, _narrowed(request, principal, province))


def _context(
    request: Request, lang: str, warehouse: Warehouse, principal: Principal, province: str | None
) -> dict[str, Any]:
    data = _overview(warehouse, _narrowed(request, principal, province))
    return {
        "lang": lang,
        "principal": principal,
        "roles": [role_label(r, lang) for r in sorted(principal.roles)],
        "data": data,
        "province": admin.unit(province) if province else None,
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home_page(
    request: Request,
    lang: Lang,
    warehouse: WarehouseDep,
    principal: Viewer,
    province: ProvinceParam = None,
) -> Response:
    context = _context(request, lang, warehouse, principal, province)
    return render(request, "home.html", context)


@router.get("/fragments/overview", response_class=HTMLResponse, include_in_schema=False)
def home_fragment(
    request: Request,
    lang: Lang,
    warehouse: WarehouseDep,
    principal: Viewer,
    province: ProvinceParam = None,
) -> Response:
    """The figures alone, for htmx to refresh in place."""
    context = _context(request, lang, warehouse, principal, province)
    return render(request, "_overview.html", context)
