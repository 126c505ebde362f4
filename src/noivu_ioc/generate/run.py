"""Runs the sector generators in dependency order and hands their batches to the warehouse."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pyarrow as pa

from noivu_ioc.catalog import catalog
from noivu_ioc.generate.context import SCALES, GenContext
from noivu_ioc.generate.sectors import GENERATORS
from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import LoadSummary, Warehouse

log = logging.getLogger(__name__)


def generate_batches(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    """Every (entity id, Arrow table) batch of every generator, in dependency order."""
    for generator in GENERATORS:
        for entity_id, table in generator(ctx):
            log.debug("generated %s rows of %s", table.num_rows, entity_id)
            yield entity_id, table


def generate_into(
    warehouse: Warehouse, scale: str, seed: int, *, ledger: OpStore | None = None
) -> LoadSummary:
    """Replace the warehouse's sector tables with generated data of this scale and seed.
    With ``ledger`` (the operational store), the personnel records this creates, changes or
    removes are then appended to its ledger, in batches."""
    if scale not in SCALES:
        raise ValueError(f"scale {scale!r} is unknown; choose one of {', '.join(SCALES)}")
    ctx = GenContext(SCALES[scale], seed)
    summary = warehouse.replace_all(
        catalog().entities, generate_batches(ctx), f"generated: scale={scale} seed={seed}"
    )
    if ledger is not None:
        from noivu_ioc.ledger.records import reconcile

        reconcile(ledger, warehouse, load_id=summary.load_id, repair=True, origin="generate")
    return summary
