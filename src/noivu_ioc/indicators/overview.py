"""Headline figures of the nine sector databases and the personnel database, for the home
page. Every query carries the viewer's scope in its WHERE clause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from noivu_ioc.access.scope import Scope
from noivu_ioc.catalog import Entity, catalog
from noivu_ioc.units import admin
from noivu_ioc.warehouse import Warehouse

# The personnel_status code of people in service (code list personnel_status).
ACTIVE = "DANG_CONG_TAC"


@dataclass(frozen=True, slots=True)
class Headline:
    sector: str
    entity: str
    label_vi: str
    label_en: str
    expression: str = "count(*)"
    where: str = "TRUE"  # a fixed filter written against the entity's own columns


HEADLINES: tuple[Headline, ...] = (
    Headline(
        "personnel", "person", "Hồ sơ đang công tác", "Active records", where=f"status = '{ACTIVE}'"
    ),
    Headline("organisation", "agency", "Cơ quan, đơn vị", "Agencies and units"),
    Headline(
        "local_government", "commune_official", "Cán bộ, công chức cấp xã", "Commune officials"
    ),
    Headline("associations", "association", "Hội", "Associations"),
    Headline(
        "youth",
        "youth_statistics",
        "Thanh niên 16–30 tuổi",
        "Young people aged 16–30",
        expression="sum(youth_total)",
        where="year = (SELECT max(year) FROM youth_statistics)",
    ),
    Headline("exams", "candidate", "Thí sinh", "Candidates"),
    Headline("training", "training_record", "Lượt đào tạo, bồi dưỡng", "Training participations"),
    Headline("talent", "talent", "Người có tài năng", "Talented people"),
    Headline("religion", "worship_place", "Cơ sở thờ tự", "Worship places"),
    Headline("emulation", "award", "Quyết định khen thưởng", "Awards"),
)


@dataclass(frozen=True, slots=True)
class SectorFigure:
    sector_id: str
    number: int
    label_vi: str
    label_en: str
    entities: int
    headline_vi: str
    headline_en: str
    value: float | None  # None: no data, or nothing in the viewer's scope


def _scoped(entity: Entity, scope: Scope) -> tuple[str, list[str]]:
    commune = "commune_code" if "commune_code" in entity.field_names else None
    return scope.sql_filter(entity.province_field, commune)


def headline_value(warehouse: Warehouse, headline: Headline, scope: Scope) -> float | None:
    try:
        entity = catalog().entity(headline.entity)
    except KeyError:
        return None
    if not warehouse.has_table(entity.id):
        return None
    where, params = _scoped(entity, scope)
    if where == "FALSE":
        return None
    value = warehouse.scalar(
        f'SELECT {headline.expression} FROM "{entity.id}" WHERE ({headline.where}) AND {where}',
        params,
    )
    return None if value is None else float(value)


def sector_figures(warehouse: Warehouse, scope: Scope) -> list[SectorFigure]:
    by_sector = {h.sector: h for h in HEADLINES}
    figures = []
    for sector in catalog().sectors:
        h = by_sector.get(sector.id)
        figures.append(
            SectorFigure(
                sector_id=sector.id,
                number=sector.number,
                label_vi=sector.label_vi,
                label_en=sector.label_en,
                entities=len(sector.entities),
                headline_vi=h.label_vi if h else "",
                headline_en=h.label_en if h else "",
                value=headline_value(warehouse, h, scope) if h else None,
            )
        )
    return figures


def personnel_by_province(warehouse: Warehouse, scope: Scope) -> list[dict[str, Any]]:
    """Active personnel per province, largest first; only provinces in scope."""
    if not warehouse.has_table("person"):
        return []
    where, params = scope.sql_filter("province_code", "commune_code")
    rows = warehouse.query(
        "SELECT province_code, count(*) AS persons FROM person "
        f"WHERE status = '{ACTIVE}' AND province_code IS NOT NULL AND {where} "
        "GROUP BY province_code ORDER BY persons DESC",
        params,
    )
    names = {p.code: p.short_name for p in admin.provinces()}
    return [
        {
            "code": r["province_code"],
            "name": names.get(r["province_code"], r["province_code"]),
            "persons": int(r["persons"]),
        }
        for r in rows
    ]


def personnel_summary(warehouse: Warehouse, scope: Scope) -> dict[str, Any]:
    """Totals, the share of women and of ethnic minorities, and the split by level."""
    if not warehouse.has_table("person"):
        return {"total": 0, "women_share": None, "minority_share": None, "by_level": []}
    where, params = scope.sql_filter("province_code", "commune_code")
    total_row = warehouse.query(
        "SELECT count(*) AS total, avg(CASE WHEN sex = '2' THEN 1.0 ELSE 0.0 END) AS women, "
        "avg(CASE WHEN ethnicity <> '01' THEN 1.0 ELSE 0.0 END) AS minorities "
        f"FROM person WHERE status = '{ACTIVE}' AND {where}",
        params,
    )[0]
    by_level = warehouse.query(
        "SELECT level, count(*) AS persons FROM person "
        f"WHERE status = '{ACTIVE}' AND {where} GROUP BY level ORDER BY level",
        params,
    )
    return {
        "total": int(total_row["total"]),
        "women_share": total_row["women"],
        "minority_share": total_row["minorities"],
        "by_level": [{"level": r["level"], "persons": int(r["persons"])} for r in by_level],
    }
