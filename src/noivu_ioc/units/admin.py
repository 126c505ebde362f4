"""Administrative units after the 1 July 2025 rearrangement: 34 provinces and 3,321
commune-level units, with the General Statistics Office's codes and names.

The data comes from the ``vietnam-provinces`` package (GPL-3.0-or-later), which ships the
statistics office's lists and its old-to-new conversion tables. Codes are kept here as
zero-padded strings: two digits for a province ("01"), five for a commune ("00004").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import vietnam_provinces as vp
from vietnam_provinces import Province, Ward
from vietnam_provinces.legacy import Province as LegacyProvince
from vietnam_provinces.legacy import Ward as LegacyWard

from noivu_ioc.errors import InvalidInputError, NotFoundError

EFFECTIVE_DATE = "2025-07-01"
DATA_VERSION: str = vp.__data_version__


@dataclass(frozen=True, slots=True)
class AdminUnit:
    code: str
    name: str  # official Vietnamese name, e.g. "Thành phố Hà Nội", "Phường Ba Đình"
    short_name: str  # without the division word, e.g. "Hà Nội", "Ba Đình"
    division_type: str  # "tỉnh", "thành phố trung ương", "phường", "xã", "đặc khu"
    province_code: str  # the unit itself for a province

    @property
    def is_province(self) -> bool:
        return len(self.code) == 2


@dataclass(frozen=True, slots=True)
class LegacyConversion:
    """How one pre-2025 code maps to current units; several targets mean the old unit was
    split and the record needs a person to choose (the IOC never guesses)."""

    legacy_code: str
    legacy_name: str
    current: tuple[AdminUnit, ...]

    @property
    def is_unambiguous(self) -> bool:
        return len(self.current) == 1

    @property
    def level(self) -> str:
        return "province" if len(self.legacy_code) == 2 else "commune"


_DIVISION_WORDS = ("Thành phố", "Tỉnh", "Phường", "Xã", "Đặc khu")


def _short(name: str) -> str:
    for word in _DIVISION_WORDS:
        if name.startswith(word + " "):
            return name[len(word) + 1 :]
    return name


def province_code(value: int | str) -> str:
    return f"{int(value):02d}"


def commune_code(value: int | str) -> str:
    return f"{int(value):05d}"


def _from_province(p: Province) -> AdminUnit:
    code = province_code(int(p.code))
    return AdminUnit(code, p.name, _short(p.name), p.division_type.value, code)


def _from_ward(w: Ward) -> AdminUnit:
    return AdminUnit(
        commune_code(int(w.code)),
        w.name,
        _short(w.name),
        w.division_type.value,
        province_code(int(w.province_code)),
    )


@lru_cache(maxsize=1)
def provinces() -> tuple[AdminUnit, ...]:
    """The 34 provinces and centrally run cities, in code order."""
    return tuple(sorted((_from_province(p) for p in Province.iter_all()), key=lambda u: u.code))


@lru_cache(maxsize=1)
def communes() -> tuple[AdminUnit, ...]:
    """The 3,321 commune-level units (xã, phường, đặc khu), in code order."""
    return tuple(sorted((_from_ward(w) for w in Ward.iter_all()), key=lambda u: u.code))


@lru_cache(maxsize=1)
def _by_code() -> dict[str, AdminUnit]:
    return {u.code: u for u in provinces() + communes()}


@lru_cache(maxsize=64)
def communes_of(province: str) -> tuple[AdminUnit, ...]:
    return tuple(c for c in communes() if c.province_code == province)


def unit(code: str) -> AdminUnit:
    """The current unit with this code; a pre-2025 code gets an error that says so."""
    code = code.strip()
    if not code.isdigit() or len(code) not in (2, 5):
        raise InvalidInputError(
            f"administrative unit code {code!r} is not valid: expected 2 digits for a "
            "province (e.g. '01') or 5 digits for a commune (e.g. '00004')"
        )
    found = _by_code().get(code)
    if found is None:
        raise NotFoundError(
            f"administrative unit code {code!r} is not a unit after {EFFECTIVE_DATE}; "
            "if it is a pre-2025 code, convert it (ioc units convert)"
        )
    return found


def convert_legacy_province(code: str | int) -> LegacyConversion:
    """Map a pre-2025 province code (63 provinces) to its current province."""
    legacy = _legacy_province(code)
    found = Province.search_from_legacy(code=int(code))
    current = tuple(sorted({_from_province(f.province) for f in found}, key=lambda u: u.code))
    return LegacyConversion(province_code(code), legacy.name, current)


def convert_legacy_commune(code: str | int) -> LegacyConversion:
    """Map a pre-2025 commune code (10,051 units) to the current commune or communes."""
    try:
        legacy = LegacyWard.from_code(int(code))  # type: ignore[arg-type]
    except (ValueError, KeyError):
        raise NotFoundError(
            f"{code!r} is not a pre-2025 commune code; pre-2025 communes have 5-digit "
            "statistics-office codes such as '00001'"
        ) from None
    found = Ward.search_from_legacy(code=int(code))
    current = tuple(sorted({_from_ward(f.ward) for f in found}, key=lambda u: u.code))
    return LegacyConversion(commune_code(code), legacy.name, current)


def convert_legacy(code: str) -> LegacyConversion:
    """Map a pre-2025 code of either level, told apart by its length."""
    code = code.strip()
    if code.isdigit() and len(code) == 2:
        return convert_legacy_province(code)
    if code.isdigit() and len(code) == 5:
        return convert_legacy_commune(code)
    raise InvalidInputError(
        f"{code!r} is not a pre-2025 code: give 2 digits for a province (e.g. 77) or 5 "
        "digits for a commune (e.g. 26710)"
    )


def _legacy_province(code: str | int) -> LegacyProvince:
    try:
        return LegacyProvince.from_code(int(code))  # type: ignore[arg-type]
    except (ValueError, KeyError):
        raise NotFoundError(
            f"{code!r} is not a pre-2025 province code; the 63 former provinces have "
            "2-digit codes from '01' (Hà Nội) to '96' (Cà Mau)"
        ) from None


@lru_cache(maxsize=1)
def legacy_province_codes() -> tuple[str, ...]:
    return tuple(sorted(province_code(int(p.code)) for p in LegacyProvince.iter_all()))


@lru_cache(maxsize=1)
def legacy_commune_codes() -> tuple[str, ...]:
    return tuple(sorted(commune_code(int(w.code)) for w in LegacyWard.iter_all()))
