"""What a data steward does with sources: register one, bind its tables to catalog entities,
confirm the mapping, test the connection, ask for a sync, and watch how it stands.

Every function takes the acting ``Principal``: a steward sees and changes only sources owned
by units in their scope (a province's steward, their province's sources), and each change
is audited. The web pages, the JSON API and the ``ioc sources`` commands all come here.
"""

from __future__ import annotations

import logging
import re
import secrets as token_source
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.catalog import catalog
from noivu_ioc.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from noivu_ioc.ingest.connectors import KINDS, SourceView, connector_for
from noivu_ioc.ingest.mapping import Mapping, Proposal, propose
from noivu_ioc.ingest.readers.base import SourceError
from noivu_ioc.ingest.sync import IngestContext
from noivu_ioc.store.models import (
    Event,
    OrgUnit,
    Source,
    SourceBinding,
    SyncRun,
    as_utc,
    utcnow,
)
from noivu_ioc.units import org
from noivu_ioc.warehouse import merge
from noivu_ioc.warehouse import quarantine as wq

log = logging.getLogger(__name__)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
Mode = Literal["snapshot", "incremental", "upsert"]


class BindingIn(BaseModel):
    """One table of the source bound to a catalog entity. Without a mapping, the mapping
    is proposed from the table's headers and left unconfirmed."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Short name, e.g. co-so-tho-tu.")
    entity: str = Field(description="Catalog entity, e.g. worship_place.")
    selector: dict[str, Any] = Field(
        default={}, description="Which table: {'table': ...}, {'sheet': ...}, {'path': ...}."
    )
    mapping: Mapping | None = None


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Short name: lowercase letters, digits and '-'.")
    label: str = Field(min_length=1, max_length=255, description="Name shown on screens.")
    kind: str = Field(description="sql, file, rest, push or mqtt.")
    owner_unit: str | None = Field(
        default=None, description="Org unit that owns it (default: the steward's first)."
    )
    config: dict[str, Any] = {}
    secrets: dict[str, Any] = Field(default={}, description="Passwords, tokens, headers.")
    mode: Mode = "upsert"
    schedule_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 31)
    freshness_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 366)
    max_delete_share: float = Field(default=0.5, gt=0, le=1)
    enabled: bool = True
    bindings: list[BindingIn] = []


class SourceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, min_length=1, max_length=255)
    config: dict[str, Any] | None = None
    secrets: dict[str, Any] | None = None
    mode: Mode | None = None
    schedule_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 31)
    freshness_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 366)
    max_delete_share: float | None = Field(default=None, gt=0, le=1)
    enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class Created:
    source: Source
    api_key: str | None  # a push source's key, shown once


def check_viewer(principal: Principal) -> None:
    if not principal.can(Permission.VIEW_SOURCES):
        raise NotAllowedError(
            f"your roles ({', '.join(sorted(principal.roles))}) do not allow viewing the "
            "connection monitor; ask an administrator"
        )


def check_steward(principal: Principal) -> None:
    if not principal.can(Permission.MANAGE_SOURCES):
        raise NotAllowedError(
            f"your roles ({', '.join(sorted(principal.roles))}) do not allow managing data "
            "sources; ask an administrator for the data steward role"
        )


def _in_scope(principal: Principal, source: Source) -> bool:
    return _unit_in_scope(principal, source.owner_unit)


def _unit_in_scope(principal: Principal, unit: OrgUnit) -> bool:
    if principal.scope.national:
        return True
    province = org.province_of(unit)
    if province is None:
        return False
    if unit.kind == "province":
        return principal.scope.covers_province(province)
    return principal.scope.covers_commune(unit.admin_code or "", province)


def visible_sources(session: Session, principal: Principal) -> list[Source]:
    """The sources of the units the user answers for, by name."""
    check_viewer(principal)
    sources = session.scalars(select(Source).order_by(Source.name)).all()
    return [s for s in sources if _in_scope(principal, s)]


def get_source(
    session: Session,
    principal: Principal,
    name: str,
    client: str | None = None,
    *,
    manage: bool = True,
) -> Source:
    """A source by name, to change (``manage``) or only to look at; one outside the user's
    scope is refused and audited, and is reported as missing only when it really is."""
    if manage:
        check_steward(principal)
    else:
        check_viewer(principal)
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise NotFoundError(f"there is no source named {name!r}; see the list of sources")
    if not _in_scope(principal, source):
        audit(session, "source.read", "denied", user=principal, target=name, client=client)
        session.commit()
        raise NotAllowedError(
            f"source {name} belongs to {source.owner_unit.name_vi}, outside your scope"
        )
    return source


def _check_slug(name: str, what: str) -> str:
    if not _SLUG.match(name):
        raise InvalidInputError(
            f"{what} {name!r} is not valid: use 2-63 lowercase letters, digits and '-', "
            "starting with a letter or digit (e.g. ton-giao-csdl)"
        )
    return name


def _owner(session: Session, principal: Principal, code: str | None) -> OrgUnit:
    if code is None:
        if not principal.units:
            raise InvalidInputError("give the owner unit of the source (owner_unit)")
        code = principal.units[0][0]
    unit = org.find_unit(session, code)
    if not _unit_in_scope(principal, unit):
        raise NotAllowedError(
            f"{unit.name_vi} ({unit.code}) is outside your scope; a source must belong to a "
            "unit you answer for"
        )
    return unit


def create_source(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    data: SourceIn,
    client: str | None = None,
) -> Created:
    """Register a source with its bindings; nothing is written unless all of it is valid."""
    check_steward(principal)
    name = _check_slug(data.name, "source name")
    if data.kind not in KINDS:
        raise InvalidInputError(
            f"kind {data.kind!r} is not known; choose one of {', '.join(KINDS)}"
        )
    if session.scalar(select(Source).where(Source.name == name)) is not None:
        raise ConflictError(f"a source named {name} already exists; choose another name")
    if data.mode == "incremental" and data.kind in ("file", "push", "mqtt"):
        raise InvalidInputError(
            f"a {data.kind} source cannot be incremental (it has no cursor column); use "
            "upsert, or snapshot to detect deletions"
        )
    owner = _owner(session, principal, data.owner_unit)
    secrets = dict(data.secrets)
    api_key = None
    if data.kind == "push" and not secrets.get("api_key"):
        api_key = token_source.token_urlsafe(32)
        secrets["api_key"] = api_key
    connector = connector_for(data.kind)
    config, kept = connector.prepare(data.config, secrets)

    source = Source(
        name=name,
        label=data.label.strip(),
        kind=data.kind,
        owner_unit_id=owner.id,
        config=config,
        secret=ctx.box.seal(kept),
        mode=data.mode,
        schedule_minutes=data.schedule_minutes,
        freshness_minutes=data.freshness_minutes,
        max_delete_share=data.max_delete_share,
        enabled=data.enabled,
        created_by=principal.username,
        next_run_at=utcnow() if data.schedule_minutes else None,
        health="new" if data.enabled else "disabled",
    )
    session.add(source)
    session.flush()
    for b in data.bindings:
        _add_binding(ctx, session, source, b, principal)
    audit(
        session,
        "source.create",
        "ok",
        user=principal,
        target=name,
        client=client,
        detail={
            "kind": data.kind,
            "owner": owner.code,
            "bindings": [b.name for b in data.bindings],
        },
    )
    log.info("source %s (%s) created by %s", name, data.kind, principal.username)
    return Created(source, api_key)


def _add_binding(
    ctx: IngestContext, session: Session, source: Source, data: BindingIn, principal: Principal
) -> SourceBinding:
    _check_slug(data.name, "binding name")
    try:
        entity = catalog().entity(data.entity)
    except KeyError:
        raise InvalidInputError(
            f"entity {data.entity!r} is not in the catalog; see the data dictionary for the "
            "entity ids (e.g. person, worship_place, training_record)"
        ) from None
    if any(b.name == data.name for b in source.bindings):
        raise ConflictError(f"source {source.name} already has a binding named {data.name}")
    binding = SourceBinding(
        source_id=source.id,
        name=data.name,
        entity=entity.id,
        selector=dict(data.selector),
        mapping={},
    )
    if data.mapping is not None:
        problems = data.mapping.problems(entity)
        if problems:
            raise InvalidInputError(
                f"the mapping of {data.name} is incomplete: " + "; ".join(problems)
            )
        binding.mapping = data.mapping.model_dump(exclude_defaults=True)
        binding.confirmed_at = utcnow()
        binding.confirmed_by = principal.username
    source.bindings.append(binding)
    session.flush()
    return binding


def add_binding(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    name: str,
    data: BindingIn,
    client: str | None = None,
) -> SourceBinding:
    source = get_source(session, principal, name, client)
    binding = _add_binding(ctx, session, source, data, principal)
    audit(
        session,
        "source.bind",
        "ok",
        user=principal,
        target=f"{name}/{data.name}",
        client=client,
        detail={"entity": data.entity, "selector": data.selector},
    )
    return binding


def update_source(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    name: str,
    data: SourceUpdate,
    client: str | None = None,
) -> Source:
    source = get_source(session, principal, name, client)
    changed = data.model_dump(exclude_unset=True)
    if data.config is not None or data.secrets is not None:
        secrets = {**ctx.box.open(source.secret), **(data.secrets or {})}
        config, kept = connector_for(source.kind).prepare(
            data.config if data.config is not None else dict(source.config), secrets
        )
        source.config = config
        source.secret = ctx.box.seal(kept)
    for attr in ("label", "mode", "max_delete_share", "enabled"):
        if attr in changed and changed[attr] is not None:
            setattr(source, attr, changed[attr])
    for attr in ("schedule_minutes", "freshness_minutes"):
        if attr in changed:
            setattr(source, attr, changed[attr] or None)
    if "schedule_minutes" in changed:
        source.next_run_at = utcnow() if source.schedule_minutes else None
    if "enabled" in changed:
        source.health = (
            "disabled"
            if not source.enabled
            else ("new" if source.last_run_id is None else source.health.replace("disabled", "ok"))
        )
    source.updated_at = utcnow()
    audit(
        session,
        "source.update",
        "ok",
        user=principal,
        target=name,
        client=client,
        detail={
            "fields": sorted(k for k in changed if k != "secrets")
            + (["secrets"] if "secrets" in changed else [])
        },
    )
    return source


def rotate_push_key(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    name: str,
    client: str | None = None,
) -> str:
    """A new API key for a push source; the old one stops working at once."""
    source = get_source(session, principal, name, client)
    if source.kind != "push":
        raise InvalidInputError(
            f"source {name} is a {source.kind} source; only push sources have an API key"
        )
    key = token_source.token_urlsafe(32)
    config, _ = connector_for("push").prepare(
        {**source.config, "api_key_sha256": None}, {"api_key": key}
    )
    source.config = config
    audit(session, "source.rotate_key", "ok", user=principal, target=name, client=client)
    return key


def view_of(ctx: IngestContext, source: Source) -> SourceView:
    return SourceView.of(source, ctx.box.open(source.secret), ctx.settings, ctx.store)


def test_connection(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    name: str,
    client: str | None = None,
) -> tuple[bool, str]:
    """Reach the source now: (True, what was found) or (False, the problem and its fix)."""
    source = get_source(session, principal, name, client)
    view = view_of(ctx, source)
    try:
        message = connector_for(source.kind).check(view)
        ok = True
    except SourceError as exc:
        ok, message = False, exc.message
    audit(
        session,
        "source.test",
        "ok" if ok else "failed",
        user=principal,
        target=name,
        client=client,
        detail={"message": message[:500]},
    )
    return ok, message


def tables(ctx: IngestContext, session: Session, principal: Principal, name: str) -> list[str]:
    source = get_source(session, principal, name)

    return connector_for(source.kind).tables(view_of(ctx, source))


def propose_mapping(
    ctx: IngestContext, session: Session, principal: Principal, name: str, binding_name: str
) -> tuple[Proposal, list[str]]:
    """The proposed mapping of a binding from the source's current headers, and the
    headers."""
    source = get_source(session, principal, name)
    view = view_of(ctx, source)
    binding = view.binding(binding_name)
    selector = {**binding.selector, "binding": binding.name}
    columns = connector_for(source.kind).columns(view, selector)
    return propose(catalog().entity(binding.entity), columns), columns


def binding_of(source: Source, name: str) -> SourceBinding:
    found = next((b for b in source.bindings if b.name == name), None)
    if found is None:
        raise NotFoundError(
            f"source {source.name} has no binding {name!r}; its bindings are "
            + (", ".join(b.name for b in source.bindings) or "none")
        )
    return found


def set_mapping(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    name: str,
    binding_name: str,
    mapping: Mapping,
    client: str | None = None,
) -> SourceBinding:
    """Confirm a binding's mapping; an incomplete one is refused with what it lacks."""
    source = get_source(session, principal, name, client)
    binding = binding_of(source, binding_name)
    entity = catalog().entity(binding.entity)
    problems = mapping.problems(entity)
    if problems:
        raise InvalidInputError("the mapping is incomplete: " + "; ".join(problems))
    binding.mapping = mapping.model_dump(exclude_defaults=True)
    binding.confirmed_at = utcnow()
    binding.confirmed_by = principal.username
    audit(
        session,
        "source.map",
        "ok",
        user=principal,
        target=f"{name}/{binding_name}",
        client=client,
        detail={"fields": sorted(mapping.fields)},
    )
    return binding


