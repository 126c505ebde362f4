"""Indicators analysts define without writing Python: the same keys as the shipped TOML,
checked by the same parser, kept in the operational store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.errors import ConflictError, NotFoundError
from noivu_ioc.indicators.model import DefinitionError, Indicator, parse_definition
from noivu_ioc.indicators.registry import library
from noivu_ioc.store.models import SavedIndicator, utcnow


def saved_indicators(session: Session) -> list[Indicator]:
    """Every saved definition that still parses; one that no longer does (the catalog
    changed under it) is left out and named in the log by ``broken_definitions``."""
    found = []
    for row in session.scalars(select(SavedIndicator).order_by(SavedIndicator.indicator_id)):
        try:
            found.append(parse_definition(row.definition, origin=row.created_by))
        except DefinitionError:
            continue
    return found


def broken_definitions(session: Session) -> dict[str, str]:
    broken = {}
    for row in session.scalars(select(SavedIndicator)):
        try:
            parse_definition(row.definition, origin=row.created_by)
        except DefinitionError as exc:
            broken[row.indicator_id] = str(exc)
    return broken


def save_indicator(
    session: Session, raw: dict[str, Any], user: str, replace: bool = False
) -> Indicator:
    indicator = parse_definition(raw, origin=user)
    if any(i.id == indicator.id for i in library()):
        raise ConflictError(
            f"indicator {indicator.id!r} is in the shipped library; give yours another id"
        )
    row = session.scalar(select(SavedIndicator).where(SavedIndicator.indicator_id == indicator.id))
    if row is not None and not replace:
        raise ConflictError(
            f"indicator {indicator.id!r} exists already; PUT /api/indicators/{indicator.id} "
            "changes it"
        )
    if row is None:
        row = SavedIndicator(indicator_id=indicator.id, created_by=user)
        session.add(row)
    row.definition = raw
    row.updated_at = utcnow()
    session.flush()
    return indicator


def delete_indicator(session: Session, ident: str) -> None:
    row = session.scalar(select(SavedIndicator).where(SavedIndicator.indicator_id == ident))
    if row is None:
        raise NotFoundError(f"no saved indicator {ident!r} (shipped ones cannot be deleted)")
    session.delete(row)
