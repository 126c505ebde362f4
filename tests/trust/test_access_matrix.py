"""The access matrix: every role, at a national, a provincial and a commune unit, against
things placed at its own unit, a child unit, a sibling and the parent, through every kind of
read (records list, search, one record, export, aggregates, live events, the ledger's proofs
of a record) and the actions that change things (acknowledging an alert, giving a task).

Each cell's outcome is written out below, not derived from the code under test: the table of
what each scope sees (``SEES``) and of what each role may do (``MAY``). The test runs every
cell and compares the whole table at once, so that a failure lists every wrong cell.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.access.users import create_user, principal_of
from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.ingest import events
from noivu_ioc.ledger import heads, records
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, AlertRule, User, utcnow
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.live import LiveHub
from tests.factories import login

ROLES = ("administrator", "leader", "operator", "analyst", "data_steward", "provincial_officer")

# Where the actor sits, and its unit. A provincial officer cannot be national.
LEVELS = {"national": "BNV.TTTT", "province": "SNV.15", "commune": None}  # commune: chosen

# Where things are placed, seen from an actor of Lào Cai (15): the province itself, a
# commune of it (child), another province (sibling: Hà Nội, 01), and the nation (parent:
# central agencies, national events).
PLACEMENTS = ("own", "child", "sibling", "parent")

# What each actor's scope sees, by placement. Written from the rules, not from the code:
# the ministry sees everything; a province its own and its communes; a commune only itself.
SEES: dict[str, set[str]] = {
    "national": {"own", "child", "sibling", "parent"},
    "province": {"own", "child"},
    "commune": {"child"},
}

# Which roles may act (the reads are open to every role, each in its scope).
MAY: dict[str, set[str]] = {
    "alert.acknowledge": {"administrator", "leader", "operator", "provincial_officer"},
    "task.assign": {"administrator", "leader", "operator", "provincial_officer"},
}

READS = (
    "records.read",
    "records.search",
    "records.export",
    "aggregate",
    "live",
    "alert.read",
    "ledger.record",
)
ACTIONS = ("alert.acknowledge", "task.assign")


def expected(role: str, level: str, action: str, placement: str) -> str:
    """The outcome of one cell, as the product must answer."""
    seen = placement in SEES[level]
    if action in READS:
        if action == "records.read" or action == "ledger.record":
            return "200" if seen else "404"
        if action in ("records.search", "records.export", "live"):
            return "found" if seen else "absent"
        if action == "aggregate":
            # "The nation" is each viewer's own scope: asking for it is never refused.
            return "200" if seen or placement == "parent" else "403"
        if action == "alert.read":
            return "200" if seen else "403"
    if role not in MAY[action]:
        return "403"
    if action == "alert.acknowledge":
        return "200" if seen else "403"
    if action == "task.assign":
        return "201" if seen else "403"
    raise AssertionError(action)


@dataclass
class World:
    persons: dict[str, str]  # placement -> a person_id placed there
    codes: dict[str, str | None]  # placement -> admin code
    units: dict[str, str]  # placement -> org unit code
    rule_id: int


def _person(warehouse: Warehouse, where: str, params: list[object]) -> str:
    found = warehouse.scalar(f"SELECT person_id FROM person WHERE {where} LIMIT 1", params)
    assert found is not None, where
    return str(found)


@pytest.fixture(scope="module")
def world(
    demo_store: OpStore, demo_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    commune = demo_warehouse.scalar(
        "SELECT commune_code FROM person WHERE province_code = '15' AND commune_code IS NOT "
        "NULL GROUP BY commune_code ORDER BY count(*) DESC LIMIT 1"
    )
    assert commune is not None
    LEVELS["commune"] = f"UBX.{commune}"
    persons = {
        "own": _person(demo_warehouse, "province_code = '15' AND commune_code IS NULL", []),
        "child": _person(demo_warehouse, "commune_code = ?", [commune]),
        "sibling": _person(demo_warehouse, "province_code = '01'", []),
        "parent": _person(demo_warehouse, "province_code IS NULL", []),
    }
    # The personnel records in the ledger, under a signed head, for the proofs of a record.
    records.reconcile(demo_store, demo_warehouse, repair=True, origin="generate")
    heads.sign_head(demo_store, Settings(data_dir=tmp_path_factory.mktemp("ledger-key")))
    with demo_store.session() as session:
        rule = AlertRule(
            name=f"ma-tran-{uuid.uuid4().hex[:8]}",
            title_vi="Ma trận quyền",
            title_en="Access matrix",
            kind="event",
            severity="minor",
            created_by="test",
            config={"kinds": ["test.matrix"]},
            enabled=False,  # it only holds the matrix's alerts; other tests evaluate rules
        )
        session.add(rule)
        session.flush()
        rule_id = rule.id
        for role in ROLES:
            for level, unit in LEVELS.items():
                if role == "provincial_officer" and level == "national":
                    continue
                username = f"mt-{role}-{level}".replace("_", "-")
                if session.scalar(select(User.id).where(User.username == username)):
                    continue
                create_user(
                    session,
                    username=username,
                    full_name=username,
                    password=DEMO_PASSWORD,
                    roles=[role],
                    units=[str(unit)],
                )
    yield World(
        persons=persons,
        codes={"own": "15", "child": str(commune), "sibling": "01", "parent": None},
        units={
            "own": "SNV.15",
            "child": f"UBX.{commune}",
            "sibling": "SNV.01",
            "parent": "BNV.TTTT",
        },
        rule_id=rule_id,
    )


def _alert(store: OpStore, world: World, placement: str) -> int:
    with store.session() as session:
        alert = Alert(
            rule_id=world.rule_id,
            subject=f"matrix-{uuid.uuid4().hex[:10]}",
            admin_code=world.codes[placement],
            severity="minor",
            state="active",
            message="ô của ma trận quyền",
            opened_at=utcnow(),
            last_seen_at=utcnow(),
            level=1,
        )
        session.add(alert)
        session.flush()
        return alert.id


def _run(
    client: TestClient,
    store: OpStore,
    world: World,
    username: str,
    action: str,
    placement: str,
    incident: int | None,
) -> str:
    person = world.persons[placement]
    if action == "records.read":
        return str(client.get(f"/api/records/person/{person}").status_code)
    if action == "records.search":
        rows = client.get("/api/records/person", params={"q": person}).json()["rows"]
        return "found" if any(r["person_id"] == person for r in rows) else "absent"
    if action == "records.export":
        text = client.get("/api/records/person/export.csv", params={"q": person}).text
        return "found" if person in text else "absent"
    if action == "aggregate":
        code = world.codes[placement]
        place = (
            None if code is None else (f"province:{code}" if len(code) == 2 else f"commune:{code}")
        )
        params = {"place": place} if place else {}
        answer = client.get("/api/indicators/personnel.active_staff", params=params)
        return str(answer.status_code)
    if action == "live":
        with store.session() as session:
            user = session.scalars(select(User).where(User.username == username)).one()
            scope = principal_of(user).scope
            event = events.record(
                session,
                kind="test.matrix",
                severity="info",
                subject=f"matrix:{placement}",
                message=f"sự kiện {placement}",
                admin_code=world.codes[placement],
            )
            session.flush()
            mark = event.id
        replayed = LiveHub(store, None).replay(scope, mark - 1)
        return "found" if any(m["id"] == mark for m in replayed) else "absent"
    if action == "alert.read":
        return str(client.get(f"/api/alerts/{_alert(store, world, placement)}").status_code)
    if action == "ledger.record":
        return str(client.get(f"/api/ledger/records/person:{person}").status_code)
    if action == "alert.acknowledge":
        alert = _alert(store, world, placement)
        return str(client.post(f"/api/alerts/{alert}/acknowledge").status_code)
    if action == "task.assign":
        answer = client.post(
            f"/api/incidents/{incident}/tasks",
            json={
                "unit": world.units[placement],
                "title": f"Nhiệm vụ ma trận cho {placement}",
                "due_at": (utcnow() + timedelta(days=2)).isoformat(),
            },
        )
        return str(answer.status_code)
    raise AssertionError(action)


def _own_incident(client: TestClient, level: str, world: World) -> int | None:
    """An incident the actor may see: opened by a national operator at the actor's place."""
    code = {"national": None, "province": "15", "commune": world.codes["child"]}[level]
    client.cookies.clear()
    login(client, "vanhanh")
    made = client.post(
        "/api/incidents",
        json={"title": f"Sự cố ma trận {level}", "severity": "minor", "admin_code": code},
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


@pytest.mark.parametrize("role", ROLES)
def test_the_access_matrix(
    role: str, client: TestClient, demo_store: OpStore, world: World
) -> None:
    got: dict[tuple[str, str, str], str] = {}
    want: dict[tuple[str, str, str], str] = {}
    for level in LEVELS:
        if role == "provincial_officer" and level == "national":
            continue
        username = f"mt-{role}-{level}".replace("_", "-")
        incident = _own_incident(client, level, world)
        client.cookies.clear()
        login(client, username)
        for action in (*READS, *ACTIONS):
            for placement in PLACEMENTS:
                cell = (level, action, placement)
                want[cell] = expected(role, level, action, placement)
                got[cell] = _run(client, demo_store, world, username, action, placement, incident)
    wrong = {cell: (got[cell], want[cell]) for cell in want if got[cell] != want[cell]}
    assert not wrong, "cells (level, action, placement): (got, expected)\n" + "\n".join(
        f"{c}: {v}" for c, v in sorted(wrong.items())
    )
