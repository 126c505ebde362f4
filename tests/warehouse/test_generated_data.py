"""The generated demo data obeys its own catalog: keys are unique, required fields are
filled, codes come from their code lists, and every reference points at a real row."""

import pytest

from noivu_ioc.catalog import Entity, FieldType, catalog
from noivu_ioc.warehouse import Warehouse

ENTITIES = catalog().entities


def _ids(entities: tuple[Entity, ...]) -> list[str]:
    return [e.id for e in entities]


def test_every_entity_is_filled(demo_warehouse: Warehouse) -> None:
    empty = [e.id for e in ENTITIES if demo_warehouse.count(e.id) == 0]
    assert empty == []


@pytest.mark.parametrize("entity", ENTITIES, ids=_ids(ENTITIES))
def test_keys_are_unique_and_required_fields_filled(
    demo_warehouse: Warehouse, entity: Entity
) -> None:
    key = ", ".join(f'"{k}"' for k in entity.key)
    duplicates = demo_warehouse.scalar(
        f'SELECT count(*) FROM (SELECT {key} FROM "{entity.id}" GROUP BY {key} '
        "HAVING count(*) > 1)"
    )
    assert duplicates == 0
    for field in entity.fields:
        if field.required or field.name in entity.key:
            nulls = demo_warehouse.scalar(
                f'SELECT count(*) FROM "{entity.id}" WHERE "{field.name}" IS NULL'
            )
            assert nulls == 0, f"{entity.id}.{field.name} has {nulls} empty values"


@pytest.mark.parametrize("entity", ENTITIES, ids=_ids(ENTITIES))
def test_codes_and_references_hold(demo_warehouse: Warehouse, entity: Entity) -> None:
    for field in entity.fields:
        column = f'"{field.name}"'
        if field.type is FieldType.CODE and field.codelist:
            allowed = catalog().codelist(field.codelist).values
            marks = ", ".join("?" for _ in allowed)
            bad = demo_warehouse.query(
                f'SELECT DISTINCT {column} AS v FROM "{entity.id}" '
                f"WHERE {column} IS NOT NULL AND {column} NOT IN ({marks}) LIMIT 5",
                list(allowed),
            )
            assert bad == [], f"{entity.id}.{field.name} holds codes outside {field.codelist}"
        if field.ref:
            target, _, target_field = field.ref.partition(".")
            dangling = demo_warehouse.scalar(
                f'SELECT count(*) FROM "{entity.id}" WHERE {column} IS NOT NULL AND {column} '
                f'NOT IN (SELECT "{target_field}" FROM "{target}")'
            )
            assert dangling == 0, f"{entity.id}.{field.name}: {dangling} rows miss {field.ref}"
