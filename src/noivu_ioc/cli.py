"""The ``ioc`` command."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from noivu_ioc import __version__
from noivu_ioc.errors import IOCError
from noivu_ioc.indicators.cli import indicators_app, warehouse_app
from noivu_ioc.ingest.cli import quarantine_app, sources_app
from noivu_ioc.ledger.cli import app as ledger_app
from noivu_ioc.operations.cli import app as notify_app
from noivu_ioc.settings import Settings, load_settings

if TYPE_CHECKING:
    from noivu_ioc.store import OpStore
    from noivu_ioc.warehouse import Warehouse

app = typer.Typer(
    help="noivu-ioc: the Intelligent Operations Center of the Ministry of Home Affairs.\n\n"
    "Settings come from IOC_* environment variables or a .env file "
    "(IOC_DATA_DIR, IOC_DATABASE_URL, IOC_WAREHOUSE_URL, IOC_HOST, IOC_PORT, ...).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
users_app = typer.Typer(
    help="Create, list and disable user accounts; reset a second factor, lift a lock-out.",
    no_args_is_help=True,
)
units_app = typer.Typer(help="Administrative units and the 2025 conversion.", no_args_is_help=True)
db_app = typer.Typer(help="The operational store's schema.", no_args_is_help=True)
catalog_app = typer.Typer(help="The sector catalog (data dictionary).", no_args_is_help=True)
secrets_app = typer.Typer(
    help="The key that encrypts stored secrets (source credentials, second factors).",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")
app.add_typer(units_app, name="units")
app.add_typer(db_app, name="db")
app.add_typer(catalog_app, name="catalog")
app.add_typer(secrets_app, name="secrets")
app.add_typer(sources_app, name="sources")
app.add_typer(notify_app, name="notify")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(indicators_app, name="indicators")
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(ledger_app, name="ledger")

log = logging.getLogger("noivu_ioc")

Host = Annotated[str | None, typer.Option(help="Address to bind (default IOC_HOST, 127.0.0.1).")]
Port = Annotated[int | None, typer.Option(help="Port to bind (default IOC_PORT, 8000).")]
Scale = Annotated[str, typer.Option(help="Data scale: demo, province or national.")]
Seed = Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")]


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _settings(**overrides: object) -> Settings:
    try:
        settings = load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except IOCError as exc:
        _fail(exc.message)
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    return settings


def _serve(settings: Settings, store: OpStore, warehouse: Warehouse) -> None:
    import uvicorn

    from noivu_ioc.web.app import create_app

    application = create_app(settings, store, warehouse)
    typer.echo(f"IOC at http://{settings.host}:{settings.port}  (Ctrl+C to stop)")
    # Open live streams (walls, phones) would hold a shutdown forever: give them 5 s.
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=5,
        # The client's address and scheme come from X-Forwarded-* only behind a proxy that
        # the settings name; otherwise the peer's address is the client's.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


@app.command()
def demo(
    host: Host = None,
    port: Port = None,
    scale: Scale = "demo",
    seed: Seed = 2025,
    reset: Annotated[bool, typer.Option(help="Regenerate the data even if present.")] = False,
) -> None:
    """Create the embedded stores under IOC_DATA_DIR, load realistic data, create one user
    per role and serve the IOC (http://127.0.0.1:8000 by default)."""
    from noivu_ioc.demo import (
        DEMO_PASSWORD,
        DEMO_TOTP_SECRET,
        DEMO_USERS,
        prepare_store,
        prepare_warehouse,
    )
    from noivu_ioc.demo_operations import prepare_operations
    from noivu_ioc.demo_sources import prepare_sources
    from noivu_ioc.indicators.registry import Registry, library
    from noivu_ioc.ingest.sync import IngestContext
    from noivu_ioc.ledger.audit import seal_audit
    from noivu_ioc.ledger.heads import sign_head
    from noivu_ioc.store import OpStore
    from noivu_ioc.store.secrets import secret_box
    from noivu_ioc.warehouse import open_warehouse

    settings = _settings(host=host, port=port)
    try:
        store = OpStore(settings.resolved_database_url)
        created = prepare_store(store, secret_box(settings))
        warehouse = open_warehouse(settings.resolved_warehouse_url)
        summary = prepare_warehouse(warehouse, scale, seed, reset, ledger=store)
        sources = prepare_sources(IngestContext(store, warehouse, settings, secret_box(settings)))
        operations = prepare_operations(store, Registry(library()))
        # The dossiers just generated are in the ledger: seal the set-up's audit and sign a
        # head now, so that a record's history is verified from the first page.
        seal_audit(store)
        sign_head(store, settings)
    except IOCError as exc:
        _fail(exc.message)
    if summary:
        typer.echo(
            f"loaded {sum(summary.rows.values()):,} rows into "
            f"{len(summary.rows)} tables in {summary.seconds:.1f} s"
        )
    if sources:
        typer.echo("registered and synced demo sources: " + ", ".join(sources))
    if operations:
        typer.echo(
            "prepared the demo's operations: alert rules, citizen reports, an incident, "
            "directives and an inspection"
        )
    if created:
        typer.echo(
            f"created demo users (password {DEMO_PASSWORD}): "
            + ", ".join(f"{u.username} ({u.role.value})" for u in DEMO_USERS)
            + f"; administrators' second factor (TOTP secret): {DEMO_TOTP_SECRET}"
        )
    _serve(settings, store, warehouse)


@app.command()
def serve(host: Host = None, port: Port = None) -> None:
    """Serve the IOC against the stores given by settings (migrating the schema first)."""
    from noivu_ioc.store import open_store
    from noivu_ioc.warehouse import open_warehouse

    settings = _settings(host=host, port=port)
    try:
        store = open_store(settings.resolved_database_url)
        warehouse = open_warehouse(settings.resolved_warehouse_url)
    except IOCError as exc:
        _fail(exc.message)
    _serve(settings, store, warehouse)


@app.command()
def generate(scale: Scale = "demo", seed: Seed = 2025) -> None:
    """Replace the warehouse's sector data with generated data (deterministic per seed)."""
    from noivu_ioc.generate import SCALES, generate_into
    from noivu_ioc.store import open_store
    from noivu_ioc.warehouse import open_warehouse

    if scale not in SCALES:
        _fail(f"scale {scale!r} is unknown; choose one of {', '.join(SCALES)}")
    settings = _settings()
    try:
        warehouse = open_warehouse(settings.resolved_warehouse_url)
        # The personnel records generated go into the ledger of the operational store.
        store = open_store(settings.resolved_database_url)
        summary = generate_into(warehouse, scale, seed, ledger=store)
    except IOCError as exc:
        _fail(exc.message)
    for entity, rows in summary.rows.items():
        typer.echo(f"{entity:32} {rows:>12,}")
    total = sum(summary.rows.values())
    typer.echo(
        f"{total:,} rows in {summary.seconds:.1f} s "
        f"({total / max(summary.seconds, 1e-9):,.0f} rows/s), load {summary.load_id}"
    )


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


# -- users ------------------------------------------------------------------------------


@contextmanager
def _store() -> Iterator[OpStore]:
    """The operational store of the settings, migrated and seeded, closed afterwards."""
    from noivu_ioc.store import open_store
    from noivu_ioc.units.org import seed_org_units

    settings = _settings()
    try:
        store = open_store(settings.resolved_database_url)
    except IOCError as exc:
        _fail(exc.message)
    try:
        with store.session() as session:
            seed_org_units(session)
        yield store
    finally:
        store.dispose()


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[list[str], typer.Option("--role", "-r", help="Role; repeat for several.")],
    unit: Annotated[
        list[str],
        typer.Option("--unit", "-u", help="Org unit of the scope, e.g. BNV, SNV.01, UBX.00004."),
    ],
    full_name: Annotated[str, typer.Option(help="Full name with diacritics.")] = "",
    email: Annotated[str | None, typer.Option()] = None,
    language: Annotated[str, typer.Option(help="vi or en.")] = "vi",
    password: Annotated[
        str | None,
        typer.Option(help="Password (asked for if not given; IOC never prints it)."),
    ] = None,
) -> None:
    """Create a user with roles and a scope of units."""
    from noivu_ioc.access.users import create_user

    secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with _store() as store, store.session() as session:
            create_user(
                session,
                username=username,
                full_name=full_name or username,
                password=secret,
                roles=role,
                units=unit,
                email=email,
                language=language,
            )
    except IOCError as exc:
        _fail(exc.message)
    typer.echo(f"created user {username}")


