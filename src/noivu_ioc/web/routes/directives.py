"""Directives from leaders to units, with acknowledgement and reports."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["directives"])
