"""Personnel records reach the ledger from the warehouse's commits: a sync that changes a
person appends a change, a change of agency a transfer, a snapshot that drops a person a
deletion, and a delivery that changes nothing appends nothing; generated data is recorded in
batches; and what a dead process failed to append is found and appended again, from the
warehouse, by ``ioc ledger verify --records --repair`` and when the dead run is closed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from noivu_ioc.catalog import catalog
from noivu_ioc.cli import app
from noivu_ioc.generate import generate_into
from noivu_ioc.ingest.mapping import FieldMap, Mapping
from noivu_ioc.ingest.sync import IngestContext, reconcile, run_sync
from noivu_ioc.ledger import log as ledger_log
from noivu_ioc.ledger import records
from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse
from tests.ingest.factories import ingest_context, push_records, push_source

PERSON_MAPPING = Mapping(
    fields={f.name: FieldMap(column=f.name) for f in catalog().entity("person").fields},
    number_format="en",
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file of generated demo data, closed, to be copied by each test."""
    path = tmp_path_factory.mktemp("generated") / "warehouse.duckdb"
    warehouse = Warehouse(path)
    generate_into(warehouse, "demo", 11)
    warehouse.close()
    return path


@pytest.fixture
def ctx(tmp_path: Path, store_url: str, generated: Path) -> Iterator[IngestContext]:
    shutil.copy(generated, tmp_path / "warehouse.duckdb")
    context = ingest_context(tmp_path, store_url)
    records.reconcile(context.store, context.warehouse, repair=True, origin="generate")
    yield context
    context.warehouse.close()
    context.store.dispose()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat() + "+00:00"  # the warehouse keeps UTC
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def delivered(warehouse: Warehouse, person: str, **changes: Any) -> dict[str, Any]:
    """A person's row as a sector system would push it, with some fields changed."""
    (row,) = warehouse.query("SELECT * FROM person WHERE person_id = ?", [person])
    record = {k: _text(v) for k, v in row.items() if not k.startswith("_")}
    record.update(changes)
    return record


def laocai_people(warehouse: Warehouse, count: int) -> list[str]:
    rows = warehouse.query(
        "SELECT person_id FROM person WHERE province_code = '15' AND grade = '01.003' "
        "ORDER BY person_id LIMIT ?",
        [count],
    )
    return [str(r["person_id"]) for r in rows]


def payloads(store: OpStore, person_id: str) -> list[dict[str, Any]]:
    with store.session() as session:
        return [orjson.loads(e.data) for e in ledger_log.history(session, f"person:{person_id}")]


def warehouse_hash(warehouse: Warehouse, person_id: str) -> str:
    (row,) = warehouse.query("SELECT * FROM person WHERE person_id = ?", [person_id])
    return records.content_sha256({k: v for k, v in row.items() if not k.startswith("_")})


def test_generated_records_are_created_once(ctx: IngestContext) -> None:
    with ctx.store.session() as session:
        assert ledger_log.size(session) == ctx.warehouse.count("person") == 24_000
    again = records.reconcile(ctx.store, ctx.warehouse, repair=True)
    assert (again.checked, again.missing, again.appended) == (24_000, [], 0)
    (first,) = payloads(ctx.store, laocai_people(ctx.warehouse, 1)[0])
    assert first["op"] == "create" and first["version"] == 1 and first["origin"] == "generate"
    assert first["fields"] == [] and first["protected_fields"] == 0
    assert first["run_id"] is None and first["load_id"] == 1
    assert "full_name" not in orjson.dumps(first).decode()  # no personal data in the ledger


