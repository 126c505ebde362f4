"""The ``ioc ledger`` commands."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from noivu_ioc.errors import IOCError
from noivu_ioc.settings import Settings, load_settings
from noivu_ioc.store import OpStore

if TYPE_CHECKING:
    from noivu_ioc.ledger.witness import Witness

app = typer.Typer(
    help="The verifiable ledger: verify it from storage, sign heads, run a witness.",
    no_args_is_help=True,
)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@contextmanager
def _opened() -> Iterator[tuple[Settings, OpStore]]:
    """The settings and the migrated store."""
    from noivu_ioc.store import open_store

    try:
        settings = load_settings()
    except IOCError as exc:
        _fail(exc.message)
    _logging(settings.log_level)
    try:
        store = open_store(settings.resolved_database_url)
    except IOCError as exc:
        _fail(exc.message)
    try:
        yield settings, store
    except IOCError as exc:
        _fail(exc.message)
    finally:
        store.dispose()


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


@app.command("verify")
def verify_command(
    with_records: Annotated[
        bool,
        typer.Option(
            "--records",
            help="Also compare the warehouse's personnel records with their latest ledger "
            "versions (the warehouse must not be held by a running server).",
        ),
    ] = False,
    repair: Annotated[
        bool,
        typer.Option(help="With --records: append the personnel entries found missing."),
    ] = False,
) -> None:
    """Recompute and check everything the ledger stores; exit 1 naming each problem."""
    from noivu_ioc.ledger.verify import verify
    from noivu_ioc.warehouse import open_warehouse

    if repair and not with_records:
        _fail("--repair goes with --records")
    with _opened() as (settings, store):
        warehouse = open_warehouse(settings.resolved_warehouse_url) if with_records else None
        try:
            report = verify(store, settings, warehouse=warehouse, repair=repair)
        finally:
            if warehouse is not None:
                warehouse.close()
    for problem in report.problems:
        typer.secho(f"PROBLEM: {problem}", fg=typer.colors.RED)
    if report.records is not None and repair:
        typer.echo(
            f"records: appended {report.records.appended:,} missing personnel entries"
            if report.records.appended
            else "records: every personnel record's latest version is in the ledger"
        )
    typer.echo(report.summary())
    if not report.ok:
        raise typer.Exit(1)


@app.command("head")
def head_command() -> None:
    """Print the latest signed head with its cosignatures, as JSON."""
    from noivu_ioc.ledger import heads
    from noivu_ioc.ledger.bundle import head_json

    with _opened() as (_, store), store.session() as session:
        head = heads.latest_head(session)
        if head is None:
            _fail("the ledger has no signed head yet; `ioc ledger sign` signs one", 1)
        _echo_json(head_json(head, heads.cosignatures(session, head.tree_size)))


@app.command("sign")
def sign_command() -> None:
    """Seal the audit rows not yet in the ledger and sign the log's current size."""
    from noivu_ioc.ledger.audit import seal_audit
    from noivu_ioc.ledger.heads import sign_head

    with _opened() as (settings, store):
        sealed = 0
        while True:
            done = seal_audit(store)
            sealed += done
            if done < 5000:
                break
        head = sign_head(store, settings)
    typer.echo(f"sealed {sealed:,} audit rows")
    if head is None:
        typer.echo("no new entries since the latest head: nothing to sign")
    else:
        typer.echo(f"signed the head of tree size {head.tree_size:,} (root {head.root_hash.hex()})")


@app.command("public-key")
def public_key_command() -> None:
    """Print the log's public key (base64 of the raw 32 bytes) and its key id, with the keys
    it replaced (IOC_LEDGER_RETIRED_KEYS) and the tree size from which each was succeeded."""
    from noivu_ioc.ledger.bundle import published_keys_json
    from noivu_ioc.ledger.heads import log_signer, retired_keys, succeeded_at

    with _opened() as (settings, store):
        signer = log_signer(settings)
        retired = retired_keys(settings, signer)
        with store.session() as session:
            succeeded = succeeded_at(session, list(retired))
        _echo_json(published_keys_json(signer, retired, succeeded))


@app.command("rotate-key")
def rotate_key_command() -> None:
    """Retire the key file's key for a new one, and sign a head with the new key."""
    from noivu_ioc.ledger.rotation import rotate_key

    with _opened() as (settings, store):
        done = rotate_key(store, settings)
    typer.echo(
        f"retired the log's key {done.retired.key_id[:16]}…, kept at {done.retired_file}; "
        f"its public key: {done.retired.public_b64}"
    )
    typer.echo(
        f"the new key {done.signer.key_id[:16]}… signed the head of tree size "
        f"{done.head.tree_size:,} and signs every head from now on"
    )
    typer.echo(
        "so that the heads of the retired key still verify, set on every server (the keys "
        "already retired are kept in it), then restart the servers:"
    )
    typer.echo(done.retired_assignment)
    typer.echo(
        "servers with a copy of the key file need the new file too. Restart each witness with "
        f"--log-key {done.signer.public_b64}: pinned to the old key, it refuses the new heads."
    )


