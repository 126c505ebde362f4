"""The ``ioc sources`` and ``ioc quarantine`` commands: what the steward does in the UI,
from a terminal, acting as a named user of the IOC (``--as``, default the administrator
account given by ``IOC_CLI_USER`` or ``quantri``).

In the embedded mode the server process owns the warehouse file: run these while it is
stopped, or use the pages and the API of the running server.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from noivu_ioc.access.users import Principal, principal_of
from noivu_ioc.errors import IOCError, NotFoundError
from noivu_ioc.settings import Settings, load_settings

sources_app = typer.Typer(
    help="Register, test and sync sources; see how they stand.", no_args_is_help=True
)
quarantine_app = typer.Typer(help="Rows that syncs rejected.", no_args_is_help=True)

ActAs = Annotated[
    str, typer.Option("--as", help="The IOC user to act as (their roles and scope apply).")
]


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@contextmanager
def _ingest(user: str) -> Iterator[tuple[Any, Principal]]:
    """The ingest context over the configured stores, and the acting user."""
    import logging

    from noivu_ioc.ingest.sync import IngestContext
    from noivu_ioc.store import open_store
    from noivu_ioc.store.models import User
    from noivu_ioc.store.secrets import secret_box
    from noivu_ioc.units.org import seed_org_units
    from noivu_ioc.warehouse import open_warehouse

    try:
        settings: Settings = load_settings()
    except IOCError as exc:
        _fail(exc.message)
        raise
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    store = warehouse = None
    try:
        store = open_store(settings.resolved_database_url)
        with store.session() as session:
            seed_org_units(session)
            account = session.scalar(select(User).where(User.username == user))
            if account is None or not account.active:
                raise NotFoundError(
                    f"user {user!r} does not exist or is disabled; give an active user with "
                    "--as (see `ioc users list`)"
                )
            principal = principal_of(account)
        warehouse = open_warehouse(settings.resolved_warehouse_url)
        yield IngestContext(store, warehouse, settings, secret_box(settings)), principal
    except IOCError as exc:
        _fail(exc.message)
    finally:
        if warehouse is not None:
            warehouse.close()
        if store is not None:
            store.dispose()


def _default_user() -> str:
    import os

    return os.environ.get("IOC_CLI_USER", "quantri")


def _read_json(value: str | None, what: str) -> Any:
    if value is None:
        return None
    text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"{what} is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")


@sources_app.command("add")
def sources_add(
    name: Annotated[str, typer.Argument(help="Short name, e.g. ton-giao-csdl.")],
    kind: Annotated[str, typer.Option(help="sql, file, rest, push or mqtt.")],
    label: Annotated[str, typer.Option(help="Name shown on screens.")],
    entity: Annotated[str | None, typer.Option(help="Catalog entity of the first binding.")] = None,
    binding: Annotated[str, typer.Option(help="Name of the first binding.")] = "du-lieu",
    selector: Annotated[
        str | None,
        typer.Option(help='JSON: which table, e.g. \'{"table": "co_so_tho_tu"}\'.'),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option(help='JSON (or @file): settings, e.g. \'{"url": "postgresql://..."}\'.'),
    ] = None,
    secrets: Annotated[
        str | None, typer.Option(help="JSON (or @file) of credentials: '{\"password\": ...}'.")
    ] = None,
    mapping: Annotated[
        str | None, typer.Option(help="JSON (or @file) mapping; omitted: proposed later.")
    ] = None,
    mode: Annotated[str, typer.Option(help="upsert, snapshot or incremental.")] = "upsert",
    owner: Annotated[str | None, typer.Option(help="Owner org unit, e.g. SNV.15.")] = None,
    schedule: Annotated[int | None, typer.Option(help="Minutes between syncs.")] = None,
    freshness: Annotated[int | None, typer.Option(help="Agreed interval, minutes.")] = None,
    act_as: ActAs = "",
) -> None:
    """Register a source (and its first binding)."""
    from noivu_ioc.ingest import sources as svc
    from noivu_ioc.ingest.mapping import Mapping

    with _ingest(act_as or _default_user()) as (ctx, principal):
        bindings = []
        if entity:
            raw_mapping = _read_json(mapping, "--mapping")
            bindings.append(
                svc.BindingIn(
                    name=binding,
                    entity=entity,
                    selector=_read_json(selector, "--selector") or {},
                    mapping=Mapping.model_validate(raw_mapping) if raw_mapping else None,
                )
            )
        try:
            data = svc.SourceIn(
                name=name,
                label=label,
                kind=kind,
                owner_unit=owner,
                config=_read_json(config, "--config") or {},
                secrets=_read_json(secrets, "--secrets") or {},
                mode=mode,  # type: ignore[arg-type]
                schedule_minutes=schedule,
                freshness_minutes=freshness,
                bindings=bindings,
            )
        except ValueError as exc:
            _fail(str(exc))
            return
        with ctx.store.session() as session:
            created = svc.create_source(ctx, session, principal, data)
        typer.echo(f"created source {name} ({kind})")
        if created.api_key:
            typer.echo(f"push API key (shown once, keep it): {created.api_key}")


@sources_app.command("list")
def sources_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    act_as: ActAs = "",
) -> None:
    """Every source in scope and how it stands (the connection monitor)."""
    from noivu_ioc.ingest import sources as svc

    with _ingest(act_as or _default_user()) as (ctx, principal), ctx.store.session() as session:
        rows = [
            {
                "name": s.source.name,
                "kind": s.source.kind,
                "health": s.health,
                "fresh": s.fresh,
                "last_success": str(s.source.last_success_at or ""),
                "rows": sum(s.rows.values()),
                "quarantined": s.quarantined,
                "last_run": s.last_run.state if s.last_run else None,
            }
            for s in svc.statuses(ctx, session, principal)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        typer.echo(
            f"{r['name']:28} {r['kind']:6} {r['health']:9} rows {r['rows']:>10,} "
            f"quarantined {r['quarantined']:>7,}  last run {r['last_run'] or '-'}"
        )


@sources_app.command("test")
def sources_test(name: str, act_as: ActAs = "") -> None:
    """Reach a source now and say what was found or what is wrong."""
    from noivu_ioc.ingest import sources as svc

    with _ingest(act_as or _default_user()) as (ctx, principal), ctx.store.session() as session:
        ok, message = svc.test_connection(ctx, session, principal, name)
    typer.echo(("ok: " if ok else "failed: ") + message)
    if not ok:
        raise typer.Exit(1)


@sources_app.command("propose")
def sources_propose(name: str, binding: str, act_as: ActAs = "") -> None:
    """Print the mapping proposed from a binding's headers (JSON), to confirm with map."""
    from noivu_ioc.ingest import sources as svc

    with _ingest(act_as or _default_user()) as (ctx, principal), ctx.store.session() as session:
        proposal, _ = svc.propose_mapping(ctx, session, principal, name, binding)
    text = json.dumps(
        proposal.mapping.model_dump(exclude_defaults=True), ensure_ascii=False, indent=2
    )
    typer.echo(text)
    for problem in proposal.problems:
        typer.echo(f"to do: {problem}", err=True)
    if proposal.unused_columns:
        typer.echo("columns not mapped: " + ", ".join(proposal.unused_columns), err=True)


