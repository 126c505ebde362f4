"""The data dictionary, as a page and as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from noivu_ioc.catalog import catalog
from noivu_ioc.errors import NotFoundError
from noivu_ioc.web.deps import CatalogReader, Lang
from noivu_ioc.web.pages import render

router = APIRouter(tags=["catalog"])


@router.get("/api/catalog")
def api_catalog(principal: CatalogReader) -> dict[str, Any]:
    """The whole catalog: sectors, entities, fields (labels, types, keys, code lists,
    sensitivity) and every code list."""
    result: dict[str, Any] = catalog().as_json()
    return result


@router.get("/api/catalog/entities/{entity_id}")
def api_entity(entity_id: str, principal: CatalogReader) -> dict[str, Any]:
    """One entity of the catalog."""
    for sector in catalog().as_json()["sectors"]:
        for entity in sector["entities"]:
            if entity["id"] == entity_id:
                found: dict[str, Any] = entity | {"sector": sector["id"]}
                return found
    raise NotFoundError(
        f"entity {entity_id!r} is not in the catalog; GET /api/catalog lists every entity"
    )


@router.get("/api/catalog/codelists/{codelist_id}")
def api_codelist(codelist_id: str, principal: CatalogReader) -> dict[str, Any]:
    """One code list with its codes."""
    for c in catalog().as_json()["codelists"]:
        if c["id"] == codelist_id:
            return dict(c)
    raise NotFoundError(
        f"code list {codelist_id!r} does not exist; GET /api/catalog lists every code list"
    )


@router.get("/catalog", response_class=HTMLResponse, include_in_schema=False)
def catalog_page(request: Request, lang: Lang, principal: CatalogReader) -> Response:
    return render(
        request, "catalog.html", {"lang": lang, "principal": principal, "catalog": catalog()}
    )
