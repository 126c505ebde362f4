"""The indicator library and its drill-down: the JSON API (served as bytes from the cache)
and the console pages for operators and analysts.

A place outside the viewer's scope is refused and audited before anything is computed; the
scope also goes into every query, so a provincial officer's "nation" is their province.
"""

from __future__ import annotations

import tomllib
from typing import Annotated, Any

import anyio
import orjson
from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from noivu_ioc.access.policy import field_access
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.catalog import catalog
from noivu_ioc.catalog.model import Sensitivity
from noivu_ioc.errors import InvalidInputError, NotAllowedError, NotFoundError
from noivu_ioc.indicators import places, views
from noivu_ioc.indicators.compile import Place
from noivu_ioc.indicators.model import UNITS, Indicator, parse_definition
from noivu_ioc.indicators.saved import delete_indicator, save_indicator
from noivu_ioc.indicators.service import Job, Situation
from noivu_ioc.web.deps import Analyst, Lang, SituationDep, Viewer, client_of
from noivu_ioc.web.pages import render

router = APIRouter(tags=["indicators"])

JSON = "application/json"

PlaceParam = Annotated[
    str | None,
    Query(
        description="nation, province:<2 digits>, commune:<5 digits> or agency:<id>; "
        "default: the viewer's own level (a provincial officer's province)",
        max_length=80,
    ),
]
PeriodParam = Annotated[
    int | None, Query(ge=1900, le=2100, description="Year; default: the latest with data.")
]
ByParam = Annotated[
    str | None,
    Query(
        description="Cut by province, commune, agency or one of the indicator's code "
        "dimensions; default: the next level down.",
        pattern=r"^[a-z_]{1,40}$",
    ),
]


def resolve_place(request: Request, principal: Principal, text: str | None) -> Place:
    """The place asked for, in scope; a place outside it is refused and audited. An agency
    is in scope when its province is (a central agency: for national viewers only)."""
    try:
        place = places.parse(text, principal.scope)
        if place.level == "agency" and place.code is not None:
            situation: Situation = request.app.state.situation
            found = situation.evaluator.agencies([place.code]).get(place.code)
            if found is None:
                raise NotFoundError(
                    f"agency {place.code!r} is not in the organisation database (sector 1)"
                )
            if not principal.scope.covers(found[1]):
                raise NotAllowedError(
                    f"{found[0]} ({place.code}) is outside your scope; open the indicator "
                    "without ?place, or ask an administrator to widen your scope"
                )
        return place
    except NotAllowedError:
        with request.app.state.store.session() as session:
            audit(
                session,
                "scope",
                "denied",
                user=principal,
                target=f"place {text}",
                client=client_of(request),
            )
        raise


async def place_of(request: Request, principal: Principal, text: str | None) -> Place:
    """``resolve_place`` for the event loop: parsing is pure; only a refusal, which is
    audited, goes to a worker thread."""
    try:
        place = places.parse(text, principal.scope)
    except NotAllowedError:
        await anyio.to_thread.run_sync(resolve_place, request, principal, text)
        raise
    if place.level == "agency":  # its scope is looked up in the warehouse
        return await anyio.to_thread.run_sync(resolve_place, request, principal, text)
    return place


async def answer(situation: Situation, job: Job) -> Response:
    """A cached answer straight from the event loop; a fresh one computed on a worker
    thread (the warehouse's queries block)."""
    found = situation.peek(job)
    if found is None:
        found = await anyio.to_thread.run_sync(situation.run, job)
    return Response(content=found, media_type=JSON)


def _json(content: bytes) -> Response:
    return Response(content=content, media_type=JSON)


@router.get("/api/indicators")
def api_indicators(situation: SituationDep, principal: Viewer, lang: Lang) -> Response:
    """Every indicator in force (the shipped library and the analysts' own), with its
    domain, unit, target, thresholds, owner, source entities and possible cuts."""
    return _json(orjson.dumps([views.definition(i, lang) for i in situation.registry]))


@router.get("/api/indicators/cards")
async def api_cards(
    request: Request,
    situation: SituationDep,
    principal: Viewer,
    lang: Lang,
    place: PlaceParam = None,
    ids: Annotated[
        str | None, Query(description="Comma-separated indicator ids; default: all.")
    ] = None,
) -> Response:
    """The tile of each indicator (value, previous period, target, traffic light) at one
    place."""
    chosen = tuple(i for i in (ids or "").split(",") if i)
    where = await place_of(request, principal, place)
    return await answer(situation, situation.cards(chosen, where, principal.scope, lang))


