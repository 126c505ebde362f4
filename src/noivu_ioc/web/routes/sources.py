"""Sources and the connection monitor: the JSON API and the steward's pages.

The monitor (``/sources``) shows every source in the viewer's scope with its health,
freshness against its agreed interval, rows, pending quarantine and recent run times; a
source's page shows its bindings and mappings, its runs, and the actions a steward takes
(test the connection, sync now, upload a file, confirm a mapping).

Known limit: the messages that come from the sector systems and the readers (a source's
error, a reader's note on a skipped footer) are shown as written, in English, on the
Vietnamese pages; labels, states and the IOC's own notes are translated.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.users import Principal
from noivu_ioc.catalog import catalog
from noivu_ioc.errors import ConflictError, InvalidInputError, IOCError, NotFoundError
from noivu_ioc.ingest import sources as svc
from noivu_ioc.ingest import uploads
from noivu_ioc.ingest.connectors import KINDS
from noivu_ioc.ingest.mapping import FieldMap, Mapping
from noivu_ioc.ingest.sync import IngestContext
from noivu_ioc.store.models import Event, Source, SyncRun, as_utc
from noivu_ioc.web.deps import Ingest, Lang, RowId, SourceViewer, Steward, client_of
from noivu_ioc.web.pages import render

router = APIRouter(tags=["sources"])

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


class BindingPublic(BaseModel):
    name: str
    entity: str
    selector: dict[str, Any]
    mapping: dict[str, Any]
    confirmed: bool
    confirmed_by: str | None


class RunPublic(BaseModel):
    id: int
    trigger: str
    triggered_by: str | None
    state: str
    started_at: datetime
    finished_at: datetime | None
    seconds: float | None
    attempts: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_deleted: int
    error: str | None
    error_transient: bool | None
    detail: dict[str, Any] | None


class SourcePublic(BaseModel):
    name: str
    label: str
    kind: str
    owner_unit: str
    mode: str
    config: dict[str, Any]
    credentials: list[str]  # which credentials are set; never their values
    schedule_minutes: int | None
    freshness_minutes: int | None
    max_delete_share: float
    enabled: bool
    bindings: list[BindingPublic]


class StatusPublic(BaseModel):
    source: SourcePublic
    health: str
    fresh: bool | None
    last_success_at: datetime | None
    minutes_since_success: int | None
    rows: dict[str, int]
    quarantined: int
    last_run: RunPublic | None
    running: RunPublic | None
    durations: list[float]


class CreatedPublic(BaseModel):
    source: SourcePublic
    api_key: str | None  # a push source's key: shown once, keep it


class TestResult(BaseModel):
    ok: bool
    message: str


class ProposalPublic(BaseModel):
    columns: list[str]
    mapping: dict[str, Any]
    fields: list[dict[str, Any]]
    unused_columns: list[str]
    problems: list[str]


class EventPublic(BaseModel):
    id: int
    at: datetime
    kind: str
    severity: str
    subject: str
    message: str
    payload: dict[str, Any] | None


def maybe_utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def run_public(run: SyncRun) -> RunPublic:
    started, finished = maybe_utc(run.started_at), maybe_utc(run.finished_at)
    assert started is not None
    return RunPublic(
        id=run.id,
        trigger=run.trigger,
        triggered_by=run.triggered_by,
        state=run.state,
        started_at=started,
        finished_at=finished,
        seconds=(finished - started).total_seconds() if finished else None,
        attempts=run.attempts,
        rows_read=run.rows_read,
        rows_loaded=run.rows_loaded,
        rows_quarantined=run.rows_quarantined,
        rows_deleted=run.rows_deleted,
        error=run.error,
        error_transient=run.error_transient,
        detail=run.detail,
    )


def source_public(ctx: IngestContext, source: Source) -> SourcePublic:
    credentials = sorted(k for k, v in ctx.box.open(source.secret).items() if v)
    if source.config.get("api_key_sha256"):
        credentials.append("api_key")
    config = {k: v for k, v in source.config.items() if k != "api_key_sha256"}
    return SourcePublic(
        name=source.name,
        label=source.label,
        kind=source.kind,
        owner_unit=source.owner_unit.code,
        mode=source.mode,
        config=config,
        credentials=credentials,
        schedule_minutes=source.schedule_minutes,
        freshness_minutes=source.freshness_minutes,
        max_delete_share=source.max_delete_share,
        enabled=source.enabled,
        bindings=[
            BindingPublic(
                name=b.name,
                entity=b.entity,
                selector=b.selector,
                mapping=b.mapping,
                confirmed=b.confirmed_at is not None,
                confirmed_by=b.confirmed_by,
            )
            for b in source.bindings
        ],
    )


def status_public(ctx: IngestContext, status: svc.SourceStatus) -> StatusPublic:
    return StatusPublic(
        source=source_public(ctx, status.source),
        health=status.health,
        fresh=status.fresh,
        last_success_at=maybe_utc(status.source.last_success_at),
        minutes_since_success=status.minutes_since_success,
        rows=status.rows,
        quarantined=status.quarantined,
        last_run=run_public(status.last_run) if status.last_run else None,
        running=run_public(status.running) if status.running else None,
        durations=status.durations,
    )


def _wake(request: Request) -> None:
    scheduler = getattr(request.app.state, "scheduler", None)
    if scheduler is not None:
        scheduler.wake()


# -- JSON API ------------------------------------------------------------------------------


@router.get("/api/sources", response_model=list[StatusPublic])
def api_sources(ctx: Ingest, principal: SourceViewer) -> list[StatusPublic]:
    """The connection monitor: every source in the caller's scope and how it stands."""
    with ctx.store.session() as session:
        return [status_public(ctx, s) for s in svc.statuses(ctx, session, principal)]


