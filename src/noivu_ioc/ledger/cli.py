"""The ``ioc ledger`` commands."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The verifiable ledger: verify it from storage, sign heads, run a witness.",
    no_args_is_help=True,
)