@users_app.command("list")
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List users with their roles, scope and state."""
    from noivu_ioc.access.users import list_users

    with _store() as store, store.session() as session:
        rows: list[dict[str, Any]] = [
            {
                "username": u.username,
                "full_name": u.full_name,
                "roles": sorted(r.role for r in u.roles),
                "units": [s.org_unit.code for s in u.scope],
                "active": u.active,
            }
            for u in list_users(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = "active" if r["active"] else "disabled"
        typer.echo(
            f"{r['username']:20} {state:9} {','.join(r['roles']):28} "
            f"{','.join(r['units']):20} {r['full_name']}"
        )


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable a user; their sessions end at once."""
    from noivu_ioc.access.users import disable_user

    try:
        with _store() as store, store.session() as session:
            disable_user(session, username)
    except IOCError as exc:
        _fail(exc.message)
    typer.echo(f"disabled user {username}")


@users_app.command("totp-reset")
def users_totp_reset(username: str) -> None:
    """Remove a user's second factor (a lost phone) and end their sessions; they enrol again
    at their next login (administrators must)."""
    from noivu_ioc.access import totp
    from noivu_ioc.access.users import get_user

    try:
        with _store() as store, store.session() as session:
            ended = totp.reset(session, None, get_user(session, username), None)
    except IOCError as exc:
        _fail(exc.message)
    typer.echo(f"reset the second factor of {username}; {ended} sessions ended")


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """Lift the lock-out of a username after too many failed logins."""
    from noivu_ioc.access import throttle
    from noivu_ioc.access.users import audit, get_user

    try:
        with _store() as store, store.session() as session:
            user = get_user(session, username)
            cleared = throttle.clear(session, throttle.user_key(user.username))
            audit(session, "login.unlock", "ok", username="cli", target=user.username)
    except IOCError as exc:
        _fail(exc.message)
    typer.echo(f"{username}: " + ("lock-out lifted" if cleared else "was not locked"))


