"""Directives through the API and the pages: a leader sends one to all 34 provinces, each
province acknowledges once for itself only and then reports, each viewer tracks the units in
their scope, the wall's panel and the phone show who has not acknowledged. Refusals name the
value and are audited."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from noivu_ioc.errors import InvalidInputError
from noivu_ioc.indicators.registry import Registry, library
from noivu_ioc.indicators.scenes import DEFAULT_SCENES, check_panels
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, Directive, Event, Notification
from tests.factories import login


def _as(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


@pytest.fixture
def marker(demo_store: OpStore) -> Iterator[str]:
    """A unique word for this test's directives; they are removed afterwards."""
    word = f"kiểm thử {uuid.uuid4().hex[:8]}"
    yield word
    with demo_store.session() as session:
        for directive in session.scalars(select(Directive).where(Directive.title.contains(word))):
            subject = f"directive:{directive.id}"
            session.execute(delete(Event).where(Event.subject == subject))
            session.execute(delete(Notification).where(Notification.ref == subject))
            session.delete(directive)


def _issue(client: TestClient, marker: str, **extra: object) -> dict[str, object]:
    _as(client, "lanhdao")
    response = client.post(
        "/api/directives",
        json={"title": f"Báo cáo tình hình tuyển dụng ({marker})", "units": ["SNV.*"], **extra},
    )
    assert response.status_code == 201, response.text
    made: dict[str, object] = response.json()
    return made