@router.post("/api/sources", response_model=CreatedPublic, status_code=201)
def api_create_source(
    request: Request, ctx: Ingest, principal: Steward, data: svc.SourceIn
) -> CreatedPublic:
    """Register a source. A push source gets an API key, returned once in ``api_key``."""
    with ctx.store.session() as session:
        created = svc.create_source(ctx, session, principal, data, client_of(request))
        return CreatedPublic(source=source_public(ctx, created.source), api_key=created.api_key)


@router.get("/api/sources/{name}", response_model=StatusPublic)
def api_source(name: str, ctx: Ingest, principal: SourceViewer) -> StatusPublic:
    with ctx.store.session() as session:
        source = svc.get_source(session, principal, name, manage=False)
        return status_public(ctx, svc.status_of(ctx, session, source))


@router.patch("/api/sources/{name}", response_model=SourcePublic)
def api_update_source(
    request: Request, name: str, ctx: Ingest, principal: Steward, data: svc.SourceUpdate
) -> SourcePublic:
    """Change a source's settings or credentials; omitted fields stay as they are."""
    with ctx.store.session() as session:
        return source_public(
            ctx, svc.update_source(ctx, session, principal, name, data, client_of(request))
        )


@router.post("/api/sources/{name}/test", response_model=TestResult)
def api_test_source(request: Request, name: str, ctx: Ingest, principal: Steward) -> TestResult:
    """Reach the source now and say what was found, or what is wrong and how to fix it."""
    with ctx.store.session() as session:
        ok, message = svc.test_connection(ctx, session, principal, name, client_of(request))
    return TestResult(ok=ok, message=message)


@router.get("/api/sources/{name}/tables", response_model=list[str])
def api_tables(name: str, ctx: Ingest, principal: Steward) -> list[str]:
    """What a binding of this source can select: tables, sheets, files or endpoints."""
    with ctx.store.session() as session:
        return svc.tables(ctx, session, principal, name)


@router.post("/api/sources/{name}/bindings", response_model=BindingPublic, status_code=201)
def api_add_binding(
    request: Request, name: str, ctx: Ingest, principal: Steward, data: svc.BindingIn
) -> BindingPublic:
    with ctx.store.session() as session:
        b = svc.add_binding(ctx, session, principal, name, data, client_of(request))
        return BindingPublic(
            name=b.name,
            entity=b.entity,
            selector=b.selector,
            mapping=b.mapping,
            confirmed=b.confirmed_at is not None,
            confirmed_by=b.confirmed_by,
        )


@router.get("/api/sources/{name}/bindings/{binding}/proposal", response_model=ProposalPublic)
def api_proposal(name: str, binding: str, ctx: Ingest, principal: Steward) -> ProposalPublic:
    """A mapping proposed from the table's current headers, for the steward to confirm."""
    with ctx.store.session() as session:
        proposal, columns = svc.propose_mapping(ctx, session, principal, name, binding)
    return ProposalPublic(
        columns=columns,
        mapping=proposal.mapping.model_dump(exclude_defaults=True),
        fields=[
            {"field": f.field, "column": f.column, "score": round(f.score, 2)}
            for f in proposal.fields
        ],
        unused_columns=list(proposal.unused_columns),
        problems=list(proposal.problems),
    )


