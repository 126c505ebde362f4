"""Data-sharing agreements: which role or unit may read which fields of a dataset, for what
purpose, until when."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["sharing"])