# -- units, db, catalog -------------------------------------------------------------------


@secrets_app.command("rotate-key")
def secrets_rotate_key() -> None:
    """Seal every stored secret under a new key: with the key file, a new key the command
    makes (the old one is kept aside); with IOC_SECRET_KEY, the key set there, opening what
    the keys in IOC_SECRET_KEY_PREVIOUS sealed."""
    from noivu_ioc.access.secret_rotation import rotate_secret_key

    settings = _settings()
    try:
        with _store() as store:
            done = rotate_secret_key(store, settings)
    except IOCError as exc:
        _fail(exc.message)
    if done.resumed:
        typer.echo("finished an interrupted rotation with the key it had made")
    typer.echo(
        f"sealed {done.sources} source credentials and {done.factors} second factors under the "
        "new key"
    )
    if done.retired_file is not None:
        typer.echo(
            f"the old key is kept at {done.retired_file} so that copies of the store made "
            "before still open; running servers read the new key by themselves, and servers "
            "with a copy of the key file need the new file"
        )
    else:
        typer.echo(
            "once every server runs with the new IOC_SECRET_KEY, IOC_SECRET_KEY_PREVIOUS can be "
            "emptied"
        )


@units_app.command("convert")
def units_convert(code: str) -> None:
    """Show the current unit(s) of a pre-2025 province (2 digits) or commune (5 digits)."""
    from noivu_ioc.units import admin

    try:
        c = admin.convert_legacy(code)
    except IOCError as exc:
        _fail(exc.message)
    typer.echo(f"{c.level} {c.legacy_code} {c.legacy_name} (before 1 July 2025) ->")
    for u in c.current:
        typer.echo(f"  {u.code} {u.name}")
    if not c.is_unambiguous:
        typer.echo("the former unit was split: choose the current unit record by record")


@units_app.command("list")
def units_list(
    province: Annotated[str | None, typer.Option(help="List this province's communes.")] = None,
) -> None:
    """List the 34 provinces, or one province's communes."""
    from noivu_ioc.units import admin

    try:
        rows = admin.communes_of(admin.unit(province).code) if province else admin.provinces()
    except IOCError as exc:
        _fail(exc.message)
    for u in rows:
        typer.echo(f"{u.code}  {u.name}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the operational store."""
    with _store() as store:
        typer.echo(f"operational store at revision {store.current_revision()}")


@catalog_app.command("export")
def catalog_export(
    out: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Write the data dictionary as JSON."""
    from noivu_ioc.catalog import catalog

    text = json.dumps(catalog().as_json(), ensure_ascii=False, indent=2)
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
    else:
        typer.echo(text)


if __name__ == "__main__":
    app()