def check_cut(request: Request, principal: Principal, ident: str, by: str | None) -> None:
    """Aggregates are statistics, open to every viewer in scope; a cut by a sensitive field
    (Decree 13/2023: religion, ethnicity, health, Party membership...) shows them only under
    a data-sharing agreement that opens the field, as its records would."""
    if by is None:
        return
    situation: Situation = request.app.state.situation
    indicator = situation.registry.get(ident)
    if by not in indicator.dimensions:
        return  # not a cut this indicator makes: the answer says so, with the reading
    for measure in indicator.measures:
        entity = measure.entity_def
        if by not in entity.field_names:
            continue
        if entity.field(by).sensitivity is not Sensitivity.SENSITIVE:
            continue
        with request.app.state.store.session() as session:
            allowed = field_access(session, principal, entity).can_read(by)
        if not allowed:
            raise NotAllowedError(
                f"{by} is sensitive personal data of {entity.id}; a cut of {ident} by it "
                "needs a data-sharing agreement that opens the field to you (ask the "
                "administrator who manages data sharing), or cut by another dimension"
            )


def check_personal_fields(session: Session, principal: Principal, indicator: Indicator) -> None:
    """An analyst's own definition that filters or aggregates on personal or sensitive
    fields reads them, as a record page would: only under a data-sharing agreement that opens
    them to the analyst. The shipped library's definitions were approved with the ministry."""
    for entity_id, names in indicator.personal_fields.items():
        access = field_access(session, principal, catalog().entity(entity_id))
        closed = [name for name in names if not access.can_read(name)]
        if closed:
            raise NotAllowedError(
                f"indicator {indicator.id} reads {', '.join(closed)} of {entity_id}, personal "
                "data (Decree 13/2023) that no data-sharing agreement opens to you; ask the "
                "administrator who manages data sharing for one, or define the indicator "
                "without these fields"
            )


@router.get("/api/indicators/{ident}")
async def api_indicator(
    request: Request,
    ident: str,
    situation: SituationDep,
    principal: Viewer,
    lang: Lang,
    place: PlaceParam = None,
    period: PeriodParam = None,
    by: ByParam = None,
) -> Response:
    """One indicator at one place: its reading, the breadcrumb back up, the cut into the
    next level (or by ``by``), the trend and the periods with data."""
    where = await place_of(request, principal, place)
    await anyio.to_thread.run_sync(check_cut, request, principal, ident, by)
    job = situation.detail(ident, where, principal.scope, lang, period, by)  # 404 names it
    return await answer(situation, job)


def _definition_from(body: Any) -> dict[str, Any]:
    """A definition sent as JSON, or as TOML text under ``toml``."""
    if isinstance(body, dict) and set(body) == {"toml"} and isinstance(body["toml"], str):
        try:
            parsed = tomllib.loads(body["toml"])
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInputError(f"the definition is not valid TOML: {exc}") from None
        tables = parsed.get("indicator")
        if isinstance(tables, list):
            if len(tables) != 1:
                raise InvalidInputError("send one [[indicator]] table at a time")
            return dict(tables[0])
        return parsed
    if not isinstance(body, dict):
        raise InvalidInputError('send the definition as a JSON object, or {"toml": "..."}')
    return body


@router.post("/api/indicators/check")
def api_check_indicator(
    request: Request,
    situation: SituationDep,
    principal: Analyst,
    lang: Lang,
    body: Annotated[Any, Body()],
) -> Response:
    """Check a definition without saving it, and compute it at the analyst's root place."""
    raw = _definition_from(body)
    indicator = parse_definition(raw, origin=principal.username)
    with request.app.state.store.session() as session:
        check_personal_fields(session, principal, indicator)
    root = places.root(principal.scope)
    reading = situation.evaluator.read(indicator, root, principal.scope)
    return _json(
        orjson.dumps(
            {
                "definition": views.definition(indicator, lang),
                "reading": views.card(indicator, reading, lang),
            }
        )
    )