def test_a_sync_appends_changes_and_transfers(ctx: IngestContext) -> None:
    changed, moved, same = laocai_people(ctx.warehouse, 3)
    other_agency = ctx.warehouse.scalar(
        "SELECT agency_id FROM agency WHERE province_code = '15' AND agency_id <> "
        "(SELECT agency_id FROM person WHERE person_id = ?) ORDER BY agency_id LIMIT 1",
        [moved],
    )
    health = ctx.warehouse.scalar(
        "SELECT code FROM (SELECT DISTINCT health_status AS code FROM person) "
        "WHERE code IS NOT NULL AND code IS DISTINCT FROM "
        "(SELECT health_status FROM person WHERE person_id = ?) ORDER BY code LIMIT 1",
        [changed],
    )
    source_id, _ = push_source(ctx, "csdl-can-bo", "person", PERSON_MAPPING)
    push_records(
        ctx,
        source_id,
        [
            # A grade, and two fields whose names would tell something of the person.
            delivered(ctx.warehouse, changed, grade="01.002", full_name="Lò Văn Mới",
                      health_status=health),
            delivered(ctx.warehouse, moved, agency_id=other_agency),
            delivered(ctx.warehouse, same),
        ],
    )

    run = run_sync(ctx, source_id, user="dulieu")

    assert run.state == "succeeded", run.error
    assert run.detail is not None and run.detail["ledger"] == {"entries": 2}
    change = payloads(ctx.store, changed)
    assert [p["op"] for p in change] == ["create", "change"]
    assert change[1]["version"] == 2
    # Personal and sensitive fields are counted, not named.
    assert (change[1]["fields"], change[1]["protected_fields"]) == (["grade"], 2)
    assert "health_status" not in orjson.dumps(change[1]).decode()
    assert (change[1]["run_id"], change[1]["origin"]) == (run.id, "sync")
    assert change[1]["load_id"] == run.detail["load_id"]
    assert change[1]["content_sha256"] == warehouse_hash(ctx.warehouse, changed)
    assert change[1]["content_sha256"] != change[0]["content_sha256"]
    transfer = payloads(ctx.store, moved)
    assert [p["op"] for p in transfer] == ["create", "transfer"]
    assert (transfer[1]["fields"], transfer[1]["protected_fields"]) == (["agency_id"], 0)
    assert [p["op"] for p in payloads(ctx.store, same)] == ["create"]  # delivered unchanged

    # The same delivery again changes nothing, so appends nothing.
    push_records(
        ctx,
        source_id,
        [delivered(ctx.warehouse, p) for p in (changed, moved, same)],
    )
    again = run_sync(ctx, source_id)
    assert again.detail is not None and again.detail["ledger"] == {"entries": 0}
    assert len(payloads(ctx.store, changed)) == 2


def test_a_snapshot_that_drops_a_person_appends_a_deletion(ctx: IngestContext) -> None:
    first, second = laocai_people(ctx.warehouse, 2)
    newcomers = [
        delivered(ctx.warehouse, first, person_id="CB8000000001"),
        delivered(ctx.warehouse, second, person_id="CB8000000002"),
    ]
    source_id, _ = push_source(ctx, "csdl-can-bo", "person", PERSON_MAPPING, mode="snapshot")
    push_records(ctx, source_id, newcomers)
    assert run_sync(ctx, source_id).state == "succeeded"
    push_records(ctx, source_id, newcomers[:1])
    run = run_sync(ctx, source_id)
    assert run.rows_deleted == 1
    assert [(p["op"], p["version"]) for p in payloads(ctx.store, "CB8000000002")] == [
        ("create", 1),
        ("delete", 2),
    ]
    gone = payloads(ctx.store, "CB8000000002")[1]
    assert gone["content_sha256"] is None and gone["fields"] == []
    assert [p["op"] for p in payloads(ctx.store, "CB8000000001")] == ["create"]


def _cli(ctx: IngestContext, tmp_path: Path, *args: str) -> Any:
    env = {
        "IOC_DATABASE_URL": ctx.store.url,
        "IOC_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        "IOC_DATA_DIR": str(tmp_path / "data"),
    }
    return CliRunner().invoke(app, ["ledger", "verify", *args], env=env)


