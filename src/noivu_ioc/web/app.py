"""The FastAPI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from noivu_ioc import __version__
from noivu_ioc.access.read_audit import ReadAudit
from noivu_ioc.catalog import catalog as sector_catalog
from noivu_ioc.indicators.service import Situation
from noivu_ioc.ingest.scheduler import Scheduler
from noivu_ioc.ingest.sync import IngestContext
from noivu_ioc.operations import lease, outbox
from noivu_ioc.operations.loop import OperationsLoop, operations_jobs
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore, open_store
from noivu_ioc.store.bus import RedisRelay, channel_of
from noivu_ioc.store.secrets import secret_box
from noivu_ioc.warehouse import Warehouse, open_warehouse
from noivu_ioc.web import i18n, security
from noivu_ioc.web.audit_trail import AuditTrail
from noivu_ioc.web.deps import PrincipalCache
from noivu_ioc.web.errors import ERROR_RESPONSES, install_error_handlers
from noivu_ioc.web.fastpath import CachedAnswers
from noivu_ioc.web.live import BATCH, LiveHub
from noivu_ioc.web.middleware import RequestContext
from noivu_ioc.web.routes import (
    accounts,
    alerts,
    audit,
    auth,
    cap,
    catalog,
    directives,
    home,
    incidents,
    ledger,
    mobile,
    notifications,
    plans,
    processes,
    push,
    quarantine,
    records,
    sharing,
    situation,
    sources,
    units,
    wall,
)

log = logging.getLogger(__name__)

HERE = Path(__file__).parent


def _level_label(code: str | None, lang: str) -> str:
    if code is None:
        return "–"
    try:
        return sector_catalog().codelist("government_level").label(code, lang)
    except KeyError:
        return code


def _pct_class(value: float | int | None) -> str:
    """The class that gives a bar this width in percent (static/css/app.css has pct-0 to
    pct-100): the Content-Security-Policy refuses style attributes."""
    share = 0.0 if value is None else float(value)
    return f"pct-{round(min(100.0, max(0.0, share)))}"


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["t"] = i18n.t
    templates.env.globals["version"] = __version__
    templates.env.filters["num"] = i18n.format_number
    templates.env.filters["pct"] = _pct_class
    templates.env.globals["num"] = i18n.format_number
    templates.env.globals["level_label"] = _level_label
    templates.env.globals.update(csrf_field=security.csrf_field, csrf_token=security.csrf_token)
    return templates


def create_app(
    settings: Settings, store: OpStore | None = None, warehouse: Warehouse | None = None
) -> FastAPI:
    """Build the application. Stores given here are used as they are (tests, ``ioc demo``);
    otherwise they are opened from the settings when the application starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = []
        if store is None:
            app.state.store = open_store(settings.resolved_database_url)
            owned.append(app.state.store)
        if warehouse is None:
            app.state.warehouse = open_warehouse(settings.resolved_warehouse_url)
            owned.append(app.state.warehouse)
        app.state.ingest = IngestContext(
            app.state.store, app.state.warehouse, settings, secret_box(settings)
        )
        app.state.situation = Situation(app.state.store, app.state.warehouse)
        app.state.read_audit = ReadAudit(app.state.store)
        app.state.live = LiveHub(
            app.state.store, app.state.warehouse, redis_url=settings.redis_url, batch=BATCH
        )
        # This process's events go to the other processes through Redis, when there is one.
        relay = None
        if settings.redis_url:
            relay = RedisRelay(
                app.state.store.bus, settings.redis_url, channel_of(app.state.store.url)
            ).start()
        app.state.scheduler = None
        app.state.operations = None
        if settings.scheduler:
            situation = app.state.situation
            jobs = operations_jobs(
                app.state.store, situation.evaluator, situation.registry, settings
            )
            app.state.operations = OperationsLoop(
                app.state.store, jobs, settings.alert_seconds, lease.owner_name()
            )
            app.state.operations.start()
            app.state.scheduler = Scheduler(app.state.ingest)
            app.state.scheduler.start()
        log.info("IOC %s ready", __version__)
        yield
        await app.state.live.stop()
        if app.state.operations is not None:
            app.state.operations.stop()
        if relay is not None:
            relay.close()
        if app.state.scheduler is not None:
            app.state.scheduler.stop()
        for thing in owned:
            thing.close() if isinstance(thing, Warehouse) else thing.dispose()

    app = FastAPI(
        title="noivu-ioc",
        version=__version__,
        summary="Intelligent Operations Center of the Ministry of Home Affairs",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    outbox.configure(settings)  # which copies (e-mail, SMS) notifications queue
    app.state.principals = PrincipalCache(ttl_s=settings.session_cache_seconds)
    app.state.templates = _templates()
    if store is not None:
        app.state.store = store
    if warehouse is not None:
        app.state.warehouse = warehouse

    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.add_middleware(AuditTrail)  # innermost: it sees the principal the route resolved
    app.add_middleware(CachedAnswers)
    # CSRF, secure headers and body limits: outside the fast path, so its answers get the
    # headers too.
    app.add_middleware(security.SecurityMiddleware, settings=settings)
    app.add_middleware(RequestContext)  # added last: the outermost, so it wraps them all

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> Response:
        # Swagger UI from the vendored copy (an air-gapped network cannot reach a CDN),
        # started by a script file: the Content-Security-Policy allows no inline script.
        page: Response = app.state.templates.TemplateResponse(request, "docs.html", {})
        return page

    @app.get("/healthz", tags=["system"])
    def health() -> dict[str, str]:
        """Liveness probe for load balancers; says nothing about the data."""
        return {"status": "ok", "version": __version__}

    # The wall's and the phone's endpoints first: routes are matched in order, and those are
    # the ones asked many times a second.
    for router in (
        wall.router,
        situation.router,
        mobile.router,
        alerts.router,
        notifications.router,
        incidents.router,
        processes.router,
        plans.router,
        directives.router,
        cap.router,
        auth.router,
        accounts.router,
        records.router,
        sharing.router,
        audit.router,
        ledger.router,
        home.router,
        catalog.router,
        units.router,
        sources.router,
        quarantine.router,
        push.router,
    ):
        app.include_router(router, responses=ERROR_RESPONSES)
    return app
