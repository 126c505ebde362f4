"""The set of administrative units a user answers for, and its translation into SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from noivu_ioc.errors import IOCError
from noivu_ioc.units import admin


@dataclass(frozen=True, slots=True)
class Scope:
    """``national`` covers everything; otherwise whole provinces (each with its communes)
    and single communes. An empty scope sees nothing: deny by default."""

    national: bool = False
    provinces: frozenset[str] = frozenset()
    communes: frozenset[str] = frozenset()

    @classmethod
    def everything(cls) -> Scope:
        return cls(national=True)

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.provinces or self.communes)

    def covers_province(self, code: str) -> bool:
        return self.national or code in self.provinces

    def covers_commune(self, code: str, province: str) -> bool:
        return self.national or province in self.provinces or code in self.communes

    def covers(self, code: str | None) -> bool:
        """Whether a thing placed at ``code`` (a province or commune code; None for
        national things such as central agencies) is in scope."""
        if self.national:
            return True
        if code is None:
            return False
        if len(code) == 2:
            return code in self.provinces
        if code in self.communes:
            return True
        try:
            return admin.unit(code).province_code in self.provinces
        except IOCError:
            return False

    def sql_filter(
        self, province_column: str | None, commune_column: str | None = None
    ) -> tuple[str, list[str]]:
        """A WHERE fragment (with ``?`` parameters) that keeps only rows in scope.

        Rows without a province (central agencies) are visible to national scopes only; an
        entity with no place column at all is national-only too.
        """
        if self.national:
            return "TRUE", []
        parts: list[str] = []
        params: list[str] = []
        if province_column and self.provinces:
            parts.append(f"{province_column} IN ({_marks(self.provinces)})")
            params.extend(sorted(self.provinces))
        if commune_column and self.communes:
            parts.append(f"{commune_column} IN ({_marks(self.communes)})")
            params.extend(sorted(self.communes))
        if not parts:
            return "FALSE", []
        return "(" + " OR ".join(parts) + ")", params


def _marks(values: Sequence[str] | frozenset[str]) -> str:
    return ", ".join("?" for _ in values)
