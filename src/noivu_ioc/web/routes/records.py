"""Record-level reads of the sector datasets: lists, search, one record and exports, each in
the caller's scope with the fields their grants allow (``access.policy``), and audited:
every read that shows personal or sensitive fields in clear, every export, and every
refused read (a record outside the caller's scope is answered as not found)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel

from noivu_ioc.access import records as svc
from noivu_ioc.access.policy import FieldAccess, field_access
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.catalog import catalog
from noivu_ioc.catalog.model import Entity
from noivu_ioc.errors import NotFoundError
from noivu_ioc.web.deps import Lang, RecordReader, client_of
from noivu_ioc.web.pages import render

router = APIRouter(tags=["records"])

PAGE_SIZE = 50


class FieldInfo(BaseModel):
    name: str
    label: str
    sensitivity: str
    readable: bool


class DatasetPublic(BaseModel):
    id: str
    sector: str
    label: str
    readable: list[str]
    masked: list[str]
    agreements: list[str]


class RecordPage(BaseModel):
    dataset: str
    total: int
    limit: int
    offset: int
    fields: list[FieldInfo]
    masked: list[str]
    rows: list[dict[str, Any]]


class RecordOut(BaseModel):
    dataset: str
    key: str
    fields: list[FieldInfo]
    masked: list[str]
    record: dict[str, Any]


def _entity(dataset: str) -> Entity:
    try:
        return catalog().entity(dataset)
    except KeyError:
        raise NotFoundError(
            f"no dataset {dataset!r}; GET /api/records lists the datasets you can read"
        ) from None


def _fields(access: FieldAccess, lang: str) -> list[FieldInfo]:
    return [
        FieldInfo(
            name=f.name,
            label=f.label_vi if lang == "vi" else f.label_en,
            sensitivity=f.sensitivity.value,
            readable=access.can_read(f.name),
        )
        for f in access.entity.fields
    ]


def _audit_read(
    request: Request,
    principal: Principal,
    access: FieldAccess,
    action: str,
    target: str,
    rows: int,
    *,
    always: bool = False,
) -> None:
    """Audit a read when it showed personal or sensitive fields in clear (or always).

    Called once the request's own session is closed: the entry is written by group commit
    (``access.read_audit``) on a connection of its own, and returns once it is stored."""
    clear = access.personal_in_clear
    if not (clear or always) or not request.app.state.settings.audit_reads:
        return
    request.app.state.read_audit.write(
        action,
        principal,
        target=target,
        detail={
            "fields": list(clear),
            "agreements": list(access.agreements),
            "purposes": list(access.purposes),
            "rows": rows,
        },
        client=client_of(request),
    )


def _page(
    request: Request,
    principal: Principal,
    lang: str,
    dataset: str,
    q: str | None,
    province: str | None,
    limit: int,
    offset: int,
) -> RecordPage:
    entity = _entity(dataset)
    with request.app.state.store.session() as session:
        access = field_access(session, principal, entity)
        page = svc.list_records(
            request.app.state.warehouse,
            principal,
            access,
            search=q,
            province=province,
            limit=limit,
            offset=offset,
        )
    _audit_read(request, principal, access, "records.list", entity.id, len(page.rows))
    return RecordPage(
        dataset=entity.id,
        total=page.total,
        limit=limit,
        offset=offset,
        fields=_fields(access, lang),
        masked=list(access.masked),
        rows=page.rows,
    )


def _one(request: Request, principal: Principal, lang: str, dataset: str, key: str) -> RecordOut:
    entity = _entity(dataset)
    warehouse = request.app.state.warehouse
    with request.app.state.store.session() as session:
        access = field_access(session, principal, entity)
        try:
            record = svc.get_record(warehouse, principal, access, key)
        except NotFoundError:
            audit(
                session,
                "records.read",
                "denied",
                user=principal,
                target=f"{entity.id} {key[:200]}",
                detail={
                    "reason": "out of scope"
                    if svc.exists_anywhere(warehouse, entity, key)
                    else "no such record"
                },
                client=client_of(request),
            )
            session.commit()  # the refusal stays although the request fails
            raise
    _audit_read(request, principal, access, "records.read", f"{entity.id} {key}", 1)
    return RecordOut(
        dataset=entity.id,
        key=key,
        fields=_fields(access, lang),
        masked=list(access.masked),
        record=record,
    )


@router.get("/api/records", response_model=list[DatasetPublic])
def api_datasets(request: Request, principal: RecordReader, lang: Lang) -> list[DatasetPublic]:
    """The datasets, with the fields the caller reads in clear and those masked for them."""
    with request.app.state.store.session() as session:
        found = []
        for entity in catalog().entities:
            access = field_access(session, principal, entity)
            found.append(
                DatasetPublic(
                    id=entity.id,
                    sector=entity.sector,
                    label=entity.label_vi if lang == "vi" else entity.label_en,
                    readable=list(access.readable),
                    masked=list(access.masked),
                    agreements=list(access.agreements),
                )
            )
    return found


@router.get("/api/records/{dataset}", response_model=RecordPage)
def api_list(
    request: Request,
    dataset: str,
    principal: RecordReader,
    lang: Lang,
    q: Annotated[str | None, Query(max_length=svc.MAX_SEARCH)] = None,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=svc.MAX_PAGE)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> RecordPage:
    """Rows of a dataset in the caller's scope, ordered by key; ``q`` searches the fields
    they read in clear. Masked fields come as null and are listed in ``masked``."""
    return _page(request, principal, lang, dataset, q, province, limit, offset)


def _csv(access: FieldAccess, rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    names = ["_key", *access.readable]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    yield ("\ufeff" + buffer.getvalue()).encode()  # a BOM, so that Excel reads UTF-8
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if row[n] is None else row[n] for n in names])
        yield buffer.getvalue().encode()


@router.get(
    "/api/records/{dataset}/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def api_export(
    request: Request,
    dataset: str,
    principal: RecordReader,
    q: Annotated[str | None, Query(max_length=svc.MAX_SEARCH)] = None,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
) -> StreamingResponse:
    """The rows in scope as CSV (UTF-8), with only the fields the caller reads in clear.
    Every export is audited, with its row count and the personal fields it held."""
    entity = _entity(dataset)
    warehouse = request.app.state.warehouse
    with request.app.state.store.session() as session:
        access = field_access(session, principal, entity)
        # Counted first, so that the audit holds what left, even if the client hangs up.
        total = svc.list_records(
            warehouse, principal, access, search=q, province=province, limit=1
        ).total
    _audit_read(request, principal, access, "records.export", entity.id, total, always=True)
    rows = svc.export_rows(warehouse, principal, access, search=q, province=province)
    return StreamingResponse(
        _csv(access, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{entity.id}.csv"'},
    )


@router.get("/api/records/{dataset}/{key}", response_model=RecordOut)
def api_record(
    request: Request, dataset: str, key: str, principal: RecordReader, lang: Lang
) -> RecordOut:
    """One record by its key (values joined by ``|`` for a composite key), when it is in
    the caller's scope; a record outside it is answered as not found, and audited."""
    return _one(request, principal, lang, dataset, key)


