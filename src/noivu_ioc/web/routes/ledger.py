"""The ledger over HTTP: signed tree heads, inclusion and consistency proofs, entries, the log's
public key, witness cosignatures, and a record's verified history."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["ledger"])
