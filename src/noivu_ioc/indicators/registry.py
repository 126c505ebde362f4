"""The indicators in force: the library shipped in ``library/*.toml`` (one file per domain)
and the definitions analysts saved (kept in the operational store, see ``saved.py``)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from noivu_ioc.errors import NotFoundError
from noivu_ioc.indicators.model import DefinitionError, Indicator, parse_definition

LIBRARY = Path(__file__).parent / "library"


def read_definitions(path: Path) -> list[dict[str, Any]]:
    """The ``[[indicator]]`` tables of one TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{path.name} is not valid TOML: {exc}") from None
    tables = data.get("indicator", [])
    if not isinstance(tables, list) or set(data) - {"indicator"}:
        raise DefinitionError(f"{path.name}: a library file holds only [[indicator]] tables")
    return tables


@lru_cache(maxsize=1)
def library() -> tuple[Indicator, ...]:
    """The shipped indicators, in file and definition order."""
    found: list[Indicator] = []
    for path in sorted(LIBRARY.glob("*.toml")):
        for raw in read_definitions(path):
            try:
                found.append(parse_definition(raw, origin="library"))
            except DefinitionError as exc:
                raise DefinitionError(f"{path.name}: {exc}") from None
    _check_unique(found)
    return tuple(found)


def _check_unique(indicators: Iterable[Indicator]) -> None:
    seen: set[str] = set()
    for indicator in indicators:
        if indicator.id in seen:
            raise DefinitionError(f"indicator id {indicator.id!r} is defined twice")
        seen.add(indicator.id)


class Registry:
    """The library plus the saved definitions, looked up by id."""

    def __init__(self, indicators: Iterable[Indicator]) -> None:
        self._all = tuple(indicators)
        _check_unique(self._all)
        self._by_id = {i.id: i for i in self._all}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def get(self, ident: str) -> Indicator:
        try:
            return self._by_id[ident]
        except KeyError:
            raise NotFoundError(
                f"indicator {ident!r} does not exist; GET /api/indicators lists them"
            ) from None

    def __contains__(self, ident: object) -> bool:
        return ident in self._by_id

    def by_domain(self, domain: str) -> list[Indicator]:
        return [i for i in self._all if i.domain == domain]
