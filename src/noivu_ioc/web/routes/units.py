"""Administrative units after 1 July 2025 and the conversion of pre-2025 codes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from noivu_ioc.errors import IOCError
from noivu_ioc.units import admin
from noivu_ioc.web.deps import CatalogReader, Lang
from noivu_ioc.web.pages import render

router = APIRouter(tags=["units"])


class UnitPublic(BaseModel):
    code: str
    name: str
    division_type: str
    province_code: str


class ConversionPublic(BaseModel):
    level: Literal["province", "commune"]
    legacy_code: str
    legacy_name: str
    unambiguous: bool
    current: list[UnitPublic]


def _public(u: admin.AdminUnit) -> UnitPublic:
    return UnitPublic(
        code=u.code, name=u.name, division_type=u.division_type, province_code=u.province_code
    )


def convert(code: str) -> ConversionPublic:
    c = admin.convert_legacy(code)
    return ConversionPublic(
        level="province" if c.level == "province" else "commune",
        legacy_code=c.legacy_code,
        legacy_name=c.legacy_name,
        unambiguous=c.is_unambiguous,
        current=[_public(u) for u in c.current],
    )


@router.get("/api/units/provinces", response_model=list[UnitPublic])
def api_provinces(principal: CatalogReader) -> list[UnitPublic]:
    """The 34 provinces and centrally run cities."""
    return [_public(p) for p in admin.provinces()]


@router.get("/api/units/provinces/{code}/communes", response_model=list[UnitPublic])
def api_communes(code: str, principal: CatalogReader) -> list[UnitPublic]:
    """The commune-level units of one province."""
    province = admin.unit(code)
    return [_public(c) for c in admin.communes_of(province.province_code)]


@router.get("/api/units/convert", response_model=ConversionPublic)
def api_convert(
    code: Annotated[str, Query(min_length=1, max_length=8)], principal: CatalogReader
) -> ConversionPublic:
    """Map a pre-2025 province or commune code to the current unit(s). Several units mean
    the former unit was split: the caller must choose, the IOC does not guess."""
    return convert(code)


@router.get("/units", response_class=HTMLResponse, include_in_schema=False)
def units_page(
    request: Request, lang: Lang, principal: CatalogReader, code: str | None = None
) -> Response:
    conversion, problem = None, None
    if code:
        try:
            conversion = convert(code)
        except IOCError as exc:
            problem = exc.text(lang)
    rows = [(p, len(admin.communes_of(p.code))) for p in admin.provinces()]
    return render(
        request,
        "units.html",
        {
            "lang": lang,
            "principal": principal,
            "provinces": rows,
            "code": code or "",
            "conversion": conversion,
            "problem": problem,
        },
    )