@router.put("/api/sources/{name}/bindings/{binding}/mapping", response_model=BindingPublic)
def api_set_mapping(
    request: Request, name: str, binding: str, ctx: Ingest, principal: Steward, mapping: Mapping
) -> BindingPublic:
    """Confirm a binding's mapping (refused, with what is missing, if incomplete)."""
    with ctx.store.session() as session:
        b = svc.set_mapping(ctx, session, principal, name, binding, mapping, client_of(request))
        return BindingPublic(
            name=b.name,
            entity=b.entity,
            selector=b.selector,
            mapping=b.mapping,
            confirmed=True,
            confirmed_by=b.confirmed_by,
        )


@router.post("/api/sources/{name}/sync", status_code=202)
def api_sync(request: Request, name: str, ctx: Ingest, principal: Steward) -> dict[str, str]:
    """Ask for a sync now; it starts within seconds and shows on the monitor."""
    with ctx.store.session() as session:
        svc.request_sync(session, principal, name, client_of(request))
    _wake(request)
    return {"status": "requested", "source": name}


@router.get("/api/sources/{name}/runs", response_model=list[RunPublic])
def api_runs(name: str, ctx: Ingest, principal: SourceViewer, limit: int = 50) -> list[RunPublic]:
    """The history of a source's runs, newest first."""
    with ctx.store.session() as session:
        source = svc.get_source(session, principal, name, manage=False)
        return [run_public(r) for r in svc.runs_of(session, source, min(max(limit, 1), 500))]


@router.get("/api/sources/{name}/runs/{run_id}", response_model=RunPublic)
def api_run(name: str, run_id: RowId, ctx: Ingest, principal: SourceViewer) -> RunPublic:
    with ctx.store.session() as session:
        return run_public(svc.run_of(session, principal, name, run_id))


@router.post("/api/sources/{name}/files", status_code=201)
async def api_upload(
    request: Request,
    name: str,
    ctx: Ingest,
    principal: Steward,
    file: Annotated[UploadFile, File(description="CSV, XLSX or Parquet file")],
) -> dict[str, Any]:
    """Upload a file into a file source's folder; the next sync loads it."""
    stored = await uploads.receive(ctx, principal, name, file, client_of(request))
    _wake(request)
    return {"file": stored.name, "bytes": stored.size, "sha256": stored.sha256}


@router.post("/api/sources/{name}/rotate-key")
def api_rotate_key(request: Request, name: str, ctx: Ingest, principal: Steward) -> dict[str, str]:
    """A new API key for a push source; the old one stops working at once."""
    with ctx.store.session() as session:
        return {"api_key": svc.rotate_push_key(ctx, session, principal, name, client_of(request))}


@router.get("/api/events", response_model=list[EventPublic])
def api_events(ctx: Ingest, principal: SourceViewer, limit: int = 50) -> list[EventPublic]:
    """Recent events of the sources in the caller's scope (failures, staleness, devices)."""
    with ctx.store.session() as session:
        return [_event_public(e) for e in svc.recent_events(session, principal, limit)]


def _event_public(e: Event) -> EventPublic:
    at = maybe_utc(e.at)
    assert at is not None
    return EventPublic(
        id=e.id,
        at=at,
        kind=e.kind,
        severity=e.severity,
        subject=e.subject,
        message=e.message,
        payload=e.payload,
    )


# -- pages -----------------------------------------------------------------------------------


def local(value: datetime | None) -> str:
    if value is None:
        return "–"
    return (maybe_utc(value) or value).astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")


def _monitor_context(
    ctx: IngestContext, session: Session, lang: str, principal: Principal
) -> dict[str, Any]:
    statuses = svc.statuses(ctx, session, principal)
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s.health] = counts.get(s.health, 0) + 1
    return {
        "lang": lang,
        "principal": principal,
        "statuses": statuses,
        "counts": counts,
        "local": local,
        "events": svc.recent_events(session, principal, 8),
        "can_manage": principal.can(Permission.MANAGE_SOURCES),
        "durations_json": {
            s.source.name: json.dumps([round(d, 2) for d in s.durations[-20:]]) for s in statuses
        },
    }