# -- pages -----------------------------------------------------------------------------------


@router.get("/records", response_class=HTMLResponse, include_in_schema=False)
def datasets_page(request: Request, principal: RecordReader, lang: Lang) -> Response:
    datasets = api_datasets(request, principal, lang)
    sectors = {s.id: (s.label_vi if lang == "vi" else s.label_en) for s in catalog().sectors}
    return render(
        request,
        "records.html",
        {"lang": lang, "principal": principal, "datasets": datasets, "sectors": sectors},
    )


@router.get("/records/{dataset}", response_class=HTMLResponse, include_in_schema=False)
def dataset_page(
    request: Request,
    dataset: str,
    principal: RecordReader,
    lang: Lang,
    q: Annotated[str | None, Query(max_length=svc.MAX_SEARCH)] = None,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    page = _page(request, principal, lang, dataset, q or None, province, PAGE_SIZE, offset)
    entity = _entity(dataset)
    return render(
        request,
        "records_dataset.html",
        {
            "lang": lang,
            "principal": principal,
            "entity": entity,
            "label": entity.label_vi if lang == "vi" else entity.label_en,
            "page": page,
            "q": q or "",
            "province": province or "",
        },
    )


@router.get("/records/{dataset}/{key}", response_class=HTMLResponse, include_in_schema=False)
def record_page(
    request: Request, dataset: str, key: str, principal: RecordReader, lang: Lang
) -> Response:
    found = _one(request, principal, lang, dataset, key)
    entity = _entity(dataset)
    return render(
        request,
        "record.html",
        {
            "lang": lang,
            "principal": principal,
            "entity": entity,
            "label": entity.label_vi if lang == "vi" else entity.label_en,
            "found": found,
        },
    )