def test_every_province_acknowledges_for_itself_then_reports(
    client: TestClient, demo_store: OpStore, marker: str
) -> None:
    with demo_store.session() as session:  # directive ids come back after a cleanup
        audited_before = session.scalar(select(func.max(AuditEvent.id))) or 0
    made = _issue(client, marker, body="Gửi số liệu trước 17 giờ.", severity="critical")
    ident = made["id"]
    units = made["units"]
    assert isinstance(units, list) and len(units) == 34
    assert (made["silent"], made["acknowledged"], made["severity"]) == (34, 0, "critical")
    assert {u["state"] for u in units} == {"silent"}
    assert not any(u["yours"] for u in units)  # the ministry names a unit to act for it

    _as(client, "sonv.hanoi")
    first = client.post(f"/api/directives/{ident}/acknowledge")
    assert first.status_code == 200, first.text
    assert first.json()["unit"] == "SNV.01"
    assert first.json()["acknowledged_by"] == "sonv.hanoi"
    assert first.json()["state"] == "acknowledged"
    twice = client.post(f"/api/directives/{ident}/acknowledge", json={"unit": "SNV.01"})
    assert twice.status_code == 409
    assert re.search(
        r"already acknowledged for SNV\.01 by sonv\.hanoi at \d\d:\d\d",
        twice.json()["error"]["message"],
    )
    other = client.post(f"/api/directives/{ident}/acknowledge", json={"unit": "SNV.15"})
    assert other.status_code == 403
    assert "SNV.15" in other.json()["error"]["message"]
    assert client.post("/api/directives", json={"title": "x", "units": ["SNV.01"]}).status_code == (
        403
    )
    # Hà Nội sees its own unit only, with its state
    mine = [d for d in client.get("/api/directives").json() if d["id"] == ident]
    assert mine[0]["recipients"] == 1
    assert [(u["unit"], u["state"]) for u in mine[0]["own"]] == [("SNV.01", "acknowledged")]
    assert [u["unit"] for u in client.get(f"/api/directives/{ident}").json()["units"]] == ["SNV.01"]

    _as(client, "sonv.laocai")
    early = client.post(f"/api/directives/{ident}/report", json={"text": "Đã xong."})
    assert early.status_code == 409
    assert "acknowledge it" in early.json()["error"]["message"]
    assert client.post(f"/api/directives/{ident}/acknowledge", json={}).status_code == 200
    done = client.post(f"/api/directives/{ident}/report", json={"text": "Đã rà soát 12 sở."})
    assert done.status_code == 200 and done.json()["state"] == "reported"

    _as(client, "phantich")  # an analyst does not respond to directives
    assert client.post(f"/api/directives/{ident}/acknowledge").status_code == 403

    _as(client, "lanhdao")
    pending = client.get(f"/api/directives/{ident}/pending").json()
    assert len(pending) == 32
    assert {"SNV.01", "SNV.15"}.isdisjoint({u["unit"] for u in pending})
    assert all(u["minutes_silent"] == 0 and not u["overdue"] for u in pending)
    detail = client.get(f"/api/directives/{ident}").json()
    assert (detail["acknowledged"], detail["reported"], detail["silent"]) == (2, 1, 32)
    laocai = next(u for u in detail["units"] if u["unit"] == "SNV.15")
    assert laocai["report"] == "Đã rà soát 12 sở." and laocai["reported_by"] == "sonv.laocai"
    listed = next(d for d in client.get("/api/directives").json() if d["id"] == ident)
    assert (listed["recipients"], listed["acknowledged"], listed["silent"]) == (34, 2, 32)

    closed = client.post(f"/api/directives/{ident}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert client.post(f"/api/directives/{ident}/close").status_code == 409
    ident_closed = client.get("/api/directives", params={"state": "open"}).json()
    assert ident not in [d["id"] for d in ident_closed]

    with demo_store.session() as session:
        outcomes = session.scalars(
            select(AuditEvent.outcome)
            .where(
                AuditEvent.id > audited_before,
                AuditEvent.action == "directive.acknowledge",
                AuditEvent.target == f"directive {ident} for SNV.15",
            )
            .order_by(AuditEvent.id)
        ).all()
        assert outcomes == ["denied"]  # Hà Nội for Lào Cai (Lào Cai's own is not audited)
        kinds = session.scalars(
            select(Event.kind).where(Event.subject == f"directive:{ident}").order_by(Event.id)
        ).all()
        assert kinds == [
            "directive.issued",
            "directive.acknowledged",
            "directive.acknowledged",
            "directive.reported",
            "directive.closed",
        ]


def test_bad_directives_are_refused_with_the_fix(client: TestClient, marker: str) -> None:
    _as(client, "lanhdao")
    title = f"Thử ({marker})"
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    cases = [
        ({"title": title, "units": []}, "at least one unit"),
        ({"title": title, "units": ["SNV.99"]}, "'SNV.99' does not exist"),
        ({"title": title, "units": ["SNV.01"], "severity": "urgent"}, "'urgent'"),
        ({"title": title, "units": ["SNV.01"], "report_due_at": past}, "in the past"),
        ({"title": title, "units": ["SNV.01"], "report_due_at": "2030-01-01T08:00"}, "zone"),
        ({"title": "", "units": ["SNV.01"]}, "needs a title"),
        ({"title": title}, "units"),
    ]
    for body, message in cases:
        refused = client.post("/api/directives", json=body)
        assert refused.status_code == 422, body
        assert message in refused.json()["error"]["message"], refused.text
    assert client.get("/api/directives/999999").status_code == 404


def test_the_wall_shows_who_has_not_acknowledged(client: TestClient, marker: str) -> None:
    registry = Registry(library())
    [panel] = check_panels([{"kind": "directives", "x": 0, "y": 0, "w": 6, "h": 2}], registry)
    assert panel.kind == "directives"
    women = "personnel.women_share"
    with pytest.raises(InvalidInputError, match="a directives panel takes no indicator"):
        check_panels(
            [{"kind": "directives", "x": 0, "y": 0, "w": 6, "h": 2, "indicators": [women]}],
            registry,
        )
    default_kinds = [[p["kind"] for p in panels] for _, _, _, panels in DEFAULT_SCENES]
    assert all("directives" in kinds for kinds in default_kinds)

    made = _issue(client, marker)
    _as(client, "sonv.hanoi")
    client.post(f"/api/directives/{made['id']}/acknowledge")

    _as(client, "lanhdao")
    scene = client.get("/api/scenes/tong-quan/data").json()
    assert "directives" in [p["kind"] for p in scene["panels"]]
    board = client.get("/api/directives/board").json()
    row = next(d for d in board["directives"] if d["id"] == made["id"])
    assert (row["recipients"], row["acknowledged"], row["silent"]) == (34, 1, 33)
    names = [u["name"] for u in row["silent_units"]]
    assert len(names) == 24 and "Hà Nội" not in names and "Lào Cai" in names  # by code
    assert "SNV.01" not in [u["unit"] for u in row["silent_units"]]
    assert board["labels"]["pending"] == "{n}/{total} đơn vị chưa tiếp nhận"
    english = client.get("/api/directives/board", params={"lang": "en"}).json()
    assert english["labels"]["title"] == "Directives not acknowledged"

    _as(client, "sonv.laocai")  # a province's wall sees its own unit only
    local = client.get("/api/directives/board").json()
    row = next(d for d in local["directives"] if d["id"] == made["id"])
    assert row["recipients"] == 1 and [u["unit"] for u in row["silent_units"]] == ["SNV.15"]


def test_the_phone_lists_directives_not_acknowledged(client: TestClient, marker: str) -> None:
    made = _issue(client, marker)
    phone = client.get("/api/mobile").json()["directives"]
    assert phone["national"] is True and phone["mine"] == []
    row = next(d for d in phone["pending"] if d["id"] == made["id"])
    assert (row["recipients"], row["silent"], len(row["units"])) == (34, 34, 24)
    assert all(d["kind"] != "directive" for d in client.get("/api/mobile").json()["decisions"])

    _as(client, "sonv.laocai")
    own = client.get("/api/mobile").json()["directives"]
    assert own["national"] is False and own["pending"] == []
    [mine] = [d for d in own["mine"] if d["id"] == made["id"]]
    assert (mine["unit"], mine["can_acknowledge"]) == ("SNV.15", True)
    client.post(f"/api/directives/{made['id']}/acknowledge")
    after = client.get("/api/mobile").json()["directives"]["mine"]
    assert made["id"] not in [d["id"] for d in after]


def test_the_pages_show_the_form_and_the_grid(client: TestClient, marker: str) -> None:
    made = _issue(client, marker)
    page = client.get("/directives")
    assert page.status_code == 200
    assert "Ban hành chỉ đạo" in page.text and "Tất cả 34 Sở Nội vụ" in page.text
    assert f"Báo cáo tình hình tuyển dụng ({marker})" in page.text
    grid = client.get(f"/directives/{made['id']}")
    assert grid.text.count('data-testid="recipient"') == 34
    assert "Sở Nội vụ thành phố Hà Nội" in grid.text
    assert "Where each unit stands" in client.get(f"/directives/{made['id']}?lang=en").text

    _as(client, "sonv.hanoi")
    own = client.get("/directives?lang=vi")
    assert "Ban hành chỉ đạo" not in own.text and 'data-testid="own-state"' in own.text
    mine = client.get(f"/directives/{made['id']}")
    assert mine.text.count('data-testid="recipient"') == 1
    assert 'data-testid="acknowledge"' in mine.text