@router.get("/sources", response_class=HTMLResponse, include_in_schema=False)
def monitor_page(request: Request, lang: Lang, ctx: Ingest, principal: SourceViewer) -> Response:
    with ctx.store.session() as session:
        return render(request, "sources.html", _monitor_context(ctx, session, lang, principal))


@router.get("/fragments/sources", response_class=HTMLResponse, include_in_schema=False)
def monitor_fragment(
    request: Request, lang: Lang, ctx: Ingest, principal: SourceViewer
) -> Response:
    """The monitor's table alone, for htmx to refresh in place."""
    with ctx.store.session() as session:
        return render(
            request, "_sources_table.html", _monitor_context(ctx, session, lang, principal)
        )


@router.get("/sources/new", response_class=HTMLResponse, include_in_schema=False)
def new_source_page(request: Request, lang: Lang, principal: Steward) -> Response:
    return render(request, "source_new.html", _new_context(lang, principal, {}, None))


def _new_context(
    lang: str, principal: Principal, form: dict[str, Any], error: str | None
) -> dict[str, Any]:
    return {
        "lang": lang,
        "principal": principal,
        "kinds": KINDS,
        "entities": catalog().entities,
        "form": form,
        "error": error,
    }


def _form_to_source(form: dict[str, Any]) -> svc.SourceIn:
    """The new-source form as a ``SourceIn``: the kind decides which fields count."""
    kind = form.get("kind", "")
    config: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    selector: dict[str, Any] = {}
    if kind == "sql":
        config["url"] = form.get("sql_url", "")
        if form.get("sql_password"):
            secrets["password"] = form["sql_password"]
        if form.get("sql_query", "").strip():
            selector["query"] = form["sql_query"]
        else:
            selector["table"] = form.get("sql_table", "")
        if form.get("sql_cursor"):
            selector["cursor_column"] = form["sql_cursor"]
    elif kind == "file":
        if form.get("file_folder"):
            config["folder"] = form["file_folder"]
        selector["pattern"] = form.get("file_pattern") or "*"
        if form.get("file_sheet"):
            selector["sheet"] = form["file_sheet"]
    elif kind == "rest":
        config["base_url"] = form.get("rest_base_url", "")
        selector["path"] = form.get("rest_path", "")
        if form.get("rest_records_path"):
            selector["records_path"] = form["rest_records_path"]
        config["paging"] = form.get("rest_paging") or "page"
        if form.get("rest_token"):
            secrets["headers"] = {"Authorization": f"Bearer {form['rest_token']}"}
    elif kind == "mqtt":
        config["url"] = form.get("mqtt_url", "")
        config["topics"] = [t.strip() for t in form.get("mqtt_topics", "").split(",") if t.strip()]
        config["device_from"] = form.get("mqtt_device_from") or "topic:2"
        config["kind_from"] = form.get("mqtt_kind_from") or "const:thiet-bi"
        config["client_id"] = form.get("mqtt_client_id") or f"ioc-{form.get('name', '')}"
        if form.get("mqtt_place_from"):
            config["place_from"] = form["mqtt_place_from"].strip()
        if form.get("mqtt_password"):
            secrets["password"] = form["mqtt_password"]

    def minutes(key: str) -> int | None:
        value = str(form.get(key, "")).strip()
        if not value:
            return None
        if not value.isdigit():
            raise InvalidInputError(f"{key}: `{value}` is not a whole number of minutes")
        return int(value)

    bindings = []
    if kind != "mqtt" and form.get("entity"):
        bindings.append(
            svc.BindingIn(
                name=form.get("binding_name") or "du-lieu",
                entity=form["entity"],
                selector=selector,
            )
        )
    return svc.SourceIn(
        name=form.get("name", "").strip(),
        label=form.get("label", "").strip() or form.get("name", ""),
        kind=kind,
        owner_unit=form.get("owner_unit") or None,
        config=config,
        secrets=secrets,
        mode=form.get("mode") or "upsert",
        schedule_minutes=minutes("schedule_minutes"),
        freshness_minutes=minutes("freshness_minutes"),
        bindings=bindings,
    )


