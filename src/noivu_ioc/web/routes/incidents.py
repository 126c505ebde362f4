"""Incidents and their tasks: pages and API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["incidents"])