@router.post("/api/indicators", status_code=201)
def api_save_indicator(
    request: Request,
    situation: SituationDep,
    principal: Analyst,
    lang: Lang,
    body: Annotated[Any, Body()],
) -> Response:
    """Save an analyst's indicator (the keys of the library's TOML, as JSON or as TOML
    text); it is checked as the shipped ones are and is usable at once."""
    raw = _definition_from(body)
    with request.app.state.store.session() as session:
        check_personal_fields(session, principal, parse_definition(raw, principal.username))
        indicator = save_indicator(session, raw, principal.username)
        audit(
            session,
            "indicator.create",
            "ok",
            user=principal,
            target=indicator.id,
            client=client_of(request),
        )
    situation.reload()
    return Response(
        content=orjson.dumps(views.definition(indicator, lang)),
        media_type=JSON,
        status_code=201,
    )


@router.put("/api/indicators/{ident}")
def api_replace_indicator(
    request: Request,
    ident: str,
    situation: SituationDep,
    principal: Analyst,
    lang: Lang,
    body: Annotated[Any, Body()],
) -> Response:
    raw = _definition_from(body)
    if raw.get("id") != ident:
        raise InvalidInputError(f"the definition's id {raw.get('id')!r} is not {ident!r}")
    with request.app.state.store.session() as session:
        check_personal_fields(session, principal, parse_definition(raw, principal.username))
        indicator = save_indicator(session, raw, principal.username, replace=True)
        audit(
            session,
            "indicator.update",
            "ok",
            user=principal,
            target=ident,
            client=client_of(request),
        )
    situation.reload()
    return _json(orjson.dumps(views.definition(indicator, lang)))


@router.delete("/api/indicators/{ident}", status_code=204)
def api_delete_indicator(
    request: Request, ident: str, situation: SituationDep, principal: Analyst
) -> Response:
    with request.app.state.store.session() as session:
        delete_indicator(session, ident)
        audit(
            session,
            "indicator.delete",
            "ok",
            user=principal,
            target=ident,
            client=client_of(request),
        )
    situation.reload()
    return Response(status_code=204)


# Console pages ------------------------------------------------------------------------


def _domains(situation: Situation, lang: str) -> list[dict[str, Any]]:
    out = []
    for sector in catalog().sectors:
        members = situation.registry.by_domain(sector.id)
        if members:
            out.append(
                {
                    "id": sector.id,
                    "number": sector.number,
                    "name": sector.label_vi if lang == "vi" else sector.label_en,
                    "indicators": [i.id for i in members],
                }
            )
    return out


@router.get("/indicators", response_class=HTMLResponse, include_in_schema=False)
def indicators_page(
    request: Request,
    situation: SituationDep,
    principal: Viewer,
    lang: Lang,
    place: PlaceParam = None,
) -> Response:
    where = resolve_place(request, principal, place)
    cards = orjson.loads(situation.cards_bytes((), where, principal.scope, lang))
    by_id = {c["id"]: c for c in cards["cards"]}
    domains = _domains(situation, lang)
    for domain in domains:
        domain["cards"] = [by_id[i] for i in domain["indicators"]]
    return render(
        request,
        "indicators.html",
        {
            "lang": lang,
            "principal": principal,
            "place": where,
            "data": cards,
            "domains": domains,
        },
    )


@router.get("/indicators/new", response_class=HTMLResponse, include_in_schema=False)
def new_indicator_page(request: Request, principal: Analyst, lang: Lang) -> Response:
    return render(
        request,
        "indicator_new.html",
        {
            "lang": lang,
            "principal": principal,
            "units": list(UNITS),
            "sectors": catalog().sectors,
        },
    )


@router.get("/indicators/{ident}", response_class=HTMLResponse, include_in_schema=False)
def indicator_page(
    request: Request,
    ident: str,
    situation: SituationDep,
    principal: Viewer,
    lang: Lang,
    place: PlaceParam = None,
    period: PeriodParam = None,
    by: ByParam = None,
) -> Response:
    where = resolve_place(request, principal, place)
    situation.registry.get(ident)
    check_cut(request, principal, ident, by)
    raw = situation.detail_bytes(ident, where, principal.scope, lang, period, by)
    return render(
        request,
        "indicator.html",
        {
            "lang": lang,
            "principal": principal,
            "data": orjson.loads(raw),
            "raw": raw.decode(),
            "by": by,
        },
    )