@router.post("/sources/new", response_class=HTMLResponse, include_in_schema=False)
async def create_source_form(
    request: Request, lang: Lang, ctx: Ingest, principal: Steward
) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        data = _form_to_source(form)
        with ctx.store.session() as session:
            created = svc.create_source(ctx, session, principal, data, client_of(request))
            name = created.source.name
            key = created.api_key
    except (InvalidInputError, ConflictError, NotFoundError) as exc:
        return render(
            request, "source_new.html", _new_context(lang, principal, form, exc.text(lang)), 422
        )
    except ValidationError as exc:  # the form's values, as pydantic saw them
        message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return render(request, "source_new.html", _new_context(lang, principal, form, message), 422)
    target = f"/sources/{name}" + (f"?key={key}" if key else "")
    return RedirectResponse(target, status_code=303)


def _detail_context(
    ctx: IngestContext, session: Session, lang: str, principal: Principal, name: str
) -> dict[str, Any]:
    source = svc.get_source(session, principal, name, manage=False)
    status = svc.status_of(ctx, session, source)
    runs = svc.runs_of(session, source, 30)
    bindings = []
    for b in source.bindings:
        entity = catalog().entity(b.entity)
        mapping = Mapping.model_validate(b.mapping)
        bindings.append({"binding": b, "entity": entity, "mapping": mapping})
    return {
        "lang": lang,
        "principal": principal,
        "source": source,
        "public": source_public(ctx, source),
        "status": status,
        "runs": runs,
        "bindings": bindings,
        "local": local,
        "can_manage": principal.can(Permission.MANAGE_SOURCES),
        "entities": catalog().entities,
        "events": svc.recent_events(session, principal, 10, source_id=source.id),
        "runs_json": json.dumps(
            [
                {
                    "id": r.id,
                    "at": local(r.started_at),
                    "seconds": round(
                        (as_utc(r.finished_at) - as_utc(r.started_at)).total_seconds(), 2
                    )
                    if r.finished_at
                    else 0.0,
                    "read": r.rows_read,
                    "quarantined": r.rows_quarantined,
                    "state": r.state,
                }
                for r in reversed(runs)
                if r.finished_at
            ]
        ),
    }


@router.get("/sources/{name}", response_class=HTMLResponse, include_in_schema=False)
def source_page(
    request: Request,
    name: str,
    lang: Lang,
    ctx: Ingest,
    principal: SourceViewer,
    key: str | None = None,
) -> Response:
    with ctx.store.session() as session:
        context = _detail_context(ctx, session, lang, principal, name)
        context["new_key"] = key
        context["flash"] = request.query_params.get("msg")
        return render(request, "source.html", context)


@router.post("/sources/{name}/test", response_class=HTMLResponse, include_in_schema=False)
def test_form(request: Request, name: str, lang: Lang, ctx: Ingest, principal: Steward) -> Response:
    with ctx.store.session() as session:
        ok, message = svc.test_connection(ctx, session, principal, name, client_of(request))
    return render(request, "_test_result.html", {"lang": lang, "ok": ok, "message": message})


@router.post("/sources/{name}/sync", include_in_schema=False)
def sync_form(request: Request, name: str, ctx: Ingest, principal: Steward) -> Response:
    with ctx.store.session() as session:
        svc.request_sync(session, principal, name, client_of(request))
    _wake(request)
    return RedirectResponse(f"/sources/{name}?msg=sync", status_code=303)


@router.post("/sources/{name}/files", include_in_schema=False)
async def upload_form(
    request: Request,
    name: str,
    ctx: Ingest,
    principal: Steward,
    file: Annotated[UploadFile, File()],
) -> Response:
    await uploads.receive(ctx, principal, name, file, client_of(request))
    _wake(request)
    return RedirectResponse(f"/sources/{name}?msg=uploaded", status_code=303)


