"""A sync killed with SIGKILL at several points leaves the warehouse as it was before the
run or with the whole run in it, never a part and never a duplicate; the next run
completes, and the killed run's record is closed by the reconciliation.

The sync runs as ``ioc sources sync`` in a child process over embedded stores in a temporary
data directory; the test reads the child's log and kills it when a chosen stage begins.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from noivu_ioc.ingest.sync import IngestContext, reconcile, run_sync
from noivu_ioc.store.models import Source, SyncRun
from tests.ingest.factories import (
    ORGANISATION_MAPPING,
    WORSHIP_MAPPING,
    ingest_context,
    organisations,
    push_records,
    push_source,
    worship_place,
)

ROWS = 60_000
DIRTY = 600  # every hundredth row carries a pre-2025 province code


def _delivery(version: str) -> list[dict[str, object]]:
    rows = []
    for n in range(1, ROWS + 1):
        changes: dict[str, object] = {"Tên cơ sở thờ tự": f"Chùa số {n} ({version})"}
        if n % 100 == 0:
            changes["Mã tỉnh"] = "10"
        rows.append(worship_place(n, **changes))
    return rows


@pytest.fixture
def prepared(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """Stores in a data directory, with version 1 of the worship places loaded and
    version 2 waiting as a pushed batch. The test's own handles are closed before the
    child process opens the warehouse file."""
    ctx = ingest_context(tmp_path, f"sqlite:///{tmp_path / 'ioc.sqlite3'}")
    orgs, _ = push_source(ctx, "to-chuc", "religious_organisation", ORGANISATION_MAPPING)
    push_records(ctx, orgs, organisations())
    run_sync(ctx, orgs)
    source_id, _ = push_source(
        ctx, "co-so-tho-tu", "worship_place", WORSHIP_MAPPING, mode="snapshot"
    )
    push_records(ctx, source_id, _delivery("v1"))
    first = run_sync(ctx, source_id)
    assert (first.rows_loaded, first.rows_quarantined) == (ROWS - DIRTY, DIRTY)
    push_records(ctx, source_id, _delivery("v2"))
    ctx.warehouse.close()
    ctx.store.dispose()
    yield tmp_path, source_id


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOC_")}
    env.update(
        IOC_DATA_DIR=str(data_dir),
        IOC_DATABASE_URL=f"sqlite:///{data_dir / 'ioc.sqlite3'}",
        IOC_WAREHOUSE_URL=f"duckdb:///{data_dir / 'warehouse.duckdb'}",
        IOC_LOG_LEVEL="DEBUG",
        PYTHONUNBUFFERED="1",
    )
    return env


def _sync_killed_at(data_dir: Path, marker: str) -> list[str]:
    """Run the sync in a child process and SIGKILL it as soon as ``marker`` is logged."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "noivu_ioc.cli",
            "sources",
            "sync",
            "co-so-tho-tu",
            "--as",
            "dulieu",
        ],
        env=_environment(data_dir),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert child.stderr is not None
    seen: list[str] = []
    for line in child.stderr:
        seen.append(line.rstrip())
        if marker in line:
            os.kill(child.pid, signal.SIGKILL)
            break
    # Read what is left (the child may log a little more before the signal lands).
    _, rest = child.communicate(timeout=120)
    seen.extend(rest.splitlines())
    assert child.returncode == -signal.SIGKILL, "\n".join(seen[-20:])
    return seen


def _reopen(data_dir: Path) -> IngestContext:
    return ingest_context(data_dir, f"sqlite:///{data_dir / 'ioc.sqlite3'}")


def _versions(ctx: IngestContext) -> dict[str, int]:
    rows = ctx.warehouse.query(
        "SELECT regexp_extract(name, '\\((v\\d)\\)$', 1) AS version, count(*) AS n "
        "FROM worship_place GROUP BY 1"
    )
    return {str(r["version"]): int(r["n"]) for r in rows}


@pytest.mark.parametrize(
    "marker",
    [
        "sync of co-so-tho-tu started",  # the run has just been recorded
        "batch of du-lieu",  # rows are being checked and staged
        "checking",  # duplicates and references, before the transaction
        "writing to the warehouse in one transaction",  # inside the transaction
    ],
)
def test_a_killed_sync_leaves_the_warehouse_whole(prepared: tuple[Path, int], marker: str) -> None:
    data_dir, source_id = prepared

    log = _sync_killed_at(data_dir, marker)

    ctx = _reopen(data_dir)
    try:
        # Never a mix: every row is of version 1, or (the kill came after the commit) of 2.
        versions = _versions(ctx)
        assert versions in ({"v1": ROWS - DIRTY}, {"v2": ROWS - DIRTY}), (versions, log[-5:])
        duplicates = ctx.warehouse.scalar(
            "SELECT count(*) - count(DISTINCT worship_place_id) FROM worship_place"
        )
        assert duplicates == 0

        closed = reconcile(ctx)
        with ctx.store.session() as session:
            killed = session.scalars(
                select(SyncRun).where(SyncRun.source_id == source_id).order_by(SyncRun.id)
            ).all()[-1]
            assert killed.id in closed
            expected = "succeeded" if versions == {"v2": ROWS - DIRTY} else "interrupted"
            assert killed.state == expected
            source = session.get(Source, source_id)
            assert source is not None and source.lease_owner is None

        after = run_sync(ctx, source_id)
        if expected == "interrupted":
            assert (after.rows_read, after.rows_loaded, after.rows_quarantined) == (
                ROWS,
                ROWS - DIRTY,
                DIRTY,
            )
        assert after.rows_read == after.rows_loaded + after.rows_quarantined
        assert _versions(ctx) == {"v2": ROWS - DIRTY}
        assert ctx.warehouse.count("worship_place") == ROWS - DIRTY
        pending = ctx.warehouse.scalar(
            "SELECT count(*) FROM _quarantine WHERE status = 'pending' AND entity = 'worship_place'"
        )
        assert pending == DIRTY  # the repeated bad rows superseded their first entries
    finally:
        ctx.warehouse.close()
        ctx.store.dispose()


def test_a_sync_killed_after_its_commit_is_reported_from_the_warehouse(
    prepared: tuple[Path, int],
) -> None:
    data_dir, source_id = prepared

    _sync_killed_at(data_dir, "committed as load")

    ctx = _reopen(data_dir)
    try:
        assert _versions(ctx) == {"v2": ROWS - DIRTY}
        reconcile(ctx)
        with ctx.store.session() as session:
            run = session.scalars(
                select(SyncRun).where(SyncRun.source_id == source_id).order_by(SyncRun.id.desc())
            ).first()
            assert run is not None
            assert run.state == "succeeded"
            assert (run.rows_read, run.rows_loaded, run.rows_quarantined) == (
                ROWS,
                ROWS - DIRTY,
                DIRTY,
            )
        # The batch was consumed by the commit: the next run finds nothing new.
        assert run_sync(ctx, source_id).rows_read == 0
    finally:
        ctx.warehouse.close()
        ctx.store.dispose()
