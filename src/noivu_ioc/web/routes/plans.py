"""Emergency plans prepared in advance, activated in one click or as a drill."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["plans"])