def add_code_translation(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    name: str,
    binding_name: str,
    field_name: str,
    given: str,
    code: str,
    client: str | None = None,
) -> SourceBinding:
    """Translate one of the source's values to a catalog code (from a quarantine reason:
    "`Hòa Hảo` is not a code of religion" -> 03)."""
    source = get_source(session, principal, name, client)
    binding = binding_of(source, binding_name)
    mapping = Mapping.model_validate(binding.mapping)
    fm = mapping.fields.get(field_name)
    if fm is None:
        raise InvalidInputError(f"field {field_name} is not mapped in {binding_name}")
    fm.codes[given] = code
    return set_mapping(ctx, session, principal, name, binding_name, mapping, client)


def request_sync(
    session: Session, principal: Principal, name: str, client: str | None = None
) -> Source:
    """Ask for a sync now; the scheduler starts it within seconds."""
    source = get_source(session, principal, name, client)
    unconfirmed = [b.name for b in source.bindings if b.confirmed_at is None]
    if not source.bindings:
        raise ConflictError(f"source {name} has no bound table yet; bind one first")
    if unconfirmed:
        raise ConflictError(
            f"the mapping of {', '.join(unconfirmed)} is not confirmed yet; review and confirm "
            "it before the first sync"
        )
    if not source.enabled:
        raise ConflictError(f"source {name} is disabled; enable it first")
    source.requested_at = utcnow()
    source.requested_by = principal.username
    audit(session, "source.sync", "ok", user=principal, target=name, client=client)
    return source


