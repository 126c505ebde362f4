"""Accounts: the second factor (TOTP), sessions and their revocation, password changes, sign-in
through an external OpenID Connect provider."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["accounts"])
