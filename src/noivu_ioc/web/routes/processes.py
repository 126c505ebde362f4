"""Process tracking: templates, runs and their steps; pages and API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["processes"])