@router.get(
    "/sources/{name}/bindings/{binding}/mapping",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def mapping_page(
    request: Request, name: str, binding: str, lang: Lang, ctx: Ingest, principal: Steward
) -> Response:
    """The mapping editor: each field with the column it comes from, proposed from the
    headers when the binding has no confirmed mapping yet."""
    with ctx.store.session() as session:
        source = svc.get_source(session, principal, name)
        found = svc.binding_of(source, binding)
        entity = catalog().entity(found.entity)
        error = None
        try:
            proposal, columns = svc.propose_mapping(ctx, session, principal, name, binding)
        except IOCError as exc:  # the source cannot be read now: the form still opens
            proposal, columns = None, []
            error = exc.text(lang)
        current = Mapping.model_validate(found.mapping) if found.mapping else None
        mapping = current or (proposal.mapping if proposal else Mapping())
        scores = {f.field: f.score for f in proposal.fields} if proposal else {}
        return render(
            request,
            "mapping.html",
            {
                "lang": lang,
                "principal": principal,
                "source": source,
                "binding": found,
                "entity": entity,
                "mapping": mapping,
                "columns": columns,
                "scores": scores,
                "confirmed": current is not None and found.confirmed_at is not None,
                "error": error,
                "catalog": catalog(),
            },
        )


@router.post(
    "/sources/{name}/bindings/{binding}/mapping",
    response_class=HTMLResponse,
    include_in_schema=False,
)
async def mapping_form(
    request: Request, name: str, binding: str, lang: Lang, ctx: Ingest, principal: Steward
) -> Response:
    form = await request.form()
    fields: dict[str, FieldMap] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str) or not value.strip():
            continue
        if key.startswith("col:"):
            fields.setdefault(key[4:], FieldMap()).column = value
        elif key.startswith("val:"):
            fields.setdefault(key[4:], FieldMap()).value = value.strip()
        elif key.startswith("empty:"):
            fields.setdefault(key[6:], FieldMap()).empty = value.strip()
    with ctx.store.session() as session:
        source = svc.get_source(session, principal, name)
        found = svc.binding_of(source, binding)
        old = Mapping.model_validate(found.mapping) if found.mapping else Mapping()
    for field_name, fm in fields.items():
        previous = old.fields.get(field_name)
        if previous is not None:
            fm.codes = previous.codes  # translations are kept; they are edited elsewhere
    mapping = Mapping(
        fields=fields,
        number_format=str(form.get("number_format") or "auto"),  # type: ignore[arg-type]
        admin_codes=str(form.get("admin_codes") or "current"),  # type: ignore[arg-type]
    )
    with ctx.store.session() as session:
        svc.set_mapping(ctx, session, principal, name, binding, mapping, client_of(request))
    return RedirectResponse(f"/sources/{name}?msg=mapped", status_code=303)


@router.post("/sources/{name}/settings", include_in_schema=False)
async def settings_form(request: Request, name: str, ctx: Ingest, principal: Steward) -> Response:
    """The source page's settings form: label, schedule, agreed interval, mode, enabled,
    and a new password or token (left empty: unchanged)."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

    def minutes(key: str) -> int:
        value = form.get(key, "").strip()
        if value and not value.isdigit():
            raise InvalidInputError(f"{key}: `{value}` is not a whole number of minutes")
        return int(value) if value else 0

    secrets: dict[str, Any] = {}
    if form.get("password"):
        secrets["password"] = form["password"]
    if form.get("token"):
        secrets["headers"] = {"Authorization": f"Bearer {form['token']}"}
    data = svc.SourceUpdate(
        label=form.get("label") or None,
        schedule_minutes=minutes("schedule_minutes"),
        freshness_minutes=minutes("freshness_minutes"),
        mode=form.get("mode") or None,  # type: ignore[arg-type]
        enabled=form.get("enabled") == "on",
        secrets=secrets or None,
    )
    with ctx.store.session() as session:
        svc.update_source(ctx, session, principal, name, data, client_of(request))
    return RedirectResponse(f"/sources/{name}?msg=saved", status_code=303)


@router.post("/sources/{name}/bindings", include_in_schema=False)
async def binding_form(request: Request, name: str, ctx: Ingest, principal: Steward) -> Response:
    """Bind one more table of the source to an entity, then review its mapping."""
    form = {k: v.strip() for k, v in (await request.form()).items() if isinstance(v, str)}
    selector = {
        key: form[key]
        for key in ("table", "query", "cursor_column", "pattern", "sheet", "path", "records_path")
        if form.get(key)
    }
    data = svc.BindingIn(
        name=form.get("name", ""), entity=form.get("entity", ""), selector=selector
    )
    with ctx.store.session() as session:
        binding = svc.add_binding(ctx, session, principal, name, data, client_of(request))
        binding_name = binding.name
    return RedirectResponse(f"/sources/{name}/bindings/{binding_name}/mapping", status_code=303)
