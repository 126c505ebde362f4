"""Typed dependencies: the stores, the language and the current principal."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

import anyio
from fastapi import Depends, Path, Request

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.users import (
    LoginState,
    Principal,
    access_epoch,
    audit,
    login_state,
    resolve_session,
)
from noivu_ioc.errors import NotAllowedError
from noivu_ioc.indicators.service import Situation
from noivu_ioc.ingest.sync import IngestContext
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.i18n import request_language

SESSION_COOKIE = "ioc_session"

# A row id in a path: the store's ids are 32-bit integers on PostgreSQL, so a larger number
# names no row and is refused as invalid rather than reaching the database.
MAX_ROW_ID = 2_147_483_647
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> OpStore:
    store: OpStore = request.app.state.store
    return store


async def get_warehouse(request: Request) -> Warehouse:
    warehouse: Warehouse = request.app.state.warehouse
    return warehouse


async def get_language(request: Request) -> str:
    return request_language(request, request.app.state.settings.default_language)


class PrincipalCache:
    """Resolved sessions, kept for a few seconds so that a wall refreshing every second, or
    64 phones, do not read the session tables on every request.

    An entry is dropped at once when accounts, roles, scopes or sessions change in this
    process (``access_epoch``: disabling a user, revoking a session, a new password, a
    second factor reset), and after ``ttl_s`` in any case (``IOC_SESSION_CACHE_SECONDS``),
    which bounds how long a change made by another process (``ioc users disable``, another
    server of the same store) takes to apply here: past it, the session is read again from
    the store, where the revocation is. Only complete sessions are ever cached; one waiting
    for its second factor is looked up, and refused, every time.
    """

    def __init__(
        self,
        ttl_s: float = 2.0,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.capacity = capacity
        self.clock = clock
        self._items: dict[str, tuple[Principal, int, float]] = {}

    def get(self, token: str) -> Principal | None:
        found = self._items.get(token)
        if found is None:
            return None
        principal, epoch, at = found
        if epoch != access_epoch() or self.clock() - at >= self.ttl_s:
            self._items.pop(token, None)
            return None
        return principal

    def put(self, token: str, principal: Principal) -> None:
        if self.ttl_s <= 0:
            return
        if len(self._items) >= self.capacity:
            self._items.clear()
        self._items[token] = (principal, access_epoch(), self.clock())


async def current_principal(request: Request) -> Principal:
    """The caller, from the session cookie: from the cache without leaving the event loop,
    otherwise looked up in the store on a worker thread."""
    token = request.cookies.get(SESSION_COOKIE)
    cache: PrincipalCache | None = getattr(request.app.state, "principals", None)
    principal = cache.get(token) if cache is not None and token else None
    if principal is None:
        store: OpStore = request.app.state.store
        idle = request.app.state.settings.session_idle_minutes

        def lookup() -> Principal:
            with store.session() as session:
                return resolve_session(session, token, idle_minutes=idle)

        principal = await anyio.to_thread.run_sync(lookup)
        if cache is not None and token:
            cache.put(token, principal)
    request.state.principal = principal
    return principal


async def login_in_progress(request: Request) -> LoginState:
    """The caller's live session, complete or still waiting for its second factor: what the
    second-factor and enrolment routes (and nothing else) accept."""
    token = request.cookies.get(SESSION_COOKIE)
    store: OpStore = request.app.state.store
    idle = request.app.state.settings.session_idle_minutes

    def lookup() -> LoginState:
        with store.session() as session:
            return login_state(session, token, idle_minutes=idle)

    return await anyio.to_thread.run_sync(lookup)


Store = Annotated[OpStore, Depends(get_store)]
WarehouseDep = Annotated[Warehouse, Depends(get_warehouse)]
Lang = Annotated[str, Depends(get_language)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
LoginInProgress = Annotated[LoginState, Depends(login_in_progress)]


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets the request through only with ``permission``; refusals are
    audited."""

    async def check(request: Request, principal: CurrentPrincipal) -> Principal:
        if not principal.can(permission):

            def record() -> None:
                with request.app.state.store.session() as session:
                    audit(
                        session,
                        "authorize",
                        "denied",
                        user=principal,
                        target=f"{request.method} {request.url.path}",
                        detail={"permission": permission.value},
                        client=request.client.host if request.client else None,
                    )

            await anyio.to_thread.run_sync(record)
            raise NotAllowedError(
                f"your roles ({', '.join(sorted(principal.roles))}) do not allow "
                f"{permission.value.replace('_', ' ')}; ask an administrator"
            )
        return principal

    check.required_permission = permission  # type: ignore[attr-defined]
    return check


Viewer = Annotated[Principal, Depends(require(Permission.VIEW_SITUATION))]
CatalogReader = Annotated[Principal, Depends(require(Permission.VIEW_CATALOG))]
SourceViewer = Annotated[Principal, Depends(require(Permission.VIEW_SOURCES))]
Steward = Annotated[Principal, Depends(require(Permission.MANAGE_SOURCES))]
Analyst = Annotated[Principal, Depends(require(Permission.ANALYSE))]
WallAdmin = Annotated[Principal, Depends(require(Permission.MANAGE_WALL))]
AlertHandler = Annotated[Principal, Depends(require(Permission.HANDLE_ALERTS))]
RuleManager = Annotated[Principal, Depends(require(Permission.MANAGE_ALERTS))]
Coordinator = Annotated[Principal, Depends(require(Permission.COORDINATE))]
Responder = Annotated[Principal, Depends(require(Permission.RESPOND))]
PlanManager = Annotated[Principal, Depends(require(Permission.MANAGE_PLANS))]
Director = Annotated[Principal, Depends(require(Permission.DIRECT))]
RecordReader = Annotated[Principal, Depends(require(Permission.READ_RECORDS))]
Auditor = Annotated[Principal, Depends(require(Permission.VIEW_AUDIT))]
SharingManager = Annotated[Principal, Depends(require(Permission.MANAGE_SHARING))]


async def get_ingest(request: Request) -> IngestContext:
    ctx: IngestContext = request.app.state.ingest
    return ctx


Ingest = Annotated[IngestContext, Depends(get_ingest)]


async def get_situation(request: Request) -> Situation:
    situation: Situation = request.app.state.situation
    return situation


SituationDep = Annotated[Situation, Depends(get_situation)]


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None