def test_verify_records_finds_and_repairs_what_the_ledger_lacks(
    ctx: IngestContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    edited, removed = laocai_people(ctx.warehouse, 2)
    # Changes that reached the warehouse without the ledger, as after a crash between the
    # two commits.
    with ctx.warehouse.write_lock:
        ctx.warehouse.execute("UPDATE person SET grade = '01.002' WHERE person_id = ?", [edited])
        ctx.warehouse.execute("DELETE FROM person WHERE person_id = ?", [removed])
    ctx.warehouse.close()

    found = _cli(ctx, tmp_path, "--records")
    assert found.exit_code == 1, found.output
    assert f"person {edited}: the ledger lacks its change (warehouse load 1)" in found.output
    assert f"person {removed}: the ledger lacks its delete" in found.output
    assert "23,999 personnel records against the warehouse: 2 problems" in found.output

    repaired = _cli(ctx, tmp_path, "--records", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "appended 2 missing personnel entries" in repaired.output
    assert _cli(ctx, tmp_path, "--records").exit_code == 0
    fixed = payloads(ctx.store, edited)[-1]
    assert (fixed["op"], fixed["version"], fixed["fields"], fixed["origin"]) == (
        "change",
        2,
        None,
        "reconcile",
    )
    assert fixed["protected_fields"] is None


def test_a_sync_killed_between_the_two_commits_is_repaired(tmp_path: Path, generated: Path) -> None:
    """The child is killed when it starts the ledger's append, after the warehouse's commit;
    closing its run appends what it left out, exactly once."""
    shutil.copy(generated, tmp_path / "warehouse.duckdb")
    url = f"sqlite:///{tmp_path / 'ioc.sqlite3'}"
    ctx = ingest_context(tmp_path, url)
    records.reconcile(ctx.store, ctx.warehouse, repair=True, origin="generate")
    (person,) = laocai_people(ctx.warehouse, 1)
    source_id, _ = push_source(ctx, "csdl-can-bo", "person", PERSON_MAPPING)
    push_records(ctx, source_id, [delivered(ctx.warehouse, person, grade="01.002")])
    ctx.warehouse.close()
    ctx.store.dispose()

    env = {k: v for k, v in os.environ.items() if not k.startswith("IOC_")}
    env.update(
        IOC_DATA_DIR=str(tmp_path),
        IOC_DATABASE_URL=url,
        IOC_WAREHOUSE_URL=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        IOC_SCHEDULER="false",
        PYTHONUNBUFFERED="1",
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "noivu_ioc.cli", "sources", "sync", "csdl-can-bo", "--as", "dulieu"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert child.stderr is not None
    for line in child.stderr:
        if "personnel changes in the ledger" in line:
            os.kill(child.pid, signal.SIGKILL)
            break
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL

    ctx = ingest_context(tmp_path, url)
    try:
        assert (
            ctx.warehouse.scalar("SELECT grade FROM person WHERE person_id = ?", [person])
            == "01.002"
        )  # the warehouse committed
        closed = reconcile(ctx)
        assert len(closed) == 1
        history = payloads(ctx.store, person)
        assert [p["op"] for p in history] == ["create", "change"]  # once, not twice
        assert history[1]["content_sha256"] == warehouse_hash(ctx.warehouse, person)
        assert records.reconcile(ctx.store, ctx.warehouse).missing == []
    finally:
        ctx.warehouse.close()
        ctx.store.dispose()


def test_generate_into_records_the_personnel_it_loads(tmp_path: Path, store: OpStore) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    try:
        summary = generate_into(warehouse, "demo", 11, ledger=store)
        with store.session() as session:
            assert ledger_log.size(session) == summary.rows["person"] == 24_000
        generate_into(warehouse, "demo", 11, ledger=store)  # the same data again
        with store.session() as session:
            assert ledger_log.size(session) == 24_000
    finally:
        warehouse.close()