@sources_app.command("map")
def sources_map(
    name: str,
    binding: str,
    mapping: Annotated[str, typer.Argument(help="JSON mapping, or @file.")],
    act_as: ActAs = "",
) -> None:
    """Confirm a binding's mapping."""
    from noivu_ioc.ingest import sources as svc
    from noivu_ioc.ingest.mapping import Mapping

    parsed = Mapping.model_validate(_read_json(mapping, "the mapping"))
    with _ingest(act_as or _default_user()) as (ctx, principal), ctx.store.session() as session:
        svc.set_mapping(ctx, session, principal, name, binding, parsed)
    typer.echo(f"mapping of {name}/{binding} confirmed")


@sources_app.command("sync")
def sources_sync(
    name: str,
    confirm_deletions: Annotated[
        bool, typer.Option(help="Let a snapshot delete more rows than the source's limit.")
    ] = False,
    act_as: ActAs = "",
) -> None:
    """Run one sync of a source now, in this process, and print its record."""
    from noivu_ioc.ingest import sources as svc
    from noivu_ioc.ingest.sync import run_sync

    with _ingest(act_as or _default_user()) as (ctx, principal):
        with ctx.store.session() as session:
            source = svc.get_source(session, principal, name)
            source_id = source.id
        run = run_sync(
            ctx,
            source_id,
            trigger="cli",
            user=principal.username,
            allow_mass_delete=confirm_deletions,
        )
    typer.echo(
        f"run {run.id}: {run.state}; {run.rows_read:,} read, {run.rows_loaded:,} loaded, "
        f"{run.rows_quarantined:,} quarantined, {run.rows_deleted:,} deleted"
    )
    if run.error:
        typer.echo(run.error, err=True)
    if run.state == "failed":
        raise typer.Exit(1)


@sources_app.command("runs")
def sources_runs(name: str, limit: int = 20, act_as: ActAs = "") -> None:
    """A source's recent runs."""
    from noivu_ioc.ingest import sources as svc

    with _ingest(act_as or _default_user()) as (ctx, principal), ctx.store.session() as session:
        source = svc.get_source(session, principal, name, manage=False)
        for r in svc.runs_of(session, source, limit):
            typer.echo(
                f"{r.id:>6} {r.started_at:%Y-%m-%d %H:%M:%S} {r.trigger:9} {r.state:11} "
                f"read {r.rows_read:>9,} loaded {r.rows_loaded:>9,} "
                f"quarantined {r.rows_quarantined:>7,} deleted {r.rows_deleted:>7,}"
                + (f"  {r.error}" if r.error else "")
            )


@quarantine_app.command("list")
def quarantine_list(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    status: Annotated[str, typer.Option(help="pending, replayed, dismissed, all.")] = "pending",
    limit: int = 50,
    act_as: ActAs = "",
) -> None:
    """Rejected rows with their position and reasons."""
    from noivu_ioc.ingest import quarantine

    with _ingest(act_as or _default_user()) as (ctx, principal), ctx.store.session() as session:
        entries, total, sources = quarantine.list_entries(
            ctx,
            session,
            principal,
            source=source,
            status=None if status == "all" else status,
            limit=limit,
        )
        for e in entries:
            typer.echo(f"#{e.id} {sources[e.source_id].name} {e.position} [{e.status}]")
            for reason in e.reasons:
                typer.echo(f"    {reason}")
    typer.echo(f"{total:,} entries")


@quarantine_app.command("replay")
def quarantine_replay(
    source: str,
    ids: Annotated[list[int] | None, typer.Argument(help="Entries; none: every pending.")] = None,
    act_as: ActAs = "",
) -> None:
    """Check a source's pending entries again and load those that pass."""
    from noivu_ioc.ingest import quarantine

    with _ingest(act_as or _default_user()) as (ctx, principal), ctx.store.session() as session:
        run = quarantine.replay(ctx, session, principal, source, ids or None)
    typer.echo(
        f"replayed {run.rows_read:,}: {run.rows_loaded:,} loaded, "
        f"{run.rows_quarantined:,} still rejected"
    )