# -- the connection monitor ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source as the connection monitor shows it."""

    source: Source
    health: str  # new, ok, partial, failing, failed, stale, disabled, running
    fresh: bool | None  # against the agreed interval; None without one
    minutes_since_success: int | None
    rows: dict[str, int]  # rows in the warehouse per entity, from this source
    quarantined: int  # pending entries
    last_run: SyncRun | None
    running: SyncRun | None
    durations: list[float]  # seconds of the last successful runs, oldest first


def is_stale(source: Source, now: datetime | None = None) -> tuple[bool, int | None]:
    """Whether the source is late against its agreed interval, and minutes since its last
    success."""
    now = now or utcnow()
    since = source.last_success_at or source.created_at
    minutes = int((now - as_utc(since)).total_seconds() // 60)
    if not source.freshness_minutes or not source.enabled:
        return False, minutes if source.last_success_at else None
    return minutes > source.freshness_minutes, minutes if source.last_success_at else None


def statuses(ctx: IngestContext, session: Session, principal: Principal) -> list[SourceStatus]:
    sources = visible_sources(session, principal)
    pending = wq.counts_by_source(ctx.warehouse)
    return [_status(ctx, session, s, pending.get(s.id, 0)) for s in sources]


def status_of(ctx: IngestContext, session: Session, source: Source) -> SourceStatus:
    return _status(ctx, session, source, wq.counts_by_source(ctx.warehouse).get(source.id, 0))


def _status(ctx: IngestContext, session: Session, source: Source, pending: int) -> SourceStatus:
    runs = list(
        session.scalars(
            select(SyncRun)
            .where(SyncRun.source_id == source.id)
            .order_by(SyncRun.id.desc())
            .limit(30)
        )
    )
    running = next((r for r in runs if r.state == "running"), None)
    last = next((r for r in runs if r.state != "running"), None)
    stale, minutes = is_stale(source)
    health = "running" if running else source.health
    if stale and health in ("ok", "partial", "new"):
        health = "stale"
    durations = [
        (as_utc(r.finished_at) - as_utc(r.started_at)).total_seconds()
        for r in reversed(runs)
        if r.finished_at and r.state in ("succeeded", "partial")
    ]
    entities = sorted({b.entity for b in source.bindings})
    return SourceStatus(
        source=source,
        health=health,
        fresh=None if not source.freshness_minutes else not stale,
        minutes_since_success=minutes,
        rows=merge.source_rows(ctx.warehouse, source.id, entities),
        quarantined=pending,
        last_run=last,
        running=running,
        durations=durations,
    )


def runs_of(session: Session, source: Source, limit: int = 50) -> list[SyncRun]:
    return list(
        session.scalars(
            select(SyncRun)
            .where(SyncRun.source_id == source.id)
            .order_by(SyncRun.id.desc())
            .limit(limit)
        )
    )


def run_of(session: Session, principal: Principal, name: str, run_id: int) -> SyncRun:
    source = get_source(session, principal, name, manage=False)
    run = session.get(SyncRun, run_id)
    if run is None or run.source_id != source.id:
        raise NotFoundError(f"source {name} has no run {run_id}")
    return run


def recent_events(
    session: Session, principal: Principal, limit: int = 50, *, source_id: int | None = None
) -> list[Event]:
    """The latest events of the sources in scope (all events for a national scope)."""
    allowed = [s.id for s in visible_sources(session, principal)]
    in_scope: ColumnElement[bool] = Event.source_id.in_(allowed)
    if principal.scope.national:
        in_scope = or_(in_scope, Event.source_id.is_(None))
    query = select(Event).where(in_scope).order_by(Event.id.desc()).limit(min(max(limit, 1), 500))
    if source_id is not None:
        query = query.where(Event.source_id == source_id)
    return list(session.scalars(query))
