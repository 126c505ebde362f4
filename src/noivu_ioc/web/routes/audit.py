"""The audit trail for administrators: search and export."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["audit"])
