"""Places an indicator is read for, within a viewer's scope: parsing, checks, breadcrumbs
and the level one drills into from each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from noivu_ioc.access.scope import Scope
from noivu_ioc.errors import InvalidInputError, NotAllowedError
from noivu_ioc.indicators.compile import Place
from noivu_ioc.indicators.model import Indicator
from noivu_ioc.units import admin

_AGENCY = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Crumb:
    place: Place
    label_vi: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_vi if lang == "vi" else self.label_en


def root(scope: Scope) -> Place:
    """Where a viewer starts: the nation, or their one province (a provincial officer's
    "nation" is their province)."""
    if not scope.national and len(scope.provinces) == 1 and not scope.communes:
        return Place("province", next(iter(scope.provinces)))
    if not scope.national and not scope.provinces and len(scope.communes) == 1:
        return Place("commune", next(iter(scope.communes)))
    return Place.nation()


def parse(text: str | None, scope: Scope) -> Place:
    """``nation``, ``province:01``, ``commune:00004`` or ``agency:<id>``; checked against the
    units and the scope. Without a value: the viewer's root."""
    if text is None or text == "":
        return root(scope)
    level, _, code = text.partition(":")
    if level == "nation" and not code:
        return root(scope)
    if level in ("province", "commune"):
        unit = admin.unit(code)  # names a bad or pre-2025 code
        if (level == "province") != unit.is_province:
            raise InvalidInputError(
                f"place {text!r}: {code} is a {'province' if unit.is_province else 'commune'} "
                f"code; write {'province' if unit.is_province else 'commune'}:{code}"
            )
        allowed = (
            scope.covers_province(code)
            if level == "province"
            else scope.covers_commune(code, unit.province_code)
        )
        if not allowed:
            raise NotAllowedError(
                f"{unit.name} ({code}) is outside your scope; open the indicator without "
                "?place, or ask an administrator to widen your scope"
            )
        return Place(level, code)
    if level == "agency" and _AGENCY.match(code):
        return Place("agency", code)
    raise InvalidInputError(
        f"place {text!r} is not understood; write nation, province:<2 digits>, "
        "commune:<5 digits> or agency:<agency id>"
    )


def label(place: Place) -> tuple[str, str]:
    if place.level == "nation":
        return "Toàn quốc", "Nationwide"
    if place.level in ("province", "commune"):
        assert place.code is not None
        name = admin.unit(place.code).name
        return name, name
    return f"Cơ quan {place.code}", f"Agency {place.code}"


def breadcrumb(place: Place, scope: Scope) -> list[Crumb]:
    """From the viewer's root down to ``place``; nothing above the root is offered."""
    chain: list[Place] = [Place.nation()]
    if place.level in ("province", "commune"):
        assert place.code is not None
        unit = admin.unit(place.code)
        chain.append(Place("province", unit.province_code))
        if place.level == "commune":
            chain.append(place)
    elif place.level == "agency":
        chain.append(place)
    start = root(scope)
    if start in chain:
        chain = chain[chain.index(start) :]
    elif start.level != "nation":
        chain = [p for p in chain if p.level != "nation"] or [place]
    return [Crumb(p, *label(p)) for p in chain]


def child_level(indicator: Indicator, place: Place) -> str | None:
    """The cut one drills into from ``place``: provinces of the nation, communes of a
    province; None at the bottom or where the data has no finer level."""
    if place.level == "nation" and "province" in indicator.place_dimensions:
        return "province"
    if place.level == "province" and "commune" in indicator.place_dimensions:
        return "commune"
    return None
