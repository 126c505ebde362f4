"""Record-level reads of the sector datasets: lists, search, one record and exports, each in the
caller's scope with the fields their grants allow, and audited."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["records"])