@app.command("proof")
def proof_command(
    key: Annotated[str, typer.Argument(help="The record's key, e.g. person:CB0000000001.")],
    version: Annotated[
        int | None, typer.Option(min=1, help="Only this version (default: all of them).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Print the proof bundle of a record's versions, for `ioc ledger check-proof`."""
    from noivu_ioc.ledger.bundle import build_bundle
    from noivu_ioc.ledger.heads import log_signer

    with _opened() as (settings, store), store.session() as session:
        bundle = build_bundle(session, key, log_signer(settings), version)
    text = json.dumps(bundle, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}")


@app.command("check-proof")
def check_proof_command(
    file: Annotated[Path, typer.Argument(help="A proof bundle (JSON).", exists=True)],
    public_key: Annotated[
        str,
        typer.Option(
            help="The log's public key as published (base64, hex, PEM or a file holding it)."
        ),
    ],
    witness: Annotated[
        list[str] | None,
        typer.Option(help="NAME=PUBLIC_KEY of a witness whose cosignature to check; repeat."),
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option(help="A record (JSON of its fields) to match against the versions."),
    ] = None,
) -> None:
    """Verify a proof bundle offline, with nothing but the bundle and the log's key."""
    from noivu_ioc.ledger.bundle import check_bundle
    from noivu_ioc.ledger.heads import parse_public_key

    try:
        bundle = json.loads(file.read_text(encoding="utf-8"))
        key = parse_public_key(public_key)
        witnesses = {}
        for item in witness or []:
            name, sep, text = item.partition("=")
            if not sep:
                _fail(f"--witness {item!r}: write NAME=PUBLIC_KEY")
            witnesses[name] = parse_public_key(text)
        fields = json.loads(record.read_text(encoding="utf-8")) if record else None
        result = check_bundle(bundle, key, witnesses, fields)
    except (ValueError, IOCError) as exc:
        _fail(exc.message if isinstance(exc, IOCError) else f"{file}: not JSON ({exc})")
    for line in result.lines:
        typer.echo(f"ok: {line}")
    for problem in result.problems:
        typer.secho(f"FAILED: {problem}", fg=typer.colors.RED)
    if not result.ok:
        typer.secho(f"{file}: NOT verified", fg=typer.colors.RED)
        raise typer.Exit(1)
    typer.echo(f"{file}: verified ({len(result.proven)} entries of {bundle.get('key')})")


def _run_until_signalled(witness: Witness, every: float) -> None:
    """Round after round until SIGTERM or Ctrl-C, which end the wait between two rounds."""
    import signal
    import threading

    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        witness.run(every, stop)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    logging.getLogger("noivu_ioc.ledger.witness").info("witness: stopped")


@app.command("witness")
def witness_command(
    url: Annotated[str, typer.Option(help="The IOC's address, e.g. http://ioc.example:8000.")] = "",
    log_key: Annotated[
        str, typer.Option(help="The log's public key, pinned (base64, hex, PEM or a file).")
    ] = "",
    key_file: Annotated[
        Path, typer.Option(help="The witness's own Ed25519 key (PEM), created when missing.")
    ] = Path("witness.key"),
    state: Annotated[
        Path, typer.Option(help="Where the witness keeps the last head it cosigned.")
    ] = Path("witness-state.json"),
    once: Annotated[bool, typer.Option(help="One round, then exit (1 when it refuses).")] = False,
    every: Annotated[float, typer.Option(min=1, help="Seconds between rounds.")] = 60.0,
    show_key: Annotated[
        bool,
        typer.Option(help="Print the witness's public key (for IOC_LEDGER_WITNESSES) and exit."),
    ] = False,
) -> None:
    """Run a witness: check each new head against the last one cosigned, then cosign it."""
    from noivu_ioc.ledger.heads import key_file as read_key_file
    from noivu_ioc.ledger.heads import parse_public_key
    from noivu_ioc.ledger.witness import Witness, WitnessRefusal

    _logging("INFO")
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # a line per request is noise here
    try:
        signer = read_key_file(key_file)
        if show_key:
            typer.echo(signer.public_b64)
            return
        if not url or not log_key:
            _fail("give --url (the IOC) and --log-key (its public key, as published)")
        witness = Witness(url, parse_public_key(log_key), signer, state)
        if not once:
            _run_until_signalled(witness, every)
            return
        result = witness.round()
    except WitnessRefusal as exc:
        typer.secho(f"REFUSED: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    except IOCError as exc:
        _fail(exc.message, 3)
    typer.echo(result.message)
