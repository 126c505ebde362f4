"""CAP 1.2 (OASIS Common Alerting Protocol) messages in and out."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["cap"])
