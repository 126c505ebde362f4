"""In-app notifications of the signed-in user."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["notifications"])
