"""The ``ioc indicators`` and ``ioc warehouse`` commands: the library from a terminal, an
analyst's TOML file checked and computed before it is saved, and the warehouse published to
PostgreSQL for engines and tools that read it there.

In the embedded mode the server process owns the warehouse file: run these while it is
stopped (they open it read-only), or use the pages and the API of the running server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from noivu_ioc.errors import IOCError
from noivu_ioc.settings import load_settings

indicators_app = typer.Typer(help="The indicator library.", no_args_is_help=True)
warehouse_app = typer.Typer(help="The warehouse of sector data.", no_args_is_help=True)

PlaceOption = Annotated[
    str, typer.Option(help="nation, province:<code>, commune:<code> or agency:<id>")
]


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@indicators_app.command("list")
def list_indicators(domain: Annotated[str | None, typer.Option()] = None) -> None:
    """Every shipped indicator: id, unit, whether it has periods, and its name."""
    from noivu_ioc.indicators.registry import library

    for indicator in library():
        if domain and indicator.domain != domain:
            continue
        kind = "per year" if indicator.has_period else "stock"
        typer.echo(f"{indicator.id:52} {indicator.unit:13} {kind:9} {indicator.name_vi}")


def _evaluate(path: Path | None, ident: str | None, place_text: str, period: int | None) -> None:
    from noivu_ioc.access.scope import Scope
    from noivu_ioc.indicators import places
    from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator
    from noivu_ioc.indicators.model import parse_definition
    from noivu_ioc.indicators.registry import Registry, library, read_definitions
    from noivu_ioc.warehouse import open_warehouse

    settings = load_settings()
    try:
        if path is not None:
            tables = read_definitions(path)
            if not tables:
                _fail(f"{path} holds no [[indicator]] table")
            chosen = [parse_definition(t, origin=str(path)) for t in tables]
        else:
            assert ident is not None
            chosen = [Registry(library()).get(ident)]
        place = places.parse(place_text, Scope.everything())
        warehouse = open_warehouse(settings.resolved_warehouse_url, read_only=True)
    except IOCError as exc:
        _fail(exc.message)
    evaluator = Evaluator(DuckDBEngine(warehouse))
    for indicator in chosen:
        reading = evaluator.read(indicator, place, Scope.everything(), period)
        value = "no data" if reading.value is None else f"{reading.value:,.{indicator.decimals}f}"
        when = f" in {reading.period}" if reading.period else ""
        typer.echo(f"{indicator.id}: {value} {indicator.unit_label('en')}{when} at {place.key}")
        if reading.previous is not None:
            typer.echo(f"  previous period: {reading.previous:,.{indicator.decimals}f}")
        if reading.status:
            typer.echo(f"  traffic light: {reading.status} (target {indicator.target})")
        if reading.reason:
            typer.echo(f"  why: {reading.reason.text('en')}")
    warehouse.close()


@indicators_app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="A TOML file of [[indicator]] tables.")],
    place: PlaceOption = "nation",
    period: Annotated[int | None, typer.Option(help="Year; default the latest.")] = None,
) -> None:
    """Check an analyst's definitions and compute them on the warehouse, without saving."""
    _evaluate(path, None, place, period)


@indicators_app.command("show")
def show(
    ident: Annotated[str, typer.Argument(help="An indicator id, e.g. personnel.women_share")],
    place: PlaceOption = "nation",
    period: Annotated[int | None, typer.Option(help="Year; default the latest.")] = None,
) -> None:
    """One indicator's value at one place (the whole warehouse, no user scope)."""
    _evaluate(None, ident, place, period)


@warehouse_app.command("publish")
def publish(
    url: Annotated[str, typer.Option(help="postgresql://user@host:5432/database")],
    schema: Annotated[str, typer.Option(help="The schema to (re)create the tables in.")] = (
        "ioc_warehouse"
    ),
) -> None:
    """Copy the sector tables to a PostgreSQL schema, replacing what it held."""
    from noivu_ioc.warehouse import open_warehouse
    from noivu_ioc.warehouse.publish import publish_to_postgres

    settings = load_settings()
    try:
        warehouse = open_warehouse(settings.resolved_warehouse_url, read_only=True)
        done = publish_to_postgres(warehouse, url, schema)
    except IOCError as exc:
        _fail(exc.message)
    typer.echo(
        f"published {len(done.rows)} tables, {sum(done.rows.values()):,} rows, to schema "
        f"{done.schema} in {done.seconds:.1f} s"
    )
